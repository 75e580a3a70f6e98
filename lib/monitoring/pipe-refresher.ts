import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { AlarmWithAnnotation } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { PIPE_REFRESHER_ENV, PIPE_REFRESHER_METRICS, PIPE_REFRESHER_SERVICE } from '../../contracts/constants';
import { DEFAULT_REFRESH_LOOKBACK_DAYS, MAX_REFRESH_LOOKBACK_DAYS } from '../../contracts/defaults';
import type { PipelineFunction } from '../functions/pipeline-function';
import { MonitoringPropsError } from './alarm-topic';
import type { PipelineMonitoring } from './pipeline-monitoring';
import { PIPE_REFRESHER_RUNBOOK_ANCHORS } from './runbook';
import {
  addScheduledSnowflakeFunction,
  checkDatasetNames,
  scheduledFunctionMetric,
  type ScheduledSnowflakeConnection,
} from './scheduled-snowflake-function';

/** Snowflake's REFRESH only sees files staged in the last 7 days (contracts/defaults.ts). */
export { MAX_REFRESH_LOOKBACK_DAYS };

export interface PipeRefresherProps {
  readonly environmentName: string;
  /**
   * Snowflake user, role (needs OPERATE on each pipe and USAGE on its database, schema and stage),
   * warehouse and key secret (read access is granted to the function).
   */
  readonly connection: ScheduledSnowflakeConnection;
  /** Database and schema names. @default raw RAW */
  readonly schemas: { readonly database: string; readonly raw?: string };
  /** Datasets whose pipes are refreshed. */
  readonly datasets: readonly string[];
  /** Where the alarms go (same topic and dashboard as the pipeline's). */
  readonly monitoring: PipelineMonitoring;
  /** Run period, 5 minutes to 12 hours in whole minutes. @default Duration.hours(1) */
  readonly schedule?: Duration;
  /**
   * UTC date prefixes refreshed per run, today included (2 = today and yesterday), 1 to 7 (Snowflake's
   * REFRESH window); must cover more than one schedule period. @default DEFAULT_REFRESH_LOOKBACK_DAYS (2)
   */
  readonly lookbackDays?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the function's log group. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The missed-notification safety net: a scheduled function (lambda/pipe-refresher) that runs
 * `ALTER PIPE … REFRESH PREFIX = '<YYYY-MM-DD>/'` for each dataset's pipe over the recent date
 * prefixes, publishes the files it queued and the failures, and alarms (on the pipeline's alarm
 * topic) when refreshes fail, the function fails or stops running, or notifications keep going missing.
 */
export class PipeRefresher extends Construct {
  readonly function: PipelineFunction;
  readonly rule: events.Rule;
  readonly alarms: AlarmWithAnnotation[];

  constructor(scope: Construct, id: string, props: PipeRefresherProps) {
    super(scope, id);
    const schedule = props.schedule ?? Duration.hours(1);
    const lookbackDays = props.lookbackDays ?? DEFAULT_REFRESH_LOOKBACK_DAYS;
    const minutes = schedule.toMinutes({ integral: false });
    const fail = (message: string) => {
      throw new MonitoringPropsError(`PipeRefresher: ${message}`);
    };
    checkDatasetNames('PipeRefresher', props.datasets, { allowTokens: true });
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 720)
      fail(`schedule must be a whole number of minutes from 5 to 720 (12 hours), got ${schedule.toHumanString()}`);
    if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > MAX_REFRESH_LOOKBACK_DAYS)
      fail(
        `lookbackDays must be an integer from 1 to ${MAX_REFRESH_LOOKBACK_DAYS} (Snowflake's REFRESH window), got ${lookbackDays}`,
      );
    if (lookbackDays === 1 && minutes > 60)
      fail(
        'lookbackDays 1 (today only) needs a schedule of at most 1 hour: files staged late in the day under ' +
          "yesterday's prefix would otherwise never be refreshed",
      );

    ({ function: this.function, rule: this.rule } = addScheduledSnowflakeFunction(this, {
      functionFolder: 'pipe-refresher',
      serviceName: PIPE_REFRESHER_SERVICE,
      environmentName: props.environmentName,
      connection: props.connection,
      schemas: props.schemas,
      environment: {
        [PIPE_REFRESHER_ENV.datasets]: props.datasets.join(','),
        [PIPE_REFRESHER_ENV.lookbackDays]: String(lookbackDays),
      },
      timeout: Duration.minutes(5),
      description: `Refreshes each pipe over the recent date prefixes: loads files whose S3 notification was lost (${props.environmentName})`,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      schedule,
      ruleDescription: `Snowpipe missed-notification safety net (${props.environmentName})`,
      // The next run is the retry, and a REFRESH is idempotent anyway.
      maxEventAge: Duration.minutes(5),
    }));

    const metric = scheduledFunctionMetric(PIPE_REFRESHER_SERVICE, props.environmentName, schedule);
    const GT = cw.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const every = schedule.toHumanString();
    this.alarms = props.monitoring.addMetricAlarms({
      title: 'Snowpipe refresh (missed-notification safety net)',
      alarms: [
        {
          name: 'PipeRefreshFailures',
          metric: metric(PIPE_REFRESHER_METRICS.failures, 'Sum'),
          threshold: 0,
          comparisonOperator: GT,
          description:
            'ALTER PIPE … REFRESH failed for at least one dataset: files whose S3 notification was lost are not ' +
            'being recovered (missing privilege, pipe or stage, or a Snowflake error).',
          runbookAnchor: PIPE_REFRESHER_RUNBOOK_ANCHORS.failures,
        },
        {
          name: 'PipeRefresherErrors',
          metric: this.function.metricErrors({ period: schedule, statistic: cw.Stats.SUM }),
          threshold: 0,
          comparisonOperator: GT,
          description:
            'The pipe refresher function failed (login, key, network or configuration problem): no pipe was refreshed.',
          runbookAnchor: PIPE_REFRESHER_RUNBOOK_ANCHORS.errors,
        },
        {
          name: 'PipeRefresherHeartbeat',
          metric: metric(PIPE_REFRESHER_METRICS.runs, 'Sum'),
          threshold: 1,
          comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.BREACHING,
          datapointsToAlarm: 2,
          description: `The pipe refresher has not completed a run in two periods of ${every}: the missed-notification safety net is off.`,
          runbookAnchor: PIPE_REFRESHER_RUNBOOK_ANCHORS.heartbeat,
        },
        {
          name: 'PipeRefreshQueuedFiles',
          metric: metric(PIPE_REFRESHER_METRICS.filesQueued, 'Sum'),
          threshold: 0,
          comparisonOperator: GT,
          datapointsToAlarm: 2,
          description:
            `The pipe refresher had to queue files in two consecutive runs (${every} apart): S3 notifications are ` +
            'not reaching Snowpipe (bucket notification or pipe channel broken); loads now lag by up to the schedule.',
          runbookAnchor: PIPE_REFRESHER_RUNBOOK_ANCHORS.queuedFiles,
        },
      ],
    });
  }
}
