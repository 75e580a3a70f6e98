/**
 * The health monitor's environment, read once at init. The variable names live in
 * contracts/constants.ts, shared with the construct that sets them.
 */
import { DEFAULT_HEALTH_CHECK_MINUTES, DEFAULT_LEDGER_GRACE_MINUTES } from '../../contracts/defaults';
import { HEALTH_MONITOR_ENV, HEALTH_MONITOR_SERVICE } from '../../contracts/constants';
import {
  configErrorFactory,
  readInteger,
  readOptionalDatasetList,
  readScheduledFunctionSettings,
  type ScheduledFunctionSettings,
} from '../shared/snowflake-function-env';

/** Variable and service names: contracts/constants.ts (shared with lib/monitoring/health-monitor.ts). */
export { HEALTH_MONITOR_ENV, HEALTH_MONITOR_SERVICE };

/** A missing or malformed variable; the message names it. */
export class HealthMonitorConfigError extends Error {
  override readonly name = 'HealthMonitorConfigError';
}

export interface HealthMonitorConfig extends ScheduledFunctionSettings {
  /** Datasets without a pipe of their own (split targets): their pipe and load checks are skipped. */
  readonly splitTargets: readonly string[];
  readonly windowMinutes: number;
  /** Minutes after upload a file must be accounted for in OPS.FILE_LEDGER. @default DEFAULT_LEDGER_GRACE_MINUTES */
  readonly ledgerGraceMinutes: number;
}

const configError = configErrorFactory(HealthMonitorConfigError);

export function readHealthMonitorConfig(env: NodeJS.ProcessEnv = process.env): HealthMonitorConfig {
  return {
    ...readScheduledFunctionSettings(env, HEALTH_MONITOR_ENV, configError),
    splitTargets: readOptionalDatasetList(env, HEALTH_MONITOR_ENV.splitTargets, configError),
    windowMinutes: readInteger(
      env,
      HEALTH_MONITOR_ENV.windowMinutes,
      { min: 1, max: 10_080, fallback: DEFAULT_HEALTH_CHECK_MINUTES },
      configError,
    ),
    ledgerGraceMinutes: readInteger(
      env,
      HEALTH_MONITOR_ENV.ledgerGraceMinutes,
      { min: 1, max: 10_080, fallback: DEFAULT_LEDGER_GRACE_MINUTES },
      configError,
    ),
  };
}
