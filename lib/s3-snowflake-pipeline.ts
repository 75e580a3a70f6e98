import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  ConfigError,
  loadConfig,
  provisionsServiceIdentities,
  resolveEnvironment,
  type AlarmsSpec,
  type DatasetSpec,
  type FollowUpTaskConfig,
  type IngestionSpec,
  type ResolvedEnvironment,
  type RetentionSpec,
  type SnowflakeSpec,
  type SourceSpec,
  type VaultSpec,
} from '../contracts/config';
import { DEFAULT_HEALTH_CHECK_MINUTES, DEFAULT_RETENTION } from '../contracts/defaults';
import { snowflakeErrorTopicName } from '../snowflake/kinds/notification-integration';
import { splitTargetNames } from '../snowflake/model/split';
import type { ServiceFunction } from '../snowflake/service-identities';
import { SourceUploadRoles } from './access/source-upload-roles';
import { ParserIngestion } from './ingestion/parser-ingestion';
import { HealthMonitor } from './monitoring/health-monitor';
import { PipeRefresher } from './monitoring/pipe-refresher';
import { PipelineMonitoring } from './monitoring/pipeline-monitoring';
import { SnowflakeErrorTopic } from './monitoring/snowflake-error-topic';
import { acknowledgeCdkHelpers } from './nag/cdk-helpers';
import { recordAcknowledgementsInTemplate } from './nag/template-checks';
import { SnowflakeIngestion } from './snowflake/snowflake-ingestion';
import { NO_SQL_DIRECTORY } from './sql-loader';
import { PipelineStorage } from './storage/pipeline-storage';

export interface S3SnowflakePipelineProps {
  /** Short project name (`^[a-z][a-z0-9-]{1,19}$`): physical names are `<project>-<environmentName>-…`. */
  readonly project: string;
  /** Deployment environment name (`^[a-z][a-z0-9-]{0,15}$`): a name prefix and a metric dimension. */
  readonly environmentName: string;
  /** Producers: each uploads under `<source>/<dataset>/…` of the inbound bucket through its own role. */
  readonly sources: SourceSpec[];
  /** Datasets: format, columns (Snowflake types), primary key, ordering (the dataset spec of the README). */
  readonly datasets: DatasetSpec[];
  /** Snowflake account, user, role, warehouse, database and the private key's Secrets Manager ARN. */
  readonly snowflake: SnowflakeSpec;
  /**
   * What deleting the stack (or a dataset) does to data: DESTROY empties and deletes the buckets and drops
   * data-bearing Snowflake objects (development); RETAIN keeps everything.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Lifecycle of archive, stage and quarantine objects and of the function logs. @default DEFAULT_RETENTION */
  readonly retention?: RetentionSpec;
  /** Parser batching, timeout, memory, redrive and concurrency. @default DEFAULT_INGESTION */
  readonly ingestion?: IngestionSpec;
  /** Alarm subscribers, runbook link and the silver freshness threshold. @default no subscribers */
  readonly alarms?: AlarmsSpec;
  /** Follow-up tasks run after a dataset's MERGE task. @default none */
  readonly tasks?: FollowUpTaskConfig[];
  /** Directory of gold views (`<view>.sql`, one SELECT each, naming `core.<dataset>`). @default no gold views */
  readonly goldDirectory?: string;
  /** Directory of follow-up task files (`<task>.sql` with `-- after:` headers). @default no task files */
  readonly tasksDirectory?: string;
  /**
   * Data vault 2.0 over the datasets (hubs, links, satellites loaded by INSERT ALL; VAULT, WAREHOUSE and MART
   * schemas with a read role each, a data-science role reading MART only: docs/data-model.md). @default no vault
   */
  readonly vault?: VaultSpec;
  /** Directory of warehouse views (`<view>.sql`) over the vault. @default no user warehouse views */
  readonly warehouseDirectory?: string;
  /** Directory of mart views (`<view>.sql`) over the warehouse. @default no mart views */
  readonly martDirectory?: string;
}

/**
 * The whole S3 → Snowflake pipeline of one environment, for any CDK app: KMS key and buckets (inbound, stage,
 * archive, access logs), the parser (queue, DLQ, function), one upload role per source, the Snowflake side
 * (storage integration, stage, per dataset bronze/pipe/stream/MERGE task/silver, gold views) and monitoring
 * (alarms, dashboard, Snowflake error topic, health monitor, pipe refresher).
 *
 * The props are validated like the project's config file (same zod schema, same messages). Each part is an
 * L2 construct of its own (`PipelineStorage`, `ParserIngestion`, `SnowflakeIngestion`, …) usable alone.
 */
export class S3SnowflakePipeline extends Construct {
  /** `<project>-<environmentName>`: prefix of physical names. */
  readonly namePrefix: string;
  readonly removalPolicy: RemovalPolicy;
  /** The validated environment the parts were built from (defaults not applied). */
  readonly resolved: ResolvedEnvironment;
  readonly storage: PipelineStorage;
  readonly ingestion: ParserIngestion;
  readonly uploadRoles: SourceUploadRoles;
  readonly monitoring: PipelineMonitoring;
  readonly snowflakeErrors: SnowflakeErrorTopic;
  readonly snowflake: SnowflakeIngestion;
  readonly healthMonitor: HealthMonitor;
  readonly pipeRefresher: PipeRefresher;

  constructor(scope: Construct, id: string, props: S3SnowflakePipelineProps) {
    super(scope, id);
    this.resolved = resolvePipelineProps(props);
    const { project, environment, sources, datasets } = this.resolved;
    const namePrefix = `${project}-${environment.name}`;
    this.namePrefix = namePrefix;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const removalPolicy = this.removalPolicy;

    const logRetentionDays = logRetention(
      environment.retention?.logRetentionDays ?? DEFAULT_RETENTION.logRetentionDays,
    );
    this.storage = new PipelineStorage(this, 'Storage', {
      namePrefix,
      removalPolicy,
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
      removalPolicy,
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
      keyRemovalPolicy: removalPolicy,
    });
    // Snowflake pushes pipe and task errors to their own topic (raw Snowflake JSON, one per failed file);
    // an alarm on its message count reaches the alarm topic with a runbook link.
    this.snowflakeErrors = new SnowflakeErrorTopic(this, 'SnowflakeErrors', {
      environmentName: environment.name,
      monitoring: this.monitoring,
      topicName: snowflakeErrorTopicName(project, environment.name),
    });
    const sf = environment.snowflake;
    const monitor = sf.monitor ?? {};
    // The health monitor and the pipe refresher sign in as their own provisioned users unless the config
    // names a hand-managed identity (snowflake.monitor.user): never as the deployer by default.
    const provisioned = provisionsServiceIdentities(sf);
    const monitorWarehouse = monitor.warehouse ?? sf.warehouse;
    this.snowflake = new SnowflakeIngestion(this, 'Snowflake', {
      config: this.resolved,
      stageBucket: this.storage.stageBucket,
      stageKey: this.storage.key,
      logRetention: logRetentionDays,
      errorNotifications: { topic: this.snowflakeErrors.topic },
      dataModelSources: {
        goldDirectory: props.goldDirectory ?? NO_SQL_DIRECTORY,
        tasksDirectory: props.tasksDirectory ?? NO_SQL_DIRECTORY,
        warehouseDirectory: props.warehouseDirectory ?? NO_SQL_DIRECTORY,
        martDirectory: props.martDirectory ?? NO_SQL_DIRECTORY,
      },
      ...(provisioned
        ? { serviceIdentities: { warehouse: monitorWarehouse, keyRotation: sf.serviceUsers?.keyRotation } }
        : {}),
    });
    const identities = this.snowflake.serviceIdentities;
    const connectionOf = (fn: ServiceFunction) =>
      identities
        ? {
            account: sf.account,
            user: identities.names[fn],
            role: identities.names[fn],
            warehouse: monitorWarehouse,
            privateKeySecret: identities.secrets[fn],
            host: sf.host,
          }
        : {
            account: sf.account,
            user: monitor.user ?? sf.user,
            role: monitor.role ?? sf.role,
            warehouse: monitorWarehouse,
            privateKeySecret: secretsmanager.Secret.fromSecretCompleteArn(
              this,
              'MonitorKeySecret',
              monitor.privateKeySecretArn ?? sf.privateKeySecretArn,
            ),
            host: sf.host,
          };
    const monitorConnection = connectionOf('healthMonitor');
    // Split targets read their split dataset's bronze: no pipe of their own to check or refresh.
    const splitTargets = splitTargetNames(datasets);
    this.healthMonitor = new HealthMonitor(this, 'HealthMonitor', {
      environmentName: environment.name,
      connection: monitorConnection,
      schemas: { database: sf.database, raw: sf.rawSchema, core: sf.coreSchema },
      datasets: datasets.map((d) => d.name),
      splitTargets: [...splitTargets],
      monitoring: this.monitoring,
      schedule: Duration.minutes(monitor.scheduleMinutes ?? DEFAULT_HEALTH_CHECK_MINUTES),
      freshnessMinutes: environment.alarms?.freshnessMinutes,
      logRetention: logRetentionDays,
      logRemovalPolicy: removalPolicy,
    });
    // Safety net for S3 events Snowpipe never received: hourly REFRESH of today's and yesterday's prefixes.
    this.pipeRefresher = new PipeRefresher(this, 'PipeRefresher', {
      environmentName: environment.name,
      connection: identities ? connectionOf('pipeRefresher') : monitorConnection,
      schemas: { database: sf.database, raw: sf.rawSchema },
      datasets: datasets.filter((d) => !splitTargets.has(d.name)).map((d) => d.name),
      monitoring: this.monitoring,
      logRetention: logRetentionDays,
      logRemovalPolicy: removalPolicy,
    });
    if (identities) {
      identities.restrictSecretRead('healthMonitor', this.healthMonitor.function.role!);
      identities.restrictSecretRead('pipeRefresher', this.pipeRefresher.function.role!);
    }

    // CDK's helper functions (the bucket-notifications singleton, the auto-delete provider) now exist in the
    // stack. Every acknowledgement is written into the template (Metadata.cdk_nag), so the template says why.
    acknowledgeCdkHelpers(Stack.of(this));
    recordAcknowledgementsInTemplate(this);
  }
}

/** A valid stand-in for a token-valued secret ARN, used only while validating the props. */
const PLACEHOLDER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:placeholder';

/**
 * Validates the props with the config schema (one message per problem, paths as the props name them) and
 * returns the environment the constructs take. Token-valued secret ARNs are accepted as they are.
 */
export function resolvePipelineProps(props: S3SnowflakePipelineProps): ResolvedEnvironment {
  const forValidation = (arn: string | undefined) =>
    arn !== undefined && Token.isUnresolved(arn) ? PLACEHOLDER_SECRET_ARN : arn;
  const snowflake = {
    ...props.snowflake,
    privateKeySecretArn: forValidation(props.snowflake.privateKeySecretArn),
    ...(props.snowflake.monitor
      ? {
          monitor: {
            ...props.snowflake.monitor,
            ...(props.snowflake.monitor.privateKeySecretArn !== undefined
              ? { privateKeySecretArn: forValidation(props.snowflake.monitor.privateKeySecretArn) }
              : {}),
          },
        }
      : {}),
  };
  const environment = {
    name: props.environmentName,
    // The schema wants an account and region; the stack's own are used at deploy time.
    account: '000000000000',
    region: 'us-east-1',
    removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? 'destroy' : 'retain',
    ...(props.retention ? { retention: props.retention } : {}),
    ...(props.ingestion ? { ingestion: props.ingestion } : {}),
    ...(props.alarms ? { alarms: props.alarms } : {}),
    snowflake,
  };
  let resolved: ResolvedEnvironment;
  try {
    const config = loadConfig({
      project: props.project,
      sources: props.sources,
      datasets: props.datasets,
      environments: [environment],
      ...(props.tasks ? { tasks: props.tasks } : {}),
      ...(props.vault ? { vault: props.vault } : {}),
    });
    resolved = resolveEnvironment(config, props.environmentName);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((p) =>
      p
        .replace(/^environments\[0\](\([^)]*\))?\.name:/, 'environmentName:')
        .replace(/^environments\[0\](\([^)]*\))?\./, ''),
    );
    throw new ConfigError(problems, 'S3SnowflakePipeline props', { cause: error });
  }
  return {
    ...resolved,
    environment: {
      ...resolved.environment,
      snowflake: {
        ...resolved.environment.snowflake,
        privateKeySecretArn: props.snowflake.privateKeySecretArn,
        ...(resolved.environment.snowflake.monitor
          ? { monitor: { ...resolved.environment.snowflake.monitor, ...pickMonitorArn(props.snowflake) } }
          : {}),
      },
    },
  };
}

function pickMonitorArn(snowflake: SnowflakeSpec): { privateKeySecretArn?: string } {
  const arn = snowflake.monitor?.privateKeySecretArn;
  return arn === undefined ? {} : { privateKeySecretArn: arn };
}

/** CloudWatch accepts a fixed set of retention periods: the smallest one of at least `days` (7 → ONE_WEEK, 10 → TWO_WEEKS). */
export function logRetention(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((v): v is logs.RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? logs.RetentionDays.INFINITE;
}
