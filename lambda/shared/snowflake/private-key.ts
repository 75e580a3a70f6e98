/**
 * Reads the key-pair private key from Secrets Manager. The secret holds either the PEM text itself
 * or JSON `{"privateKey": "<PEM>", "passphrase": "<optional>"}` (an encrypted PKCS#8 key). The key
 * is validated here so a bad secret fails with a clear message — which never contains the key.
 */
import { createPrivateKey } from 'crypto';
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import { PrivateKeySecretError, redact, redactedCause } from './errors';

export interface PrivateKey {
  /** PEM text (possibly encrypted). */
  readonly privateKey: string;
  readonly passphrase?: string;
}

/** One client per region (the secret's region comes from its ARN). */
const clients = new Map<string, SecretsManager.SecretsManagerClient>();

/**
 * The region of a Secrets Manager ARN (`arn:aws:secretsmanager:<region>:…`), so a caller without
 * AWS_REGION (e.g. `npm run plan -- --live`) and a secret in another region both work.
 */
export function secretRegion(secretArn: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretArn)?.[1];
}
const cache = new Map<string, { key: PrivateKey; expires: number }>();

/** How long a read key is reused by a warm function. */
export const PRIVATE_KEY_CACHE_MS = 5 * 60_000;

/** Parses and validates a secret string. */
export function parsePrivateKeySecret(secretString: string, secretArn: string): PrivateKey {
  let key: PrivateKey;
  const text = secretString.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PrivateKeySecretError(`secret ${secretArn} is neither a PEM private key nor valid JSON`);
    }
    const obj = parsed as { privateKey?: unknown; passphrase?: unknown };
    if (typeof obj.privateKey !== 'string')
      throw new PrivateKeySecretError(`secret ${secretArn}: JSON must have a string "privateKey" (PEM)`);
    if (obj.passphrase !== undefined && typeof obj.passphrase !== 'string')
      throw new PrivateKeySecretError(`secret ${secretArn}: "passphrase" must be a string`);
    key = { privateKey: obj.privateKey, passphrase: obj.passphrase || undefined };
  } else {
    key = { privateKey: text };
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.privateKey))
    throw new PrivateKeySecretError(
      `secret ${secretArn} does not hold a PEM private key (-----BEGIN … PRIVATE KEY-----)`,
    );
  try {
    createPrivateKey({ key: key.privateKey, format: 'pem', passphrase: key.passphrase });
  } catch (error) {
    const reason = redact((error as Error).message, [key.passphrase]);
    throw new PrivateKeySecretError(
      `secret ${secretArn}: the private key cannot be read${key.passphrase ? ' with the given passphrase' : ''} (${reason})`,
      { cause: redactedCause(error, [key.passphrase]) },
    );
  }
  return key;
}

/** Reads (and caches for {@link PRIVATE_KEY_CACHE_MS}) the private key held by `secretArn`. */
export async function readPrivateKey(secretArn: string): Promise<PrivateKey> {
  const hit = cache.get(secretArn);
  if (hit && hit.expires > Date.now()) return hit.key;
  // Loaded on first use, like the driver (see loadDriver in connection.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sm = require('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
  const region = secretRegion(secretArn);
  const key = region ?? '';
  let client = clients.get(key);
  if (!client) {
    client = new sm.SecretsManagerClient(region ? { region } : {});
    clients.set(key, client);
  }
  let secretString: string | undefined;
  try {
    const out = await client.send(new sm.GetSecretValueCommand({ SecretId: secretArn }));
    secretString = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
  } catch (error) {
    throw new PrivateKeySecretError(
      `cannot read secret ${secretArn}: ${(error as Error).name}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!secretString) throw new PrivateKeySecretError(`secret ${secretArn} is empty`);
  const parsed = parsePrivateKeySecret(secretString, secretArn);
  cache.set(secretArn, { key: parsed, expires: Date.now() + PRIVATE_KEY_CACHE_MS });
  return parsed;
}

/** Forgets the cached key of `secretArn` (its user's key was rotated). */
export function forgetPrivateKey(secretArn: string): void {
  cache.delete(secretArn);
}

/** Forgets cached keys (tests; key rotation). */
export function clearPrivateKeyCache(): void {
  cache.clear();
  clients.clear();
}
