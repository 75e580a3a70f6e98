import type { SnowflakeSpec } from '../config';

/** How the provisioner reaches Snowflake. Never holds key material: only the secret's ARN. */
export interface SnowflakeConnection {
  /** Account identifier `<org>-<account>` (or a locator). */
  readonly account: string;
  readonly user: string;
  /** Role the provisioner uses (needs CREATE INTEGRATION for the storage integration). */
  readonly role: string;
  readonly warehouse: string;
  /** Secrets Manager secret holding the PEM private key, or JSON `{privateKey, passphrase}`. */
  readonly privateKeySecretArn: string;
  /** Host override (PrivateLink). @default `<account>.snowflakecomputing.com` */
  readonly host?: string;
  /** URL override, for local test servers only. @default https://<host> */
  readonly accessUrl?: string;
}

/** The connection of an environment's `snowflake` config block. */
export function connectionFromConfig(spec: SnowflakeSpec, accessUrl?: string): SnowflakeConnection {
  return {
    account: spec.account,
    user: spec.user,
    role: spec.role,
    warehouse: spec.warehouse,
    privateKeySecretArn: spec.privateKeySecretArn,
    ...(spec.host ? { host: spec.host } : {}),
    ...(accessUrl ? { accessUrl } : {}),
  };
}
