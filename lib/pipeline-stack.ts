import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SourceUploadRoles } from './access/source-upload-roles';
import type { ResolvedEnvironment } from './config';
import { ParserIngestion } from './ingestion/parser-ingestion';
import { acknowledgeCdkHelpers } from './nag/cdk-helpers';
import { PipelineStorage } from './storage/pipeline-storage';

/** Default CloudWatch log retention of the functions, in days (`retention.logRetentionDays`). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

export interface PipelineStackProps extends StackProps {
  /** The environment to deploy, with its sources and datasets (overrides applied). */
  readonly resolved: ResolvedEnvironment;
}

/**
 * One environment's pipeline: storage (key + buckets), ingestion (queue → parser) and the producers'
 * upload roles. Later constructs (Snowflake, monitoring) read the public properties below.
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

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    const { project, environment, sources, datasets } = props.resolved;
    const namePrefix = `${project}-${environment.name}`;
    super(scope, id, { stackName: `${namePrefix}-pipeline`, ...props });
    this.namePrefix = namePrefix;
    this.removalPolicy = environment.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

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
      sourceNames: sources.map((s) => s.name),
      ingestion: environment.ingestion,
      logRetention: logRetention(environment.retention?.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS),
      removalPolicy: this.removalPolicy,
    });
    this.uploadRoles = new SourceUploadRoles(this, 'UploadRoles', {
      inboundBucket: this.storage.inboundBucket,
      encryptionKey: this.storage.key,
      sources,
      datasetNames: datasets.map((d) => d.name),
      roleNamePrefix: `${namePrefix}-upload`,
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
