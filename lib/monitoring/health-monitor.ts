import { Duration, Token, type RemovalPolicy } from 'aws-cdk-lib';
import { DEFAULT_HEALTH_CHECK_MINUTES, DEFAULT_LEDGER_GRACE_MINUTES } from '../../contracts/defaults';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  HEALTH_METRICS,
  HEALTH_MONITOR_ENV,
  HEALTH_MONITOR_SERVICE,
  LEDGER_HEALTH_METRICS,
  MONITOR_RUNS_METRIC,
} from '../../contracts/constants';
import type { PipelineFunction } from '../functions/pipeline-function';
import { MonitoringPropsError } from './alarm-topic';
import type { PipelineMetricAlarm, PipelineMonitoring } from './pipeline-monitoring';
import { HEALTH_RUNBOOK_ANCHORS } from './runbook';
import {
  addScheduledSnowflakeFunction,
  checkDatasetNames,
  scheduledFunctionMetric,
  type ScheduledSnowflakeConnection,
} from './scheduled-snowflake-function';

/**
 * The monitor's Snowflake sign-in: a user with key-pair auth and a role that may monitor the pipes,
 * tasks and streams, and a warehouse for the history and stream queries.
 */
export type HealthMonitorConnection = ScheduledSnowflakeConnection;

export interface HealthMonitorProps {
  readonly environmentName: string;
  readonly connection: HealthMonitorConnection;
  /** Database and schema names. @default raw RAW, core CORE, ops OPS */
  readonly schemas: {
    readonly database: string;
    readonly raw?: string;
    readonly core?: string;
    readonly ops?: string;
  };
  /** Datasets to watch. */
  readonly datasets: readonly string[];
  /**
   * Those of `datasets` loaded through their split dataset's pipe and bronze table (split targets, no pipe of
   * their own): no pipe or load checks and no PipeNotRunning / PipeBacklog / LoadErrors alarms for them (the
   * split dataset's cover their files). @default none
   */
  readonly splitTargets?: readonly string[];
  /** Where the alarms go (same topic and dashboard as the pipeline's). */
  readonly monitoring: PipelineMonitoring;
  /** Run period; also the look-back of the load-error and task-failure checks. @default Duration.minutes(DEFAULT_HEALTH_CHECK_MINUTES) (15) */
  readonly schedule?: Duration;
  /** Minutes a row may wait for the MERGE (or a file in the pipe) before the freshness alarms. @default monitoring.freshnessMinutes */
  readonly freshnessMinutes?: number;
  /** Hours before a stream goes stale that the "stale soon" alarm fires. @default 48 */
  readonly streamStaleWarningHours?: number;
  /**
   * Minutes after an upload's event time (RECEIVED_AT) by which its file must be ACCOUNTED in OPS.FILE_LEDGER
   * before the UnaccountedFiles alarm counts it (parsing, both pipes, the MERGE task and its schedule).
   * @default DEFAULT_LEDGER_GRACE_MINUTES (60, contracts/defaults.ts)
   */
  readonly ledgerGraceMinutes?: number;
  /** CAST_FAILED rejects of one dataset per period above which CastFailures-<dataset> alarms. @default 0 */
  readonly castFailureThreshold?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the function's log group. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The Snowflake health monitor: a scheduled function (lambda/health-monitor) that publishes, per
 * dataset, pipe state and backlog, load errors, task failures and state, stream staleness, the
 * MERGE backlog and CAST_FAILED rejects; for the environment, files not accounted for in
 * OPS.FILE_LEDGER after `ledgerGraceMinutes` and the manifests pipe's state; and the alarms on them,
 * on the pipeline's alarm topic.
 */
export class HealthMonitor extends Construct {
  readonly function: PipelineFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: HealthMonitorProps) {
    super(scope, id);
    const schedule = props.schedule ?? Duration.minutes(DEFAULT_HEALTH_CHECK_MINUTES);
    const windowMinutes = schedule.toMinutes({ integral: false });
    const freshnessMinutes = props.freshnessMinutes ?? props.monitoring.freshnessMinutes;
    const staleWarningHours = props.streamStaleWarningHours ?? 48;
    const ledgerGraceMinutes = props.ledgerGraceMinutes ?? DEFAULT_LEDGER_GRACE_MINUTES;
    const splitTargets = new Set(props.splitTargets ?? []);
    for (const target of splitTargets)
      if (!props.datasets.includes(target))
        throw new MonitoringPropsError(`HealthMonitor: splitTargets "${target}" is not one of datasets`);
    const castFailureThreshold = props.castFailureThreshold ?? 0;
    checkDatasetNames('HealthMonitor', props.datasets);
    if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > 60) {
      throw new MonitoringPropsError('HealthMonitor: schedule must be a whole number of minutes from 1 to 60');
    }
    if (freshnessMinutes > 1440) {
      // CloudWatch evaluates at most one day of periods.
      throw new MonitoringPropsError(`HealthMonitor: freshnessMinutes ${freshnessMinutes} must be at most 1440`);
    }
    if (!Number.isInteger(ledgerGraceMinutes) || ledgerGraceMinutes < windowMinutes || ledgerGraceMinutes > 10_080) {
      throw new MonitoringPropsError(
        `HealthMonitor: ledgerGraceMinutes ${ledgerGraceMinutes} must be a whole number of minutes from the schedule (${windowMinutes}) to 10080`,
      );
    }
    if (!Number.isInteger(castFailureThreshold) || castFailureThreshold < 0) {
      throw new MonitoringPropsError(
        `HealthMonitor: castFailureThreshold ${castFailureThreshold} must be a non-negative integer`,
      );
    }
    if (freshnessMinutes < windowMinutes) {
      throw new MonitoringPropsError(
        `HealthMonitor: freshnessMinutes ${freshnessMinutes} must be at least the schedule (${windowMinutes})`,
      );
    }

    ({ function: this.function, rule: this.rule } = addScheduledSnowflakeFunction(this, {
      functionFolder: 'health-monitor',
      serviceName: HEALTH_MONITOR_SERVICE,
      environmentName: props.environmentName,
      connection: props.connection,
      schemas: props.schemas,
      environment: {
        [HEALTH_MONITOR_ENV.datasets]: props.datasets.join(','),
        ...(splitTargets.size > 0 ? { [HEALTH_MONITOR_ENV.splitTargets]: [...splitTargets].join(',') } : {}),
        [HEALTH_MONITOR_ENV.windowMinutes]: String(windowMinutes),
        [HEALTH_MONITOR_ENV.ledgerGraceMinutes]: String(ledgerGraceMinutes),
      },
      timeout: Duration.minutes(Math.min(windowMinutes, 5)),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      schedule,
      ruleDescription: `Snowflake health checks (${props.environmentName})`,
      maxEventAge: Duration.minutes(2),
    }));

    const m = props.monitoring;
    const metric = scheduledFunctionMetric(HEALTH_MONITOR_SERVICE, props.environmentName, schedule);
    const GT = cw.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const freshnessPeriods = Math.ceil(freshnessMinutes / windowMinutes);

    m.addMetricAlarms({
      title: 'Snowflake health monitor',
      alarms: [
        {
          name: 'HealthMonitorHeartbeat',
          metric: metric(MONITOR_RUNS_METRIC, 'Sum'),
          threshold: 1,
          comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.BREACHING,
          datapointsToAlarm: 3,
          description:
            'The Snowflake health monitor has not completed a run for 3 periods: Snowflake-side failures are ' +
            'not being watched (login, key or network problem, or the function is failing).',
          runbookAnchor: HEALTH_RUNBOOK_ANCHORS.heartbeat,
        },
        {
          name: 'UnaccountedFiles',
          metric: metric(LEDGER_HEALTH_METRICS.unaccountedFiles, 'Maximum'),
          threshold: 0,
          comparisonOperator: GT,
          description:
            `Files are not accounted for in OPS.FILE_LEDGER ${ledgerGraceMinutes} minutes after upload: some rows are ` +
            'in none of merged / superseded / rejected / quarantined (or a quarantined file has no report).',
          runbookAnchor: HEALTH_RUNBOOK_ANCHORS.unaccountedFiles,
        },
        {
          name: 'ManifestsPipeNotRunning',
          metric: metric(LEDGER_HEALTH_METRICS.manifestsPipeNotRunning, 'Maximum'),
          threshold: 0,
          comparisonOperator: GT,
          datapointsToAlarm: 2,
          description:
            'OPS.FILE_MANIFESTS_PIPE is not RUNNING in two consecutive checks: no file manifest reaches the ledger, ' +
            'so unaccounted files cannot be detected.',
          runbookAnchor: HEALTH_RUNBOOK_ANCHORS.manifestsPipeNotRunning,
        },
        {
          name: 'LedgerCheckErrors',
          metric: metric(LEDGER_HEALTH_METRICS.ledgerCheckErrors, 'Maximum'),
          threshold: 0,
          comparisonOperator: GT,
          datapointsToAlarm: 2,
          description:
            'The file-ledger checks fail to run (missing object or privilege on OPS.FILE_LEDGER or the manifests pipe): ' +
            'lost files are not watched.',
          runbookAnchor: HEALTH_RUNBOOK_ANCHORS.ledgerCheckErrors,
        },
      ],
    });
    for (const dataset of props.datasets) {
      if (Token.isUnresolved(dataset)) continue;
      const pipeAlarms: PipelineMetricAlarm[] = splitTargets.has(dataset)
        ? []
        : [
            {
              name: `PipeNotRunning-${dataset}`,
              metric: metric(HEALTH_METRICS.pipeNotRunning, 'Maximum', dataset),
              threshold: 0,
              comparisonOperator: GT,
              datapointsToAlarm: 2,
              description: `The ${dataset} pipe is not RUNNING (paused, stalled or stopped) in two consecutive checks: staged files are not loaded.`,
              runbookAnchor: HEALTH_RUNBOOK_ANCHORS.pipeNotRunning,
            },
            {
              name: `PipeBacklog-${dataset}`,
              metric: metric(HEALTH_METRICS.pipePendingFiles, 'Minimum', dataset),
              threshold: 0,
              comparisonOperator: GT,
              datapointsToAlarm: freshnessPeriods,
              description: `Files have waited in the ${dataset} pipe for ${freshnessMinutes} minutes without the queue emptying.`,
              runbookAnchor: HEALTH_RUNBOOK_ANCHORS.pipeBacklog,
            },
            {
              name: `LoadErrors-${dataset}`,
              metric: metric(HEALTH_METRICS.loadFailedFiles, 'Sum', dataset),
              threshold: 0,
              comparisonOperator: GT,
              description: `Snowpipe failed to load (or partially loaded) staged ${dataset} files (COPY_HISTORY).`,
              runbookAnchor: HEALTH_RUNBOOK_ANCHORS.loadErrors,
            },
          ];
      m.addMetricAlarms({
        title: `Snowflake: ${dataset}`,
        alarms: [
          ...pipeAlarms,
          {
            name: `TaskFailures-${dataset}`,
            metric: metric(HEALTH_METRICS.taskFailedRuns, 'Sum', dataset),
            threshold: 0,
            comparisonOperator: GT,
            description: `The ${dataset} MERGE task failed (TASK_HISTORY): new rows are not reaching silver.`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.taskFailures,
          },
          {
            name: `TaskSuspended-${dataset}`,
            metric: metric(HEALTH_METRICS.taskSuspended, 'Maximum', dataset),
            threshold: 0,
            comparisonOperator: GT,
            datapointsToAlarm: 2,
            description: `The ${dataset} MERGE task is suspended in two consecutive checks: silver is not updated.`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.taskSuspended,
          },
          {
            name: `StreamStale-${dataset}`,
            metric: metric(HEALTH_METRICS.streamStale, 'Maximum', dataset),
            threshold: 0,
            comparisonOperator: GT,
            description: `The ${dataset} stream is stale: its offset left the bronze table's retention; changes can be lost.`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.streamStale,
          },
          {
            name: `StreamStaleSoon-${dataset}`,
            metric: metric(HEALTH_METRICS.streamHoursToStale, 'Minimum', dataset),
            threshold: staleWarningHours,
            comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            description: `The ${dataset} stream goes stale in less than ${staleWarningHours} hours unless its task consumes it.`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.streamStale,
          },
          {
            name: `Freshness-${dataset}`,
            metric: metric(HEALTH_METRICS.mergeOldestPendingSeconds, 'Maximum', dataset),
            threshold: freshnessMinutes * 60,
            comparisonOperator: GT,
            description: `A ${dataset} row loaded into bronze has waited more than ${freshnessMinutes} minutes for the MERGE into silver.`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.freshness,
          },
          {
            name: `CheckErrors-${dataset}`,
            metric: metric(HEALTH_METRICS.checkErrors, 'Maximum', dataset),
            threshold: 0,
            comparisonOperator: GT,
            datapointsToAlarm: 2,
            description: `Health checks of ${dataset} fail to run (missing object or privilege): its state is not watched.`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.checkErrors,
          },
          {
            name: `CastFailures-${dataset}`,
            metric: metric(HEALTH_METRICS.castFailures, 'Sum', dataset),
            threshold: castFailureThreshold,
            comparisonOperator: GT,
            description: `More than ${castFailureThreshold} ${dataset} value(s) failed their column's cast in the period (CAST_FAILED rows in CORE.${dataset.toUpperCase()}_REJECTS).`,
            runbookAnchor: HEALTH_RUNBOOK_ANCHORS.castFailures,
          },
        ],
      });
    }
  }
}
