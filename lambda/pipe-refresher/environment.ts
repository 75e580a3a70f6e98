/**
 * The pipe refresher's environment, read once at init. The variable names live in
 * contracts/constants.ts, shared with the construct that sets them.
 */
import type { SchemaNames } from '../../snowflake/names';
import { PIPELINE_ENVIRONMENT_ENV, PIPE_REFRESHER_ENV } from '../../contracts/constants';
import type { ConnectionSettings } from '../shared/snowflake/connection';
import {
  readConnectionSettings,
  readDatasetList,
  readInteger,
  readSchemaNames,
} from '../shared/snowflake-function-env';

/** Snowflake refreshes files staged in the last 7 days only. */
export const MAX_LOOKBACK_DAYS = 7;
export const DEFAULT_LOOKBACK_DAYS = 2;

/** A missing or malformed variable; the message names it. */
export class PipeRefresherConfigError extends Error {
  override readonly name = 'PipeRefresherConfigError';
}

export interface PipeRefresherConfig {
  readonly connection: ConnectionSettings;
  readonly schemas: SchemaNames;
  readonly datasets: readonly string[];
  /** UTC days refreshed per run, today included. */
  readonly lookbackDays: number;
  readonly environmentName: string;
}

const configError = (message: string, cause?: unknown) => {
  const error = new PipeRefresherConfigError(message);
  if (cause !== undefined) error.cause = cause;
  return error;
};

export function readPipeRefresherConfig(env: NodeJS.ProcessEnv = process.env): PipeRefresherConfig {
  return {
    connection: readConnectionSettings(env, PIPE_REFRESHER_ENV.connection, configError),
    schemas: readSchemaNames(env, PIPE_REFRESHER_ENV.schemas, configError),
    datasets: readDatasetList(env, PIPE_REFRESHER_ENV.datasets, configError),
    lookbackDays: readInteger(
      env,
      PIPE_REFRESHER_ENV.lookbackDays,
      { min: 1, max: MAX_LOOKBACK_DAYS, fallback: DEFAULT_LOOKBACK_DAYS },
      configError,
    ),
    environmentName: env[PIPELINE_ENVIRONMENT_ENV] || 'local',
  };
}
