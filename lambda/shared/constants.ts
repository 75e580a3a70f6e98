/**
 * Names shared by the infrastructure (lib/) and the handlers (lambda/): environment variables,
 * key layouts and custom resource types. One place, so the two sides never drift apart.
 * No imports: this module is bundled into every function.
 */

/** Parser function environment (see "Parser function" in the README). */
export const PARSER_ENV = {
  inboundBucket: 'INBOUND_BUCKET',
  stageBucket: 'STAGE_BUCKET',
  archiveBucket: 'ARCHIVE_BUCKET',
  /** Optional: where quarantine entries go. @default STAGE_BUCKET */
  quarantineBucket: 'QUARANTINE_BUCKET',
  /** JSON array of dataset specs; always honoured when set. */
  datasets: 'DATASETS',
  /** Optional JSON array of known source names; unset → any well-formed source name is accepted. */
  sources: 'SOURCES',
  /** Optional gzip level for stage output (1-9). */
  gzipLevel: 'GZIP_LEVEL',
} as const;

/** Key prefixes in the stage bucket. Snowpipe reads `data/` only. */
export const STAGE_DATA_PREFIX = 'data/';
export const QUARANTINE_PREFIX = 'quarantine/';

/**
 * Global constant that esbuild `define`s in the deployed parser bundle with the datasets JSON
 * (Lambda's environment is limited to 4 KB). `DATASETS` in the environment still wins.
 */
export const BUNDLED_DATASETS_GLOBAL = '__PIPELINE_DATASETS__';
export const BUNDLED_SOURCES_GLOBAL = '__PIPELINE_SOURCES__';

/** Powertools service names and the metrics namespace. */
export const METRICS_NAMESPACE = 'S3SnowflakePipeline';
export const PARSER_SERVICE = 'parser';
export const PROVISIONER_SERVICE = 'snowflake-provisioner';

/** Environment variable naming the deployment environment (a metric dimension). @default 'local' */
export const PIPELINE_ENVIRONMENT_ENV = 'PIPELINE_ENVIRONMENT';

/**
 * Parser metrics (namespace METRICS_NAMESPACE, dimensions `service` = PARSER_SERVICE and
 * `environment`). The alarms in lib/ refer to these names: keep them in step.
 */
export const PARSER_METRICS = {
  filesProcessed: 'FilesProcessed',
  filesQuarantined: 'FilesQuarantined',
  filesSuperseded: 'FilesSuperseded',
  rowsIn: 'RowsIn',
  rowsOut: 'RowsOut',
  rowsRejected: 'RowsRejected',
  bytesIn: 'BytesIn',
} as const;
