/**
 * IAM Roles Anywhere without static keys: the host proves who it is with an X.509 certificate and its
 * private key, and CreateSession returns temporary credentials for the source's upload role.
 *
 * The request is signed as the Roles Anywhere guide describes: SigV4's canonical request and string to
 * sign, with the algorithm `AWS4-X509-RSA-SHA256` (RSA, PKCS#1 v1.5) or `AWS4-X509-ECDSA-SHA256` (ECDSA,
 * DER signature), the signature made with the certificate's private key (hex), the certificate (base64 DER)
 * in `X-Amz-X509` (and the intermediates in `X-Amz-X509-Chain`), and `Credential=<certificate serial number
 * in decimal>/<date>/<region>/rolesanywhere/aws4_request`.
 */
import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'crypto';
import { DEFAULTS } from './defaults';

export interface RolesAnywhereOptions {
  /** PEM of the end-entity certificate. */
  readonly certificatePem: string;
  /** PEM of its private key (RSA or EC, unencrypted PKCS#8 or traditional). */
  readonly privateKeyPem: string;
  /** PEM of intermediate CA certificates, if the trust anchor is a root. @default none */
  readonly chainPem?: string;
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
  readonly region: string;
  /** @default https://rolesanywhere.<region>.amazonaws.com */
  readonly endpoint?: string;
  /** @default DEFAULTS.sessionDurationSeconds */
  readonly durationSeconds?: number;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** A Roles Anywhere failure: an unreadable certificate or key, or CreateSession refused. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

export function signingAlgorithm(key: KeyObject): 'AWS4-X509-RSA-SHA256' | 'AWS4-X509-ECDSA-SHA256' {
  if (key.asymmetricKeyType === 'rsa') return 'AWS4-X509-RSA-SHA256';
  if (key.asymmetricKeyType === 'ec') return 'AWS4-X509-ECDSA-SHA256';
  throw new CredentialsError(`private key type "${key.asymmetricKeyType}" is not supported (use RSA or EC)`);
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** `2026-12-03T10:20:30.123Z` → `20261203T102030Z` */
export const amzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Builds the signed CreateSession request (POST /sessions). */
export function signCreateSession(options: RolesAnywhereOptions, now: Date = new Date()): SignedRequest {
  let certificate: X509Certificate;
  let key: KeyObject;
  try {
    certificate = new X509Certificate(options.certificatePem);
  } catch (err) {
    throw new CredentialsError(`certificate is not a readable PEM X.509 certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    key = createPrivateKey(options.privateKeyPem);
  } catch (err) {
    throw new CredentialsError(`private key is not a readable unencrypted PEM key: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!certificate.checkPrivateKey(key)) throw new CredentialsError('private key does not belong to the certificate');
  const algorithm = signingAlgorithm(key);
  const endpoint = new URL(options.endpoint ?? `https://rolesanywhere.${options.region}.amazonaws.com`);
  const body = JSON.stringify({
    durationSeconds: options.durationSeconds ?? DEFAULTS.sessionDurationSeconds,
    profileArn: options.profileArn,
    roleArn: options.roleArn,
    trustAnchorArn: options.trustAnchorArn,
  });
  const date = amzDate(now);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: endpoint.host,
    'x-amz-date': date,
    'x-amz-x509': certificate.raw.toString('base64'),
  };
  const chain = pemBlocks(options.chainPem ?? '').map((p) => new X509Certificate(p).raw.toString('base64'));
  if (chain.length > 0) headers['x-amz-x509-chain'] = chain.join(',');
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    'POST',
    '/sessions',
    '',
    names.map((n) => `${n}:${headers[n].trim()}\n`).join(''),
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const scope = `${date.slice(0, 8)}/${options.region}/rolesanywhere/aws4_request`;
  const stringToSign = [algorithm, date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = sign('sha256', Buffer.from(stringToSign), key).toString('hex');
  const serial = BigInt(`0x${certificate.serialNumber}`).toString(10);
  headers.authorization = `${algorithm} Credential=${serial}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { url: new URL('/sessions', endpoint).toString(), headers, body };
}

interface CreateSessionResponse {
  credentialSet?: {
    credentials?: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string; expiration?: string };
  }[];
}

/** Calls CreateSession and returns the temporary credentials. */
export async function createSession(
  options: RolesAnywhereOptions,
  now: Date = new Date(),
): Promise<TemporaryCredentials> {
  const request = signCreateSession(options, now);
  const { host: _host, ...headers } = request.headers;
  let response: Response;
  try {
    response = await fetch(request.url, { method: 'POST', headers, body: request.body });
  } catch (err) {
    throw Object.assign(new CredentialsError(`CreateSession at ${request.url} failed: ${(err as Error).message}`), {
      $retryable: true,
    });
  }
  const text = await response.text();
  if (!response.ok) {
    throw Object.assign(new CredentialsError(`CreateSession answered HTTP ${response.status}: ${text.slice(0, 500)}`), {
      $retryable: response.status >= 500 || response.status === 429,
    });
  }
  const credentials = (JSON.parse(text) as CreateSessionResponse).credentialSet?.[0]?.credentials;
  if (
    !credentials?.accessKeyId ||
    !credentials.secretAccessKey ||
    !credentials.sessionToken ||
    !credentials.expiration
  ) {
    throw new CredentialsError(`CreateSession answered no credentials: ${text.slice(0, 500)}`);
  }
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: new Date(credentials.expiration),
  };
}

/**
 * An AWS SDK credential provider: a session from CreateSession, reused until `refreshBeforeExpiryMs` before
 * it expires (by `clock`), then renewed (one request at a time, signed at the real time).
 */
export function rolesAnywhereProvider(
  options: RolesAnywhereOptions,
  refreshBeforeExpiryMs: number = DEFAULTS.refreshBeforeExpiryMs,
  clock: () => Date = () => new Date(),
): () => Promise<TemporaryCredentials> {
  let current: TemporaryCredentials | undefined;
  let pending: Promise<TemporaryCredentials> | undefined;
  return async () => {
    if (current && current.expiration.getTime() - clock().getTime() > refreshBeforeExpiryMs) return current;
    pending ??= createSession(options).finally(() => (pending = undefined));
    current = await pending;
    return current;
  };
}

/** The `credential_process` output the AWS CLI and SDKs read (Version 1). */
export function credentialProcessOutput(c: TemporaryCredentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: c.expiration.toISOString(),
  });
}
