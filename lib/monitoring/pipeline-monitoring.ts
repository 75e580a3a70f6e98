import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  type AlarmWithAnnotation,
  type CustomAlarmThreshold,
  DefaultDashboardFactory,
  type IAlarmActionStrategy,
  MonitoringFacade,
  notifySns,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, PARSER_METRICS, PARSER_SERVICE } from '../../contracts/constants';
import { AlarmTopic, MonitoringPropsError } from './alarm-topic';
import { DEFAULT_RUNBOOK_URL, RUNBOOK_ANCHORS } from './runbook';

/** The `alarms` block of an environment in the project config. */
export type { AlarmsSpec } from '../../contracts/config';
import type { AlarmsSpec } from '../../contracts/config';

/** Alarm thresholds; every one has a production default. */
export interface PipelineAlarmThresholds {
  /** Age of the oldest inbound message before the backlog alarm. @default Duration.hours(1) */
  readonly inboundMaxAge?: Duration;
  /**
   * Age of the oldest dead-letter message before the "DLQ ageing" alarm: redrive before the DLQ's
   * retention period removes the events for good. @default Duration.days(3)
   */
  readonly deadLetterMaxAge?: Duration;
  /** Parser p99 duration before the slow-parser alarm (80% of the default 15-minute timeout). @default Duration.minutes(12) */
  readonly parserP99Duration?: Duration;
  /** Rejected rows as a percentage of rows read, per five minutes, before the reject alarm. @default 5 */
  readonly rejectedRowPercent?: number;
}

/** Default of the config's `alarms.freshnessMinutes`. */
export const DEFAULT_FRESHNESS_MINUTES = 60;

/** Defaults of {@link PipelineAlarmThresholds}, applied once in the constructor. */
export const DEFAULT_ALARM_THRESHOLDS = {
  inboundMaxAge: Duration.hours(1),
  deadLetterMaxAge: Duration.days(3),
  parserP99Duration: Duration.minutes(12),
  rejectedRowPercent: 5,
} as const;

export interface PipelineMonitoringProps {
  /** Deployment environment name: the `environment` dimension of the parser's metrics. */
  readonly environmentName: string;
  /** Prefix of alarm and dashboard names, unique per account and region, e.g. `ingest-dev`. */
  readonly namePrefix: string;
  /** The queue of inbound S3 notifications the parser consumes. */
  readonly inboundQueue: sqs.IQueue;
  /** The inbound queue's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The parser function. */
  readonly parserFunction: lambda.IFunction;
  /** Subscriptions of the alarm topic (the environment's `alarms` config). @default no subscriptions */
  readonly alarms?: AlarmsSpec;
  /** Alarm thresholds. @default DEFAULT_ALARM_THRESHOLDS */
  readonly thresholds?: PipelineAlarmThresholds;
  /** Where operators read the runbook; each alarm links `<runbookUrl>#<section>`. @default 'docs/operations.md' */
  readonly runbookUrl?: string;
  /** Key encrypting the alarm topic (must allow cloudwatch.amazonaws.com). @default a new key */
  readonly topicKey?: kms.IKey;
  /** Removal policy of the topic key created here. @default RemovalPolicy.RETAIN */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** One alarm added through {@link PipelineMonitoring.addMetricAlarms}. */
export interface PipelineMetricAlarm {
  /** Short name, unique within the monitoring, part of the alarm name (e.g. `PipeErrors-orders`). */
  readonly name: string;
  /** The metric or metric-math expression alarmed on (its period is the alarm's period). */
  readonly metric: cw.Metric | cw.MathExpression;
  readonly threshold: number;
  readonly comparisonOperator: cw.ComparisonOperator;
  /** What the alarm means, in one or two sentences (the alarm description; the runbook link follows). */
  readonly description: string;
  /** Section anchor in the runbook, e.g. `alarm-pipe-errors`. */
  readonly runbookAnchor: string;
  /** @default cw.TreatMissingData.NOT_BREACHING */
  readonly treatMissingData?: cw.TreatMissingData;
  /** Breaching periods needed to alarm. @default 1 */
  readonly datapointsToAlarm?: number;
  /** Periods considered. @default datapointsToAlarm */
  readonly evaluationPeriods?: number;
}

/** A titled group of alarms on the dashboard. */
export interface PipelineMetricSection {
  /** Dashboard section title, e.g. `Snowflake: orders`. */
  readonly title: string;
  readonly alarms: readonly PipelineMetricAlarm[];
}

/**
 * Alarms, an alarm topic and a dashboard for one environment of the pipeline.
 *
 * Built on cdk-monitoring-constructs (`MonitoringFacade`): SQS monitoring with DLQ for the inbound
 * queue, Lambda monitoring for the parser, custom monitoring (metric math) for the parser's
 * row-level metrics. Every alarm notifies the topic on ALARM and on OK and describes what it means,
 * with a link to its runbook section. Further alarms (the Snowflake health monitor's) join through
 * {@link addMetricAlarms}, so one topic and one dashboard cover the whole pipeline.
 */
export class PipelineMonitoring extends Construct {
  /** The environment's alarm topic. */
  readonly topic: sns.ITopic;
  /** Key encrypting the topic; grant publishers (e.g. a Snowflake notification role) through it. */
  readonly topicKey: kms.IKey;
  /** The facade: further `monitor*` calls land on the same dashboard. */
  readonly facade: MonitoringFacade;
  /** Alarm action (ALARM and OK to the topic), for alarms created outside this construct. */
  readonly alarmAction: IAlarmActionStrategy;
  /** The detail dashboard. */
  readonly dashboard: cw.Dashboard;
  /** Minutes without a new silver row (while files are staged) before the freshness alarm (for the health monitor). */
  readonly freshnessMinutes: number;
  /** The environment's `alarms` config (subscriptions), for further topics subscribed the same way. */
  readonly alarms?: AlarmsSpec;

  private readonly runbookUrl: string;
  private readonly environmentName: string;
  private readonly alarmNames = new Set<string>();

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    validateProps(props);
    this.runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK_URL;
    this.environmentName = props.environmentName;
    this.freshnessMinutes = props.alarms?.freshnessMinutes ?? DEFAULT_FRESHNESS_MINUTES;
    this.alarms = props.alarms;
    const t = {
      inboundMaxAge: props.thresholds?.inboundMaxAge ?? DEFAULT_ALARM_THRESHOLDS.inboundMaxAge,
      deadLetterMaxAge: props.thresholds?.deadLetterMaxAge ?? DEFAULT_ALARM_THRESHOLDS.deadLetterMaxAge,
      parserP99Duration: props.thresholds?.parserP99Duration ?? DEFAULT_ALARM_THRESHOLDS.parserP99Duration,
      rejectedRowPercent: props.thresholds?.rejectedRowPercent ?? DEFAULT_ALARM_THRESHOLDS.rejectedRowPercent,
    };

    const alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      environmentName: props.environmentName,
      emails: props.alarms?.emails,
      httpsEndpoints: props.alarms?.httpsEndpoints,
      encryptionKey: props.topicKey,
      keyRemovalPolicy: props.keyRemovalPolicy,
    });
    this.topic = alarmTopic.topic;
    this.topicKey = alarmTopic.key;
    this.alarmAction = notifySns(this.topic, this.topic);

    const dashboards = new DefaultDashboardFactory(this, 'Dashboards', {
      dashboardNamePrefix: props.namePrefix,
      createDashboard: true,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
      detailDashboardRange: Duration.days(1),
    });
    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.namePrefix,
        actionsEnabled: true,
        action: this.alarmAction,
        datapointsToAlarm: 1,
      },
      metricFactoryDefaults: { period: Duration.minutes(5) },
      dashboardFactory: dashboards,
    });
    this.dashboard = dashboards.dashboard!;

    this.facade.addLargeHeader(`Ingestion pipeline (${props.environmentName})`);
    this.facade.monitorSqsQueueWithDlq({
      queue: props.inboundQueue,
      deadLetterQueue: props.deadLetterQueue,
      humanReadableName: 'Inbound S3 notifications',
      alarmFriendlyName: 'Inbound',
      addQueueMaxMessageAgeAlarm: {
        Backlog: this.threshold(RUNBOOK_ANCHORS.inboundAge, {
          maxAgeInSeconds: t.inboundMaxAge.toSeconds(),
          description:
            `The oldest inbound S3 notification has waited more than ${t.inboundMaxAge.toHumanString()}: ` +
            'the parser is not keeping up, is failing and retrying, or is not consuming the queue.',
        }),
      },
      addDeadLetterQueueMaxSizeAlarm: {
        Depth: this.threshold(RUNBOOK_ANCHORS.deadLetterDepth, {
          maxMessageCount: 0,
          description:
            'Inbound files failed processing repeatedly and their notifications are in the dead-letter queue: ' +
            'those files are NOT in Snowflake. Fix the cause, then redrive the DLQ.',
        }),
      },
      addDeadLetterQueueMaxMessageAgeAlarm: {
        Ageing: this.threshold(RUNBOOK_ANCHORS.deadLetterAge, {
          maxAgeInSeconds: t.deadLetterMaxAge.toSeconds(),
          description:
            `A dead-letter message is older than ${t.deadLetterMaxAge.toHumanString()}; it is deleted when the ` +
            "DLQ's retention period ends. Redrive or replay those files now.",
        }),
      },
    });
    this.facade.monitorLambdaFunction({
      lambdaFunction: props.parserFunction,
      humanReadableName: 'Parser',
      alarmFriendlyName: 'Parser',
      addFaultCountAlarm: {
        Errors: this.threshold(RUNBOOK_ANCHORS.parserErrors, {
          maxErrorCount: 0,
          datapointsToAlarm: 2,
          evaluationPeriods: 3,
          description:
            'Parser invocations are failing (uncaught errors or timeouts) in 2 of the last 3 five-minute periods; ' +
            'their messages are retried and end in the DLQ if the failure persists.',
        }),
      },
      addThrottlesCountAlarm: {
        Throttles: this.threshold(RUNBOOK_ANCHORS.parserThrottles, {
          maxErrorCount: 0,
          datapointsToAlarm: 2,
          evaluationPeriods: 3,
          description:
            'Parser invocations are throttled in 2 of the last 3 five-minute periods (account or reserved ' +
            'concurrency exhausted); the inbound backlog grows.',
        }),
      },
      addLatencyP99Alarm: {
        Slow: this.threshold(RUNBOOK_ANCHORS.parserDuration, {
          maxLatency: t.parserP99Duration,
          datapointsToAlarm: 3,
          evaluationPeriods: 3,
          description:
            `Parser p99 duration has exceeded ${t.parserP99Duration.toHumanString()} for 15 minutes: ` +
            'files are close to the function timeout and may start failing.',
        }),
      },
    });
    this.addMetricAlarms({
      title: 'Parser rows and files',
      alarms: [
        {
          name: 'RejectedRows',
          metric: this.rejectedRowPercentMetric(),
          threshold: t.rejectedRowPercent,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description:
            `More than ${t.rejectedRowPercent}% of the rows read in five minutes were rejected to quarantine: ` +
            'a producer is sending data that does not match its dataset spec.',
          runbookAnchor: RUNBOOK_ANCHORS.rejectedRows,
        },
        {
          name: 'FilesQuarantined',
          metric: this.parserMetric(PARSER_METRICS.filesQuarantined, 'Files quarantined'),
          threshold: 0,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description:
            'Whole files were quarantined (unknown source or dataset, corrupt or oversized file): nothing of ' +
            'them reached Snowflake.',
          runbookAnchor: RUNBOOK_ANCHORS.filesQuarantined,
        },
        {
          name: 'FilesWithDrift',
          metric: this.parserMetric(PARSER_METRICS.filesWithDrift, 'Files with schema drift'),
          threshold: 0,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description:
            'Staged files whose record keys differ from their dataset columns (a path never present, a key not in ' +
            'the spec, or a key in another letter case): columns may be NULL or rows rejected in silver.',
          runbookAnchor: RUNBOOK_ANCHORS.filesWithDrift,
        },
      ],
    });
  }

  /** A parser metric (namespace METRICS_NAMESPACE, dimensions service=parser and environment), 5-minute sum. */
  parserMetric(metricName: string, label?: string): cw.Metric {
    return new cw.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: PARSER_SERVICE, environment: this.environmentName },
      statistic: cw.Stats.SUM,
      period: Duration.minutes(5),
      label,
    });
  }

  /** Rejected rows as a percentage of rows read (0 when no rows were read). */
  rejectedRowPercentMetric(): cw.MathExpression {
    return new cw.MathExpression({
      expression: 'IF(rowsIn > 0, 100 * FILL(rowsRejected, 0) / rowsIn, 0)',
      usingMetrics: {
        rowsIn: this.parserMetric(PARSER_METRICS.rowsIn),
        rowsRejected: this.parserMetric(PARSER_METRICS.rowsRejected),
      },
      period: Duration.minutes(5),
      label: 'Rejected rows (%)',
    });
  }

  /**
   * Adds a dashboard section with alarms that notify the same topic (ALARM and OK), each described
   * and linked to its runbook section. Use it for the Snowflake health monitor's metrics.
   */
  addMetricAlarms(section: PipelineMetricSection): AlarmWithAnnotation[] {
    if (!section.title.trim()) throw new MonitoringPropsError('addMetricAlarms: section title must not be empty');
    if (section.alarms.length === 0) throw new MonitoringPropsError(`addMetricAlarms(${section.title}): no alarms`);
    for (const a of section.alarms) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(a.name)) {
        throw new MonitoringPropsError(
          `addMetricAlarms(${section.title}): alarm name "${a.name}" must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}`,
        );
      }
      if (this.alarmNames.has(a.name)) {
        throw new MonitoringPropsError(`addMetricAlarms(${section.title}): alarm name "${a.name}" is already used`);
      }
      if (!a.description.trim())
        throw new MonitoringPropsError(`addMetricAlarms: alarm "${a.name}" needs a description`);
      this.alarmNames.add(a.name);
    }
    const monitoring = this.facade.monitorCustom({
      alarmFriendlyName: 'Pipeline',
      humanReadableName: section.title,
      metricGroups: [
        {
          title: section.title,
          metrics: section.alarms.map((a) => ({
            metric: a.metric,
            alarmFriendlyName: a.name,
            addAlarm: {
              Alarm: {
                threshold: a.threshold,
                comparisonOperator: a.comparisonOperator,
                treatMissingDataOverride: a.treatMissingData ?? cw.TreatMissingData.NOT_BREACHING,
                datapointsToAlarm: a.datapointsToAlarm ?? 1,
                evaluationPeriods: a.evaluationPeriods ?? a.datapointsToAlarm ?? 1,
                alarmDescriptionOverride: a.description,
                runbookLink: this.runbookLink(a.runbookAnchor),
              },
            },
          })),
        },
      ],
    });
    const names = new Set(section.alarms.map((a) => a.name));
    return monitoring.createdAlarms().filter((c) => c.alarmNameSuffix !== undefined && names.has(c.alarmNameSuffix));
  }

  /** `<runbookUrl>#<anchor>`. */
  runbookLink(anchor: string): string {
    return `${this.runbookUrl}#${anchor}`;
  }

  private threshold<T extends object>(
    anchor: string,
    spec: T & { description: string } & Pick<CustomAlarmThreshold, 'datapointsToAlarm' | 'evaluationPeriods'>,
  ): Omit<T, 'description'> & CustomAlarmThreshold {
    const { description, ...rest } = spec;
    return {
      ...rest,
      alarmDescriptionOverride: description,
      runbookLink: this.runbookLink(anchor),
      treatMissingDataOverride: cw.TreatMissingData.NOT_BREACHING,
    };
  }
}

function validateProps(props: PipelineMonitoringProps): void {
  const fail = (message: string) => {
    throw new MonitoringPropsError(`PipelineMonitoring: ${message}`);
  };
  if (!Token.isUnresolved(props.namePrefix) && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(props.namePrefix)) {
    fail(`namePrefix "${props.namePrefix}" must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}`);
  }
  if (!Token.isUnresolved(props.environmentName) && !props.environmentName.trim()) fail('environmentName is empty');
  const positive = (name: keyof PipelineAlarmThresholds) => {
    const d = props.thresholds?.[name];
    if (d instanceof Duration && !d.isUnresolved() && d.toSeconds() <= 0) fail(`thresholds.${name} must be positive`);
  };
  positive('inboundMaxAge');
  positive('deadLetterMaxAge');
  positive('parserP99Duration');
  const pct = props.thresholds?.rejectedRowPercent;
  if (pct !== undefined && !(pct > 0 && pct <= 100)) fail(`thresholds.rejectedRowPercent ${pct} must be in (0, 100]`);
  if (props.alarms?.freshnessMinutes !== undefined && props.alarms.freshnessMinutes < 5) {
    fail(`alarms.freshnessMinutes ${props.alarms.freshnessMinutes} must be at least 5`);
  }
}
