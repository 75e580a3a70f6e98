import { generateKeyPairSync } from 'crypto';
import { isTransient, openSession } from '../../../lambda/shared/snowflake/connection';
import { PrivateKeySecretError, redact, redactedCause } from '../../../lambda/shared/snowflake/errors';
import {
  clearPrivateKeyCache,
  parsePrivateKeySecret,
  readPrivateKey,
  secretRegion,
} from '../../../lambda/shared/snowflake/private-key';
import { SecretsManagerTestServer } from '../../support/secrets-manager-server';
import { keyPair } from './harness';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbCdEf';

describe('private key secret', () => {
  const plain = keyPair();
  const encrypted = keyPair('s3cret-passphrase');

  test('GIVEN a PEM or JSON secret WHEN parsed THEN the key (and passphrase) are returned', () => {
    expect(parsePrivateKeySecret(plain.privateKey, ARN)).toEqual({ privateKey: plain.privateKey.trim() });
    const json = JSON.stringify({ privateKey: encrypted.privateKey, passphrase: 's3cret-passphrase' });
    expect(parsePrivateKeySecret(json, ARN).passphrase).toBe('s3cret-passphrase');
  });

  test.each([
    ['not a key', /does not hold a PEM private key/],
    ['{"privateKey": 5}', /JSON must have a string "privateKey"/],
    ['{oops', /neither a PEM private key nor valid JSON/],
  ])('GIVEN %j WHEN parsed THEN PrivateKeySecretError naming the secret', (secret, message) => {
    expect(() => parsePrivateKeySecret(secret, ARN)).toThrow(PrivateKeySecretError);
    expect(() => parsePrivateKeySecret(secret, ARN)).toThrow(message);
    expect(() => parsePrivateKeySecret(secret, ARN)).toThrow(ARN);
  });

  test('GIVEN a wrong passphrase WHEN parsed THEN the error names the secret and contains neither key nor passphrase', () => {
    const json = JSON.stringify({ privateKey: encrypted.privateKey, passphrase: 'wrong-passphrase' });
    const error = (() => {
      try {
        parsePrivateKeySecret(json, ARN);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(error.message).toMatch(/the private key cannot be read with the given passphrase/);
    expect(error.message).not.toContain('wrong-passphrase');
    expect(error.message).not.toContain('PRIVATE KEY');
    const cause = error.cause as Error;
    expect(typeof cause.message).toBe('string'); // crypto's error (another realm under Jest: no instanceof)
    expect(cause.message).toMatch(/decrypt|bad|passphrase|unsupported/i);
    expect(`${cause.message}\n${cause.stack}`).not.toContain('wrong-passphrase');
  });

  test('GIVEN a message with a PEM block and a secret value WHEN redacted THEN both are removed', () => {
    const pem = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    expect(redact(`bad ${pem} with pass hunter22`, ['hunter22'])).toBe('bad [redacted key]\n with pass [redacted]');
  });

  test('GIVEN a caught error mentioning a secret WHEN kept as cause THEN the same error, its message and stack redacted', () => {
    const original = new Error('login failed with pass hunter22');
    const cause = redactedCause(original, ['hunter22']) as Error;
    expect(cause).toBe(original);
    expect(cause.message).toBe('login failed with pass [redacted]');
    expect(cause.stack).not.toContain('hunter22');
    expect(cause.stack).toContain('login failed with pass [redacted]');
  });
});

describe('transient errors', () => {
  test.each([
    [{ code: '401001', message: 'Network error. Could not reach Snowflake.' }, true],
    [{ message: 'connect ECONNREFUSED 127.0.0.1:1' }, true],
    [{ code: '000603', sqlState: '08001', message: 'connection' }, true],
    [{ code: '002003', sqlState: '02000', message: 'does not exist' }, false],
    [{ code: '390144', message: 'JWT token is invalid.' }, false],
  ])('isTransient(%j) = %s', (error, expected) => expect(isTransient(error)).toBe(expected));

  test('GIVEN an unreachable Snowflake WHEN connecting THEN bounded attempts, then a connection error naming the URL and secret', async () => {
    const started = Date.now();
    const error = await openSession(
      {
        account: 'ORG-ACCT',
        user: 'U',
        role: 'R',
        warehouse: 'W',
        privateKeySecretArn: ARN,
        accessUrl: 'http://127.0.0.1:9',
      },
      { attempts: 2, baseDelayMs: 10, loginRetries: 0, readKey: async () => ({ privateKey: keyPair().privateKey }) },
    ).catch((e: Error) => e);
    expect((error as Error).name).toBe('SnowflakeConnectionError');
    expect((error as Error).message).toMatch(
      /cannot log in to Snowflake http:\/\/127\.0\.0\.1:9 as U with the key from arn:aws:secretsmanager:/,
    );
    expect(((error as Error).cause as Error).message).toMatch(/ECONNREFUSED|Network error|connect/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('GIVEN no AWS_REGION in the environment (npm run plan -- --live on a workstation)', () => {
  test('WHEN the key is read THEN the region comes from the secret ARN (no "Region is missing")', async () => {
    const server = new SecretsManagerTestServer();
    const saved = { region: process.env.AWS_REGION, def: process.env.AWS_DEFAULT_REGION };
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await server.start();
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const arn = 'arn:aws:secretsmanager:ap-southeast-2:111111111111:secret:snowflake/plan-AbCdEf';
    const { privateKey } = keyPair();
    server.put(arn, privateKey);
    clearPrivateKeyCache();
    try {
      expect(secretRegion(arn)).toBe('ap-southeast-2');
      expect((await readPrivateKey(arn)).privateKey).toBe(privateKey.trim());
    } finally {
      if (saved.region !== undefined) process.env.AWS_REGION = saved.region;
      if (saved.def !== undefined) process.env.AWS_DEFAULT_REGION = saved.def;
      clearPrivateKeyCache();
      await server.stop();
    }
  });
});
