/**
 * The package's public API: the `S3SnowflakePipeline` L3 construct, the L2 constructs it composes (each
 * usable alone), the config/spec types and schema, and the cdk-nag helpers.
 */
export * from './s3-snowflake-pipeline';
export * from './storage/pipeline-storage';
export * from './ingestion/parser-ingestion';
export * from './access/source-upload-roles';
export * from './access/roles-anywhere';
export * from './monitoring/pipeline-monitoring';
export * from './monitoring/health-monitor';
export * from './monitoring/pipe-refresher';
export * from './monitoring/snowflake-error-topic';
export * from './monitoring/alarm-topic';
export * from './functions/pipeline-function';
export * from './snowflake';
export * from './nag/acknowledge';
export * from './nag/checks';
export * from './nag/template-checks';
export * from './nag/cdk-helpers';
export * from './sql-loader';
export * as contracts from './contracts';
