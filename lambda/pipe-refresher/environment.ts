/**
 * The pipe refresher's environment, read once at init. The variable names live in
 * contracts/constants.ts, shared with the construct that sets them.
 */
import { PIPE_REFRESHER_ENV } from '../../contracts/constants';
import { DEFAULT_REFRESH_LOOKBACK_DAYS, MAX_REFRESH_LOOKBACK_DAYS } from '../../contracts/defaults';
import {
  configErrorFactory,
  readInteger,
  readScheduledFunctionSettings,
  type ScheduledFunctionSettings,
} from '../shared/snowflake-function-env';

/** A missing or malformed variable; the message names it. */
export class PipeRefresherConfigError extends Error {
  override readonly name = 'PipeRefresherConfigError';
}

export interface PipeRefresherConfig extends ScheduledFunctionSettings {
  /** UTC days refreshed per run, today included. */
  readonly lookbackDays: number;
}

const configError = configErrorFactory(PipeRefresherConfigError);

export function readPipeRefresherConfig(env: NodeJS.ProcessEnv = process.env): PipeRefresherConfig {
  return {
    ...readScheduledFunctionSettings(env, PIPE_REFRESHER_ENV, configError),
    lookbackDays: readInteger(
      env,
      PIPE_REFRESHER_ENV.lookbackDays,
      { min: 1, max: MAX_REFRESH_LOOKBACK_DAYS, fallback: DEFAULT_REFRESH_LOOKBACK_DAYS },
      configError,
    ),
  };
}
