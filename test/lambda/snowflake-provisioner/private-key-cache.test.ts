/**
 * readPrivateKey through Powertools Parameters' SecretsProvider, with the real Secrets Manager client against
 * the local server (AWS_ENDPOINT_URL_SECRETS_MANAGER): what a warm function re-reads, and when.
 */
import { PrivateKeySecretError } from '../../../lambda/shared/snowflake/errors';
import {
  clearPrivateKeyCache,
  PRIVATE_KEY_CACHE_SECONDS,
  readPrivateKey,
  secretsProviderFor,
} from '../../../lambda/shared/snowflake/private-key';
import { secretsManagerKeyStore } from '../../../lambda/snowflake-provisioner/key-store';
import { SecretsManagerTestServer } from '../../support/secrets-manager-server';
import { keyPair } from './harness';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/cache-AbCdEf';
const server = new SecretsManagerTestServer();
const saved = { ...process.env };
const first = keyPair().privateKey;
const second = keyPair().privateKey;

beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await server.start();
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(async () => {
  clearPrivateKeyCache();
  await server.stop();
  process.env = saved;
});

beforeEach(() => {
  clearPrivateKeyCache();
  server.requests.length = 0;
  server.put(ARN, first);
});

afterEach(() => jest.restoreAllMocks());

describe('GIVEN a warm function that has read the key', () => {
  test('WHEN it reads again within the cache age THEN no request; after it THEN the secret is read again', async () => {
    expect((await readPrivateKey(ARN)).privateKey).toBe(first.trim());
    server.put(ARN, second);
    expect((await readPrivateKey(ARN)).privateKey).toBe(first.trim());
    expect(server.requests).toEqual([ARN]);

    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + (PRIVATE_KEY_CACHE_SECONDS + 1) * 1000);
    expect((await readPrivateKey(ARN)).privateKey).toBe(second.trim());
    expect(server.requests).toEqual([ARN, ARN]);
  });

  test('WHEN it reads with forceFetch (Snowflake refused the cached key) THEN the secret is read again and cached', async () => {
    await readPrivateKey(ARN);
    server.put(ARN, second);
    expect((await readPrivateKey(ARN, { forceFetch: true })).privateKey).toBe(second.trim());
    expect((await readPrivateKey(ARN)).privateKey).toBe(second.trim());
    expect(server.requests).toEqual([ARN, ARN]);
  });
});

describe('GIVEN a secret that is not a usable key', () => {
  test('WHEN it is fixed after a failed read THEN the next read sees the fix (a bad value is not reused from cache)', async () => {
    server.put(ARN, 'not a key');
    await expect(readPrivateKey(ARN)).rejects.toThrow(`secret ${ARN} does not hold a PEM private key`);
    server.put(ARN, second);
    expect((await readPrivateKey(ARN)).privateKey).toBe(second.trim());
    expect(server.requests).toEqual([ARN, ARN]);
  });

  test('WHEN the secret is empty THEN PrivateKeySecretError naming it', async () => {
    server.put(ARN, '');
    await expect(readPrivateKey(ARN)).rejects.toThrow(new PrivateKeySecretError(`secret ${ARN} is empty`));
  });

  test('WHEN the secret does not exist THEN the error names it and the AWS error, which it keeps as cause', async () => {
    const missing = `${ARN}-missing`;
    const error = (await readPrivateKey(missing).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PrivateKeySecretError);
    expect(error.message).toBe(
      `cannot read secret ${missing}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });
});

describe('GIVEN secrets in two regions', () => {
  test('WHEN read and written THEN one client per region, shared by the reader and the key store', async () => {
    const other = 'arn:aws:secretsmanager:us-east-2:111111111111:secret:snowflake/other-AbCdEf';
    server.put(other, first);
    const west = secretsProviderFor(ARN);
    expect(secretsProviderFor(`${ARN}-2`)).toBe(west);
    expect(secretsProviderFor(other)).not.toBe(west);
    expect(await west.client.config.region()).toBe('eu-west-1');
    expect(await secretsProviderFor(other).client.config.region()).toBe('us-east-2');

    const send = jest.spyOn(secretsProviderFor(other).client, 'send');
    await secretsManagerKeyStore.put(other, second);
    expect(send).toHaveBeenCalledTimes(1);
    expect(server.get(other)).toBe(second);
    expect((await readPrivateKey(other)).privateKey).toBe(second.trim());
  });
});
