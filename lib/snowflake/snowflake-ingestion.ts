import { RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ResolvedEnvironment } from '../../contracts/config';
import { ingestionObjects } from '../../snowflake/ingestion-objects';
import { NOTIFICATION_INTEGRATION_ID } from '../../snowflake/ingestion-objects';
import { notificationIntegrationName, notificationRoleName } from '../../snowflake/kinds/notification-integration';
import { snowflakeRoleName, storageIntegrationName } from '../../snowflake/names';
import { FILE_MANIFESTS_PIPE_ID } from '../../snowflake/data-model-objects';
import { dataModelInput } from './data-model-input';
import type { DataModelSources } from './data-model-input';
import { NotificationIntegration } from './notification-integration';
import { connectionFromConfig } from './snowflake-connection';
import type { SnowflakeConnection } from './snowflake-connection';
import { SnowflakeObject } from './snowflake-object';
import { SnowflakeProvider } from './snowflake-provider';
import { ServiceIdentities } from './service-identities';
import { Snowpipe } from './snowpipe';
import { StorageIntegration } from './storage-integration';

export interface SnowflakeIngestionProps {
  /** The environment (contracts/config.ts resolveEnvironment). */
  readonly config: ResolvedEnvironment;
  /** Bucket the parser stages gzip NDJSON into (`data/<dataset>/…`). */
  readonly stageBucket: s3.IBucket;
  /** Key encrypting the stage bucket. @default none (SSE-S3) */
  readonly stageKey?: kms.IKey;
  /** Snowflake URL override, for local test servers only. @default from the account / host */
  readonly accessUrl?: string;
  /** Take over Snowflake objects that already exist (e.g. retained by an earlier stack); adopted objects are never dropped. @default false */
  readonly adoptExistingObjects?: boolean;
  /** Log retention of the provisioner functions. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Push Snowflake's error notifications to this SNS topic: a notification integration
   * (`<PROJECT>_<ENV>_ERRORS`, role `<project>-<env>-snowflake-sns`) that is every pipe's
   * ERROR_INTEGRATION (e.g. `SnowflakeErrorTopic` from lib/monitoring). @default no error notifications
   */
  readonly errorNotifications?: SnowflakeErrorNotificationsProps;
  /**
   * Manage the medallion data model too: CORE and GOLD schemas, per dataset its stream, silver and
   * rejects tables and MERGE task, follow-up tasks, gold views and the reader role
   * (docs/data-model-deploy.md). @default true
   */
  readonly dataModel?: boolean;
  /** Where the gold views and follow-up tasks are read from. @default snowflake/gold, snowflake/tasks */
  readonly dataModelSources?: DataModelSources;
  /**
   * Provision the health monitor's and pipe refresher's own Snowflake roles (exact grants), service users
   * and key secrets ({@link ServiceIdentities}). @default none (the functions' identities are managed elsewhere)
   */
  readonly serviceIdentities?: {
    /** Warehouse of the health monitor's queries. */
    readonly warehouse: string;
    /** Bump to install new key pairs. @default 0 */
    readonly keyRotation?: number;
  };
}

export interface SnowflakeErrorNotificationsProps {
  /** Standard SNS topic Snowflake publishes to. */
  readonly topic: sns.ITopic;
  /** Key of an imported encrypted topic (see NotificationIntegrationProps.topicKey). @default the topic's own key */
  readonly topicKey?: kms.IKey;
}

/**
 * The Snowflake side of one environment's ingestion: database (adopted: created if absent, never
 * dropped), RAW schema, storage integration + the IAM role Snowflake assumes, file format, external
 * stage, and per dataset its bronze table and AUTO_INGEST pipe, whose notification channel receives
 * the stage bucket's ObjectCreated events for `data/<dataset>/`. Unless `dataModel` is false, also
 * the medallion model: CORE and GOLD schemas, per dataset its stream, silver and rejects tables and
 * MERGE task, follow-up tasks, gold views, the reader role (docs/data-model-deploy.md) and the file
 * ledger's OPS objects, whose manifests pipe gets the bucket's events for `manifests/`.
 */
export class SnowflakeIngestion extends Construct {
  readonly provider: SnowflakeProvider;
  readonly storageIntegration: StorageIntegration;
  /** The role Snowflake assumes to read `data/` of the stage bucket. */
  readonly snowflakeRole: iam.IRole;
  /** Every Snowflake object by construct id (`Database`, `RawSchema`, `Stage`, `OrdersBronze`, `OrdersPipe`…). */
  readonly objects: ReadonlyMap<string, SnowflakeObject>;
  /** Pipes by dataset name. */
  readonly pipes: ReadonlyMap<string, Snowpipe>;
  /**
   * `OPS.FILE_MANIFESTS_PIPE`, loading the parser's file manifests (`manifests/` of the stage bucket, which
   * notifies its channel for that prefix) into OPS.FILE_MANIFESTS; `undefined` when `dataModel` is false.
   */
  readonly manifestsPipe?: Snowpipe;
  /** The notification integration and its role, when `errorNotifications` is set. */
  readonly notificationIntegration?: NotificationIntegration;
  /**
   * Name of the error integration (for ERROR_INTEGRATION of root tasks; pipes already use it), or
   * `undefined`. Depend on `notificationIntegration` when using it.
   */
  readonly errorIntegrationName?: string;
  /** The scheduled functions' roles, users and key secrets, when `serviceIdentities` is set. */
  readonly serviceIdentities?: ServiceIdentities;

  constructor(scope: Construct, id: string, props: SnowflakeIngestionProps) {
    super(scope, id);
    const { project, environment, datasets } = props.config;
    if (!datasets.length) throw new Error(`${this.node.path}: config has no datasets`);
    const sf = environment.snowflake;
    const connection: SnowflakeConnection = connectionFromConfig(sf, props.accessUrl);
    this.provider = SnowflakeProvider.of(this, {
      environmentName: environment.name,
      logRetention: props.logRetention,
      logRemovalPolicy: environment.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const common = {
      provider: this.provider,
      connection,
      removalPolicy: environment.removalPolicy,
      adopt: props.adoptExistingObjects ?? false,
    };
    const roleName = snowflakeRoleName(project, environment.name);
    // No default: Snowflake generates an unguessable external id (see StorageIntegration).
    const externalId = sf.externalId;

    this.storageIntegration = new StorageIntegration(this, 'StorageIntegration', {
      ...common,
      name: storageIntegrationName(project, environment.name),
      roleName,
      externalId,
      bucket: props.stageBucket,
      key: props.stageKey,
      comment: `S3 access to the stage bucket (${project} ${environment.name})`,
    });
    this.snowflakeRole = this.storageIntegration.role;

    if (props.errorNotifications) {
      this.notificationIntegration = new NotificationIntegration(this, 'NotificationIntegration', {
        ...common,
        name: notificationIntegrationName(project, environment.name),
        roleName: notificationRoleName(project, environment.name),
        topic: props.errorNotifications.topic,
        topicKey: props.errorNotifications.topicKey,
        comment: `Snowflake load and task errors to SNS (${project} ${environment.name})`,
      });
      this.errorIntegrationName = notificationIntegrationName(project, environment.name);
    }

    const specs = ingestionObjects({
      project,
      environment: environment.name,
      database: sf.database,
      rawSchema: sf.rawSchema,
      stageBucketName: props.stageBucket.bucketName,
      roleArn: this.storageIntegration.roleArn,
      externalId,
      datasets,
      ...(props.dataModel === false ? {} : { dataModel: dataModelInput(props.config, props.dataModelSources) }),
      ...(this.notificationIntegration
        ? {
            errorNotifications: {
              topicArn: this.notificationIntegration.topic.topicArn,
              roleArn: this.notificationIntegration.roleArn,
            },
          }
        : {}),
    });
    const objects = new Map<string, SnowflakeObject>([['StorageIntegration', this.storageIntegration.integration]]);
    const pipes = new Map<string, Snowpipe>();
    if (this.notificationIntegration)
      objects.set(NOTIFICATION_INTEGRATION_ID, this.notificationIntegration.integration);
    for (const spec of specs) {
      if (spec.kind === 'storage-integration' || spec.kind === 'notification-integration') continue;
      const objectProps = {
        ...common,
        adopt: spec.adopt || common.adopt,
        definition: spec.definition as never,
      };
      const object =
        spec.kind === 'pipe'
          ? new Snowpipe(this, spec.id, { ...objectProps, stageBucket: props.stageBucket })
          : new SnowflakeObject(this, spec.id, { ...objectProps, kind: spec.kind });
      for (const dep of spec.dependsOn) object.node.addDependency(objects.get(dep)!);
      // The trust must exist before Snowflake touches the bucket through the integration.
      if (spec.kind === 'stage' || spec.kind === 'pipe') object.node.addDependency(this.storageIntegration.role);
      // Snowflake publishes load errors through the integration's role: its trust and policy first.
      if ((spec.kind === 'pipe' || spec.kind === 'task') && this.notificationIntegration)
        object.node.addDependency(this.notificationIntegration.role);
      objects.set(spec.id, object);
      if (spec.kind === 'pipe' && spec.dataset) pipes.set(spec.dataset, object as Snowpipe);
      if (spec.id === FILE_MANIFESTS_PIPE_ID) this.manifestsPipe = object as Snowpipe;
    }
    orderTaskGraphs(specs, objects);
    if (props.serviceIdentities) {
      this.serviceIdentities = new ServiceIdentities(this, 'ServiceIdentities', {
        provider: this.provider,
        connection,
        removalPolicy: environment.removalPolicy,
        project,
        environment: environment.name,
        database: sf.database,
        rawSchema: sf.rawSchema,
        coreSchema: sf.coreSchema,
        warehouse: props.serviceIdentities.warehouse,
        keyRotation: props.serviceIdentities.keyRotation,
        datasets: datasets.map((d) => d.name),
        objects: specs,
        constructs: objects,
      });
      for (const [oid, o] of this.serviceIdentities.objects) objects.set(oid, o);
    }
    this.objects = objects;
    this.pipes = pipes;
  }
}

/**
 * One change to a task graph at a time: CloudFormation updates resources in parallel unless one
 * depends on another, and two invocations suspending and resuming the same root race (091089, or
 * one taking the root its sibling suspended for an operator's suspension). So every task of a
 * graph depends on the task of that graph declared before it (root first), which serialises
 * creates, updates, deletes and rollbacks within the graph.
 */
export function orderTaskGraphs(
  specs: readonly { readonly id: string; readonly kind: string; readonly definition: unknown }[],
  objects: ReadonlyMap<string, SnowflakeObject>,
): void {
  const last = new Map<string, SnowflakeObject>();
  for (const spec of specs) {
    if (spec.kind !== 'task') continue;
    const d = spec.definition as { database: string; schema: string; name: string; root?: string };
    const graph = (d.root ?? `${d.database}.${d.schema}.${d.name}`).toUpperCase();
    const object = objects.get(spec.id)!;
    const previous = last.get(graph);
    if (previous) object.node.addDependency(previous);
    last.set(graph, object);
  }
}
