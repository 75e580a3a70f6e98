/**
 * Reads the key-pair private key from Secrets Manager. The secret holds either the PEM text itself
 * or JSON `{"privateKey": "<PEM>", "passphrase": "<optional>"}` (an encrypted PKCS#8 key). The key
 * is validated here so a bad secret fails with a clear message — which never contains the key.
 */
import { createPrivateKey } from 'crypto';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { PrivateKeySecretError, redact, redactedCause } from './errors';

export interface PrivateKey {
  /** PEM text (possibly encrypted). */
  readonly privateKey: string;
  readonly passphrase?: string;
}

/**
 * The region of a Secrets Manager ARN (`arn:aws:secretsmanager:<region>:…`), so a caller without
 * AWS_REGION (e.g. `npm run plan -- --live`) and a secret in another region both work.
 */
export function secretRegion(secretArn: string): string | undefined {
  return /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretArn)?.[1];
}

/** How long a warm function reuses a secret it read (Powertools Parameters `maxAge`, in seconds). */
export const PRIVATE_KEY_CACHE_SECONDS = 5 * 60;

/** One Powertools Parameters provider (its cache and its Secrets Manager client) per region. */
const providers = new Map<string, SecretsProvider>();

/**
 * The provider for the region of `secretArn` (the default region when the ARN names none). Its `client`
 * also writes secrets (the provisioner's key store), so each region has exactly one client. Secrets
 * Manager is loaded on first use, like the driver: the parser never loads it, and a provisioner request
 * that needs no session never pays for it. The client takes its endpoint from the SDK's standard
 * variables (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL`).
 */
export function secretsProviderFor(secretArn: string): SecretsProvider {
  const region = secretRegion(secretArn) ?? '';
  let provider = providers.get(region);
  if (!provider) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parameters = require('@aws-lambda-powertools/parameters/secrets') as {
      SecretsProvider: typeof SecretsProvider;
    };
    provider = new parameters.SecretsProvider(region ? { clientConfig: { region } } : {});
    providers.set(region, provider);
  }
  return provider;
}

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

/** Secrets whose next read must skip the cache: the value read was not a usable key (it may be fixed by now). */
const refetch = new Set<string>();

/**
 * Reads the private key held by `secretArn`. A warm function reuses the secret for
 * {@link PRIVATE_KEY_CACHE_SECONDS} (Powertools Parameters' cache); `forceFetch` reads it again (its
 * user's key was rotated), and so does the read after a value that was not a valid key.
 */
export async function readPrivateKey(secretArn: string, options: { forceFetch?: boolean } = {}): Promise<PrivateKey> {
  const forceFetch = refetch.delete(secretArn) || options.forceFetch === true;
  let value: string | Uint8Array | undefined;
  try {
    value = await secretsProviderFor(secretArn).get(secretArn, { maxAge: PRIVATE_KEY_CACHE_SECONDS, forceFetch });
  } catch (error) {
    // Powertools wraps the SDK's error in a GetParameterError: name and keep the SDK's own.
    const sdkError = ((error as Error).cause ?? error) as Error;
    throw new PrivateKeySecretError(`cannot read secret ${secretArn}: ${sdkError.name}: ${sdkError.message}`, {
      cause: sdkError,
    });
  }
  const secretString = typeof value === 'string' ? value : value ? Buffer.from(value).toString('utf8') : undefined;
  try {
    if (!secretString) throw new PrivateKeySecretError(`secret ${secretArn} is empty`);
    return parsePrivateKeySecret(secretString, secretArn);
  } catch (error) {
    refetch.add(secretArn); // a fixed secret is read on the next attempt, not after the cache expires
    throw error;
  }
}

/** Forgets cached secrets and clients (tests). */
export function clearPrivateKeyCache(): void {
  providers.clear();
  refetch.clear();
}
