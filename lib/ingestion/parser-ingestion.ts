import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BUNDLED_DATASETS_GLOBAL,
  BUNDLED_SOURCES_GLOBAL,
  PARSER_ENV,
  PARSER_SERVICE,
  MANIFEST_PREFIX,
  QUARANTINE_PREFIX,
  STAGE_DATA_PREFIX,
} from '../../contracts/constants';
import { sourceAllowlist } from '../../contracts/config';
import { DEFAULT_INGESTION, VISIBILITY_TIMEOUT_FACTOR } from '../../contracts/defaults';
import type { DatasetSpec, SourceSpec } from '../../contracts/config';
import { PipelineFunction } from '../functions/pipeline-function';
import { acknowledge, actionFinding, arnFinding } from '../nag/acknowledge';

/** Ingestion tuning of one environment (see `ingestion` in the config reference). */
export type { IngestionSpec } from '../../contracts/config';
import type { IngestionSpec } from '../../contracts/config';

/** Dead-letter queue retention: SQS's maximum, so an operator has two weeks to redrive. */
export const DLQ_RETENTION = Duration.days(14);
/** Source queue retention (SQS default). Less than the DLQ's: message age counts from the first enqueue. */
export const QUEUE_RETENTION = Duration.days(4);

export interface ParserIngestionProps {
  /** Bucket producers upload to; its ObjectCreated events feed the queue. */
  readonly inboundBucket: s3.IBucket;
  /** Bucket receiving `data/` (staged NDJSON) and `quarantine/` (rejects). */
  readonly stageBucket: s3.IBucket;
  /** Bucket receiving every original. */
  readonly archiveBucket: s3.IBucket;
  /**
   * Customer-managed key of the queue and the DLQ. It is not the buckets' key on purpose: S3's grant to
   * encrypt notifications names the inbound bucket in the key policy, and the bucket names the buckets' key,
   * so one shared key is a CloudFormation dependency cycle.
   * @default a new key with yearly rotation
   */
  readonly queueKey?: kms.IKey;
  /** Alias of the queue key created by default, e.g. `alias/ingest-dev-pipeline-queues`. @default no alias */
  readonly queueKeyAlias?: string;
  /** Deployment environment name (metric dimension, descriptions). */
  readonly environmentName: string;
  /** Dataset specs (overrides applied): bundled into the parser as `__PIPELINE_DATASETS__`. */
  readonly datasets: readonly DatasetSpec[];
  /**
   * Known sources and the datasets each may write (`datasets` absent: every dataset), bundled into the
   * parser as `__PIPELINE_SOURCES__` (the `SOURCES` object form); a key outside a source's datasets is
   * quarantined as `DATASET_NOT_ALLOWED`.
   */
  readonly sources: readonly Pick<SourceSpec, 'name' | 'datasets'>[];
  /** Batching, timeout, memory, redrive and concurrency. @default DEFAULT_INGESTION */
  readonly ingestion?: IngestionSpec;
  /**
   * Queue visibility timeout; must be at least 6 × the parser timeout.
   * @default 6 × the parser timeout
   */
  readonly visibilityTimeout?: Duration;
  /** Parser log retention. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the queues, the queue key and the parser's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Inbound ObjectCreated → SQS (customer-managed key, TLS only, DLQ) → parser function with partial batch
 * failures. The parser may read and delete inbound objects, write `data/` and `quarantine/` in the stage
 * bucket and read/write the archive bucket (it never deletes there); nothing else.
 */
export class ParserIngestion extends Construct {
  /** Key of the queue and the DLQ. */
  readonly queueKey: kms.IKey;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly parser: PipelineFunction;

  constructor(scope: Construct, id: string, props: ParserIngestionProps) {
    super(scope, id);
    const batchSize = props.ingestion?.batchSize ?? DEFAULT_INGESTION.batchSize;
    const windowSeconds = props.ingestion?.maxBatchingWindowSeconds ?? DEFAULT_INGESTION.maxBatchingWindowSeconds;
    const timeout = Duration.seconds(props.ingestion?.parserTimeoutSeconds ?? DEFAULT_INGESTION.parserTimeoutSeconds);
    const visibilityTimeout =
      props.visibilityTimeout ?? Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
    validateProps(props, { batchSize, windowSeconds, timeout, visibilityTimeout });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.queueKey =
      props.queueKey ??
      new kms.Key(this, 'QueueKey', {
        description: `Parser queue and dead-letter queue (${props.environmentName})`,
        alias: props.queueKeyAlias,
        enableKeyRotation: true,
        removalPolicy,
        pendingWindow: removalPolicy === RemovalPolicy.DESTROY ? Duration.days(7) : undefined,
      });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
      removalPolicy,
    });
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the parser queue.');

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: QUEUE_RETENTION,
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.ingestion?.maxReceiveCount ?? DEFAULT_INGESTION.maxReceiveCount,
      },
      removalPolicy,
    });
    // SqsDestination also adds the key-policy statement that lets S3 encrypt messages with the key.
    props.inboundBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue));

    this.parser = new PipelineFunction(this, 'Parser', {
      functionFolder: 'parser',
      serviceName: PARSER_SERVICE,
      environmentName: props.environmentName,
      description: `Parses inbound uploads into staged NDJSON (${props.environmentName})`,
      timeout,
      memorySize: props.ingestion?.parserMemoryMb ?? DEFAULT_INGESTION.parserMemoryMb,
      logRetention: props.logRetention,
      logRemovalPolicy: removalPolicy,
      environment: {
        [PARSER_ENV.inboundBucket]: props.inboundBucket.bucketName,
        [PARSER_ENV.stageBucket]: props.stageBucket.bucketName,
        [PARSER_ENV.archiveBucket]: props.archiveBucket.bucketName,
      },
      // Lambda's environment is limited to 4 KB: the datasets and the sources' allowlists ship inside the
      // bundle (`DATASETS` / `SOURCES` in the environment would still win).
      define: { ...bundledDatasetsDefine(props.datasets), ...bundledSourcesDefine(props.sources) },
    });

    props.inboundBucket.grantRead(this.parser);
    props.inboundBucket.grantDelete(this.parser);
    props.stageBucket.grantPut(this.parser, `${STAGE_DATA_PREFIX}*`);
    props.stageBucket.grantPut(this.parser, `${QUARANTINE_PREFIX}*`);
    props.stageBucket.grantPut(this.parser, `${MANIFEST_PREFIX}*`);
    props.archiveBucket.grantPut(this.parser);
    // The parser checks whether a version is already archived (HeadObject) before deleting it from inbound
    // after a crash; without s3:ListBucket a missing key answers 403 instead of 404.
    props.archiveBucket.grantRead(this.parser);

    this.parser.addEventSource(
      new lambdaEvents.SqsEventSource(this.queue, {
        batchSize,
        maxBatchingWindow: windowSeconds > 0 ? Duration.seconds(windowSeconds) : undefined,
        maxConcurrency: props.ingestion?.maxConcurrency ?? DEFAULT_INGESTION.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    this.acknowledgeParserWildcards(props);
  }

  /** The wildcards the bucket grants produce: object keys under the granted prefixes and CDK's action groups. */
  private acknowledgeParserWildcards(props: ParserIngestionProps): void {
    const policy = this.parser.role?.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    acknowledge(
      policy,
      'AwsSolutions-IAM5',
      'Object-level S3 grants are scoped to one bucket and key prefix each (inbound: any key, stage: data/, ' +
        'quarantine/ and manifests/, archive: any key); the object keys are not known in advance.',
      [
        arnFinding(props.inboundBucket, '/*'),
        arnFinding(props.stageBucket, `/${STAGE_DATA_PREFIX}*`),
        arnFinding(props.stageBucket, `/${QUARANTINE_PREFIX}*`),
        arnFinding(props.stageBucket, `/${MANIFEST_PREFIX}*`),
        arnFinding(props.archiveBucket, '/*'),
      ],
    );
    acknowledge(
      policy,
      'AwsSolutions-IAM5',
      "CDK's grantRead/grantDelete/grantPut action groups (read, delete, put and abort-multipart families) on the " +
        'resources above, and the KMS data-key actions on the pipeline key only.',
      [
        's3:GetObject*',
        's3:GetBucket*',
        's3:List*',
        's3:DeleteObject*',
        's3:Abort*',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ].map(actionFinding),
    );
  }
}

/**
 * esbuild `define` that replaces `__PIPELINE_DATASETS__` in the parser bundle with the datasets JSON as a
 * string literal (the handler `JSON.parse`s it; `DATASETS` in the environment still wins).
 */
export function bundledDatasetsDefine(datasets: readonly DatasetSpec[]): Record<string, string> {
  return { [BUNDLED_DATASETS_GLOBAL]: JSON.stringify(JSON.stringify(datasets)) };
}

/**
 * esbuild `define` that replaces `__PIPELINE_SOURCES__` in the parser bundle with the `SOURCES` object
 * `{ "<source>": ["<dataset>", …] | "*" }` as a string literal.
 */
export function bundledSourcesDefine(
  sources: readonly Pick<SourceSpec, 'name' | 'datasets'>[],
): Record<string, string> {
  return { [BUNDLED_SOURCES_GLOBAL]: JSON.stringify(JSON.stringify(sourceAllowlist(sources))) };
}

function validateProps(
  props: ParserIngestionProps,
  v: { batchSize: number; windowSeconds: number; timeout: Duration; visibilityTimeout: Duration },
): void {
  const minVisibility = v.timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR;
  if (v.visibilityTimeout.toSeconds() < minVisibility) {
    throw new Error(
      `ParserIngestion: visibilityTimeout (${v.visibilityTimeout.toSeconds()} s) must be at least ` +
        `${VISIBILITY_TIMEOUT_FACTOR} × the parser timeout (${minVisibility} s)`,
    );
  }
  if (v.visibilityTimeout.toSeconds() > 43_200) {
    throw new Error(
      `ParserIngestion: visibilityTimeout (${v.visibilityTimeout.toSeconds()} s) exceeds SQS's maximum of 43200 s`,
    );
  }
  if (v.batchSize > 10 && v.windowSeconds < 1) {
    throw new Error(
      `ParserIngestion: batchSize ${v.batchSize} > 10 needs maxBatchingWindowSeconds ≥ 1 (SQS event source rule)`,
    );
  }
  if (props.datasets.length === 0) throw new Error('ParserIngestion: datasets must list at least one dataset');
  if (props.sources.length === 0) throw new Error('ParserIngestion: sources must list at least one source');
  const datasetNames = new Set(props.datasets.map((d) => d.name));
  for (const source of props.sources) {
    const unknown = source.datasets?.filter((d) => !datasetNames.has(d)) ?? [];
    if (unknown.length > 0) {
      throw new Error(`ParserIngestion: source "${source.name}" allows unknown datasets: ${unknown.join(', ')}`);
    }
  }
}
