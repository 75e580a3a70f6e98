/**
 * Key pairs of service users (the engine's `install-key-pair` step): RSA 2048, the public key as
 * Snowflake's RSA_PUBLIC_KEY wants it (base64 DER SubjectPublicKeyInfo, no PEM lines) with its
 * fingerprint (`SHA256:<base64>`, as DESC USER's RSA_PUBLIC_KEY_FP), the private key as unencrypted
 * PKCS#8 PEM (the form the connection module reads from the secret).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';

/** Where a generated private key goes (the provisioner: Secrets Manager PutSecretValue). */
export interface PrivateKeyStore {
  /** Stores `privateKeyPem` as the secret's current value. Must not log it. */
  put(secretArn: string, privateKeyPem: string): Promise<void>;
}

export interface GeneratedKeyPair {
  /** Base64 DER SPKI: the value of RSA_PUBLIC_KEY. */
  readonly publicKey: string;
  /** `SHA256:<base64 of the DER's SHA-256>`. */
  readonly fingerprint: string;
  readonly privateKeyPem: string;
}

export function generateServiceKeyPair(): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    publicKey: der.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
