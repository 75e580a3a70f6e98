/**
 * Environment readers shared by the scheduled Snowflake functions (health monitor, pipe refresher):
 * the connection, the schema names and the dataset list, each validated with a message naming the
 * variable. Every reader throws the caller's own typed error (`makeError`), so each function keeps
 * its error name (e.g. `HealthMonitorConfigError`).
 */
import { IDENTIFIER_PATTERN } from '../../contracts/config';
import { PIPELINE_ENVIRONMENT_ENV } from '../../contracts/constants';
import { schemaNames, type SchemaNames } from '../../snowflake/names';
import type { ConnectionSettings } from './snowflake/connection';

/** Builds the caller's configuration error. */
export type ConfigErrorFactory = (message: string, cause?: unknown) => Error;

/** The factory for an error class of the function's own (`cause` kept when given). */
export function configErrorFactory(
  ErrorClass: new (message: string, options?: ErrorOptions) => Error,
): ConfigErrorFactory {
  return (message, cause) => new ErrorClass(message, cause === undefined ? undefined : { cause });
}

/** What every scheduled Snowflake function reads, by the names of its own variables. */
export interface ScheduledFunctionSettings {
  readonly connection: ConnectionSettings;
  readonly schemas: SchemaNames;
  readonly datasets: readonly string[];
  /** PIPELINE_ENVIRONMENT, `local` when unset (the metrics' environment dimension). */
  readonly environmentName: string;
}

export function readScheduledFunctionSettings(
  env: NodeJS.ProcessEnv,
  names: { readonly connection: string; readonly schemas: string; readonly datasets: string },
  makeError: ConfigErrorFactory,
): ScheduledFunctionSettings {
  return {
    connection: readConnectionSettings(env, names.connection, makeError),
    schemas: readSchemaNames(env, names.schemas, makeError),
    datasets: readDatasetList(env, names.datasets, makeError),
    environmentName: env[PIPELINE_ENVIRONMENT_ENV] || 'local',
  };
}

/** A variable holding a JSON object. */
export function readJsonObject(
  env: NodeJS.ProcessEnv,
  name: string,
  makeError: ConfigErrorFactory,
): Record<string, unknown> {
  const raw = env[name];
  if (!raw) throw makeError(`${name} is not set`);
  try {
    const value = JSON.parse(raw) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (cause) {
    throw makeError(`${name} is not a JSON object: ${(cause as Error).message}`, cause);
  }
}

/** JSON ConnectionSettings; the required fields must be non-empty strings. */
export function readConnectionSettings(
  env: NodeJS.ProcessEnv,
  name: string,
  makeError: ConfigErrorFactory,
): ConnectionSettings {
  const c = readJsonObject(env, name, makeError);
  for (const key of ['account', 'user', 'role', 'warehouse', 'privateKeySecretArn']) {
    if (typeof c[key] !== 'string' || !c[key]) throw makeError(`${name}.${key} must be a non-empty string`);
  }
  return c as unknown as ConnectionSettings;
}

/** JSON `{ database, raw?, core?, ops? }` → validated schema names. */
export function readSchemaNames(env: NodeJS.ProcessEnv, name: string, makeError: ConfigErrorFactory): SchemaNames {
  const s = readJsonObject(env, name, makeError);
  if (typeof s.database !== 'string') throw makeError(`${name}.database must be a string`);
  try {
    return schemaNames(s.database, {
      raw: typeof s.raw === 'string' ? s.raw : undefined,
      core: typeof s.core === 'string' ? s.core : undefined,
      ops: typeof s.ops === 'string' ? s.ops : undefined,
    });
  } catch (cause) {
    throw makeError(`${name}: ${(cause as Error).message}`, cause);
  }
}

/** Comma-separated dataset names (at least one, each a valid dataset name). */
export function readDatasetList(env: NodeJS.ProcessEnv, name: string, makeError: ConfigErrorFactory): string[] {
  const datasets = (env[name] ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  if (datasets.length === 0) throw makeError(`${name} lists no dataset`);
  const bad = datasets.find((d) => !IDENTIFIER_PATTERN.test(d));
  if (bad) throw makeError(`${name}: "${bad}" is not a dataset name`);
  return datasets;
}

/** Like readDatasetList, but the variable may be unset or empty (no dataset). */
export function readOptionalDatasetList(env: NodeJS.ProcessEnv, name: string, makeError: ConfigErrorFactory): string[] {
  return (env[name] ?? '').trim() === '' ? [] : readDatasetList(env, name, makeError);
}

/** An integer variable within `[min, max]`, or `fallback` when unset. */
export function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  range: { readonly min: number; readonly max: number; readonly fallback: number },
  makeError: ConfigErrorFactory,
): number {
  const text = env[name] ?? String(range.fallback);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max)
    throw makeError(`${name} "${text}" must be ${range.min}..${range.max}`);
  return value;
}
