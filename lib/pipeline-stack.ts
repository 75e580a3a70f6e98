import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_HEALTH_CHECK_MINUTES, DEFAULT_RETENTION } from '../contracts/defaults';
import { SourceUploadRoles } from './access/source-upload-roles';
import type { ResolvedEnvironment } from '../contracts/config';
import { ParserIngestion } from './ingestion/parser-ingestion';
import { HealthMonitor } from './monitoring/health-monitor';
import { PipeRefresher } from './monitoring/pipe-refresher';
import { PipelineMonitoring } from './monitoring/pipeline-monitoring';
import { SnowflakeErrorTopic } from './monitoring/snowflake-error-topic';
import { acknowledgeCdkHelpers } from './nag/cdk-helpers';
import { SnowflakeIngestion } from './snowflake';
import { snowflakeErrorTopicName } from '../snowflake/kinds/notification-integration';
import { PipelineStorage } from './storage/pipeline-storage';

export interface PipelineStackProps extends StackProps {
  /** The environment to deploy, with its sources and datasets (overrides applied). */
  readonly resolved: ResolvedEnvironment;
}

/**
 * One environment's pipeline: storage (key + buckets), ingestion (queue → parser), the producers' upload
 * roles, the Snowflake side (integration, stage, pipes, medallion objects) and monitoring (alarms, dashboard,
 * the Snowflake health monitor).
 */
export class PipelineStack extends Stack {
  /** `<project>-<env>`: prefix of physical names. */
  readonly namePrefix: string;
  readonly removalPolicy: RemovalPolicy;
  readonly storage: PipelineStorage;
  readonly ingestion: ParserIngestion;
  readonly uploadRoles: SourceUploadRoles;
  /** Key of the inbound, stage and archive buckets. */
  readonly key: kms.IKey;
  /** Key of the parser queue and its DLQ. */
  readonly queueKey: kms.IKey;
  readonly inboundBucket: s3.IBucket;
  readonly stageBucket: s3.IBucket;
  readonly archiveBucket: s3.IBucket;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly parserFunction: lambda.IFunction;
  readonly snowflake: SnowflakeIngestion;
  readonly monitoring: PipelineMonitoring;
  readonly healthMonitor: HealthMonitor;
  readonly snowflakeErrors: SnowflakeErrorTopic;
  readonly pipeRefresher: PipeRefresher;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    const { project, environment, sources, datasets } = props.resolved;
    const namePrefix = `${project}-${environment.name}`;
    super(scope, id, { stackName: `${namePrefix}-pipeline`, ...props });
    this.namePrefix = namePrefix;
    this.removalPolicy = environment.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    const logRetentionDays = logRetention(
      environment.retention?.logRetentionDays ?? DEFAULT_RETENTION.logRetentionDays,
    );
    this.storage = new PipelineStorage(this, 'Storage', {
      namePrefix,
      removalPolicy: this.removalPolicy,
      retention: environment.retention,
    });
    this.ingestion = new ParserIngestion(this, 'Ingestion', {
      inboundBucket: this.storage.inboundBucket,
      stageBucket: this.storage.stageBucket,
      archiveBucket: this.storage.archiveBucket,
      queueKeyAlias: `alias/${namePrefix}-pipeline-queues`,
      environmentName: environment.name,
      datasets,
      sources,
      ingestion: environment.ingestion,
      logRetention: logRetentionDays,
      removalPolicy: this.removalPolicy,
    });
    this.uploadRoles = new SourceUploadRoles(this, 'UploadRoles', {
      inboundBucket: this.storage.inboundBucket,
      encryptionKey: this.storage.key,
      sources,
      datasetNames: datasets.map((d) => d.name),
      roleNamePrefix: `${namePrefix}-upload`,
    });

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      environmentName: environment.name,
      namePrefix,
      inboundQueue: this.ingestion.queue,
      deadLetterQueue: this.ingestion.deadLetterQueue,
      parserFunction: this.ingestion.parser,
      alarms: environment.alarms,
      runbookUrl: environment.alarms?.runbookUrl,
      keyRemovalPolicy: this.removalPolicy,
    });
    // Snowflake pushes pipe and task errors to their own topic (raw Snowflake JSON, one per failed file);
    // an alarm on its message count reaches the alarm topic with a runbook link.
    this.snowflakeErrors = new SnowflakeErrorTopic(this, 'SnowflakeErrors', {
      environmentName: environment.name,
      monitoring: this.monitoring,
      topicName: snowflakeErrorTopicName(project, environment.name),
    });
    this.snowflake = new SnowflakeIngestion(this, 'Snowflake', {
      config: props.resolved,
      stageBucket: this.storage.stageBucket,
      stageKey: this.storage.key,
      logRetention: logRetentionDays,
      errorNotifications: { topic: this.snowflakeErrors.topic },
    });

    const sf = environment.snowflake;
    const monitor = sf.monitor ?? {};
    const monitorConnection = {
      account: sf.account,
      user: monitor.user ?? sf.user,
      role: monitor.role ?? sf.role,
      warehouse: monitor.warehouse ?? sf.warehouse,
      privateKeySecret: secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'MonitorKeySecret',
        monitor.privateKeySecretArn ?? sf.privateKeySecretArn,
      ),
      host: sf.host,
    };
    this.healthMonitor = new HealthMonitor(this, 'HealthMonitor', {
      environmentName: environment.name,
      connection: monitorConnection,
      schemas: { database: sf.database, raw: sf.rawSchema, core: sf.coreSchema },
      datasets: datasets.map((d) => d.name),
      monitoring: this.monitoring,
      schedule: Duration.minutes(monitor.scheduleMinutes ?? DEFAULT_HEALTH_CHECK_MINUTES),
      freshnessMinutes: environment.alarms?.freshnessMinutes,
      logRetention: logRetentionDays,
      logRemovalPolicy: this.removalPolicy,
    });
    // Safety net for S3 events Snowpipe never received: hourly REFRESH of today's and yesterday's prefixes.
    this.pipeRefresher = new PipeRefresher(this, 'PipeRefresher', {
      environmentName: environment.name,
      connection: monitorConnection,
      schemas: { database: sf.database, raw: sf.rawSchema },
      datasets: datasets.map((d) => d.name),
      monitoring: this.monitoring,
      logRetention: logRetentionDays,
      logRemovalPolicy: this.removalPolicy,
    });

    this.key = this.storage.key;
    this.queueKey = this.ingestion.queueKey;
    this.inboundBucket = this.storage.inboundBucket;
    this.stageBucket = this.storage.stageBucket;
    this.archiveBucket = this.storage.archiveBucket;
    this.queue = this.ingestion.queue;
    this.deadLetterQueue = this.ingestion.deadLetterQueue;
    this.parserFunction = this.ingestion.parser;

    acknowledgeCdkHelpers(this);
  }
}

/** CloudWatch accepts a fixed set of retention periods: the smallest one of at least `days` (7 → ONE_WEEK, 10 → TWO_WEEKS). */
export function logRetention(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? logs.RetentionDays.INFINITE;
}
