import type { SnowflakeConnection, SnowflakeSpec } from '../../contracts/config';

/** How the provisioner reaches Snowflake: the one definition in contracts/config.ts. */
export type { SnowflakeConnection } from '../../contracts/config';

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
