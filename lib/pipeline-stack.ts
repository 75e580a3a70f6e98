import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ResolvedEnvironment } from '../contracts/config';
import { PIPELINE_STACK_OUTPUTS, pipelineStackName } from '../contracts/stack-outputs';
import type { SourceUploadRoles } from './access/source-upload-roles';
import type { ParserIngestion } from './ingestion/parser-ingestion';
import type { HealthMonitor } from './monitoring/health-monitor';
import type { PipeRefresher } from './monitoring/pipe-refresher';
import type { PipelineMonitoring } from './monitoring/pipeline-monitoring';
import type { SnowflakeErrorTopic } from './monitoring/snowflake-error-topic';
import { S3SnowflakePipeline } from './s3-snowflake-pipeline';
import type { SnowflakeIngestion } from './snowflake';
import { sqlDirectories } from './snowflake/data-model-input';
import type { PipelineStorage } from './storage/pipeline-storage';

export { logRetention } from './s3-snowflake-pipeline';

export interface PipelineStackProps extends StackProps {
  /** The environment to deploy, with its sources and datasets (overrides applied). */
  readonly resolved: ResolvedEnvironment;
}

/**
 * This app's stack for one environment: the {@link S3SnowflakePipeline} construct built from the project's
 * config file, with the project's gold views and follow-up tasks. The construct's id is `Default`, so its
 * resources keep the logical ids they had when this stack built the parts itself.
 */
export class PipelineStack extends Stack {
  readonly pipeline: S3SnowflakePipeline;
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
    const { project, environment, sources, datasets, tasks } = props.resolved;
    super(scope, id, { stackName: pipelineStackName(project, environment.name), ...props });
    // The config's SQL folder (gold, tasks, warehouse, mart), else this repository's.
    const sql = sqlDirectories(props.resolved.sqlDirectory);
    const pipeline = new S3SnowflakePipeline(this, 'Default', {
      project,
      environmentName: environment.name,
      sources,
      datasets,
      snowflake: environment.snowflake,
      removalPolicy: environment.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      retention: environment.retention,
      ingestion: environment.ingestion,
      alarms: environment.alarms,
      tasks,
      goldDirectory: sql.goldDirectory,
      tasksDirectory: sql.tasksDirectory,
      ...(props.resolved.vault
        ? { vault: props.resolved.vault, warehouseDirectory: sql.warehouseDirectory, martDirectory: sql.martDirectory }
        : {}),
    });
    this.pipeline = pipeline;
    this.namePrefix = pipeline.namePrefix;
    this.removalPolicy = pipeline.removalPolicy;
    this.storage = pipeline.storage;
    this.ingestion = pipeline.ingestion;
    this.uploadRoles = pipeline.uploadRoles;
    this.snowflake = pipeline.snowflake;
    this.monitoring = pipeline.monitoring;
    this.healthMonitor = pipeline.healthMonitor;
    this.snowflakeErrors = pipeline.snowflakeErrors;
    this.pipeRefresher = pipeline.pipeRefresher;
    this.key = pipeline.storage.key;
    this.queueKey = pipeline.ingestion.queueKey;
    this.inboundBucket = pipeline.storage.inboundBucket;
    this.stageBucket = pipeline.storage.stageBucket;
    this.archiveBucket = pipeline.storage.archiveBucket;
    this.queue = pipeline.ingestion.queue;
    this.deadLetterQueue = pipeline.ingestion.deadLetterQueue;
    this.parserFunction = pipeline.ingestion.parser;
    // The bucket names the CLIs read from the deployed stack (`npm run replay` without bucket names) and
    // producers pass to the uploader; one output per bucket, keyed as in contracts/stack-outputs.ts.
    const buckets = {
      inboundBucket: this.inboundBucket,
      stageBucket: this.stageBucket,
      archiveBucket: this.archiveBucket,
    };
    for (const [name, bucket] of Object.entries(buckets) as [keyof typeof PIPELINE_STACK_OUTPUTS, s3.IBucket][]) {
      new CfnOutput(this, PIPELINE_STACK_OUTPUTS[name], {
        description: `${name.replace('Bucket', '')} bucket of ${this.namePrefix}`,
        value: bucket.bucketName,
      });
    }
  }
}
