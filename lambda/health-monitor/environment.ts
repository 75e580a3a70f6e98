/**
 * The health monitor's environment, read once at init. Names live here until they move to
 * lambda/shared/constants.ts (shared with the construct that sets them).
 */
import type { ConnectionSettings } from '../shared/snowflake/connection';
import { schemaNames, type SchemaNames } from '../../snowflake/names';
import { IDENTIFIER_PATTERN } from '../../lib/config';

export const HEALTH_MONITOR_ENV = {
  /** JSON ConnectionSettings: account, user, role, warehouse, privateKeySecretArn, host?, accessUrl?. */
  connection: 'SNOWFLAKE_CONNECTION',
  /** JSON `{ "database": "INGEST", "raw"?: "RAW", "core"?: "CORE" }`. */
  schemas: 'SNOWFLAKE_SCHEMAS',
  /** Comma-separated dataset names. */
  datasets: 'HEALTH_MONITOR_DATASETS',
  /** Look-back of the history checks in minutes (the schedule period). @default 5 */
  windowMinutes: 'HEALTH_MONITOR_WINDOW_MINUTES',
} as const;

export const HEALTH_MONITOR_SERVICE = 'health-monitor';

/** A missing or malformed variable; the message names it. */
export class HealthMonitorConfigError extends Error {
  override readonly name = 'HealthMonitorConfigError';
}

export interface HealthMonitorConfig {
  readonly connection: ConnectionSettings;
  readonly schemas: SchemaNames;
  readonly datasets: readonly string[];
  readonly windowMinutes: number;
  readonly environmentName: string;
}

function json(env: NodeJS.ProcessEnv, name: string): Record<string, unknown> {
  const raw = env[name];
  if (!raw) throw new HealthMonitorConfigError(`${name} is not set`);
  try {
    const value = JSON.parse(raw) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (cause) {
    const error = new HealthMonitorConfigError(`${name} is not a JSON object: ${(cause as Error).message}`);
    error.cause = cause;
    throw error;
  }
}

export function readHealthMonitorConfig(env: NodeJS.ProcessEnv = process.env): HealthMonitorConfig {
  const c = json(env, HEALTH_MONITOR_ENV.connection);
  for (const key of ['account', 'user', 'role', 'warehouse', 'privateKeySecretArn']) {
    if (typeof c[key] !== 'string' || !c[key]) {
      throw new HealthMonitorConfigError(`${HEALTH_MONITOR_ENV.connection}.${key} must be a non-empty string`);
    }
  }
  const s = json(env, HEALTH_MONITOR_ENV.schemas);
  if (typeof s.database !== 'string') {
    throw new HealthMonitorConfigError(`${HEALTH_MONITOR_ENV.schemas}.database must be a string`);
  }
  let schemas: SchemaNames;
  try {
    schemas = schemaNames(s.database, {
      raw: typeof s.raw === 'string' ? s.raw : undefined,
      core: typeof s.core === 'string' ? s.core : undefined,
    });
  } catch (cause) {
    const error = new HealthMonitorConfigError(`${HEALTH_MONITOR_ENV.schemas}: ${(cause as Error).message}`);
    error.cause = cause;
    throw error;
  }
  const datasets = (env[HEALTH_MONITOR_ENV.datasets] ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  if (datasets.length === 0) throw new HealthMonitorConfigError(`${HEALTH_MONITOR_ENV.datasets} lists no dataset`);
  const bad = datasets.find((d) => !IDENTIFIER_PATTERN.test(d));
  if (bad) throw new HealthMonitorConfigError(`${HEALTH_MONITOR_ENV.datasets}: "${bad}" is not a dataset name`);
  const windowText = env[HEALTH_MONITOR_ENV.windowMinutes] ?? '5';
  const windowMinutes = Number(windowText);
  if (!/^\d+$/.test(windowText) || windowMinutes < 1 || windowMinutes > 10_080) {
    throw new HealthMonitorConfigError(`${HEALTH_MONITOR_ENV.windowMinutes} "${windowText}" must be 1..10080`);
  }
  return {
    connection: c as unknown as ConnectionSettings,
    schemas,
    datasets,
    windowMinutes,
    environmentName: env.PIPELINE_ENVIRONMENT || 'local',
  };
}
