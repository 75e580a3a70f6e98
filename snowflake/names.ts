/**
 * Names of the Snowflake objects the pipeline owns, derived once from the environment and the
 * dataset name. Everything that renders SQL (constructs, provisioner, plan, sandbox) uses these.
 * Values are canonical (upper-case, unquoted); quote them with quoteIdentifier/qualifiedName.
 */
import { stageDatasetPrefix } from '../contracts/object-keys';
import { canonicalName } from './identifiers';

export interface SchemaNames {
  readonly database: string;
  /** Bronze: landing tables, stage, file format, pipes, streams. @default RAW */
  readonly raw: string;
  /** Silver: typed, deduplicated tables, rejects, merge tasks. @default CORE */
  readonly core: string;
  /** Gold: user views. @default GOLD */
  readonly gold: string;
  /** Operations: file manifests and the file ledger. @default OPS */
  readonly ops: string;
}

export function schemaNames(database: string, overrides: Partial<Omit<SchemaNames, 'database'>> = {}): SchemaNames {
  return {
    database: canonicalName(database, 'database'),
    raw: canonicalName(overrides.raw ?? 'RAW', 'raw schema'),
    core: canonicalName(overrides.core ?? 'CORE', 'core schema'),
    gold: canonicalName(overrides.gold ?? 'GOLD', 'gold schema'),
    ops: canonicalName(overrides.ops ?? 'OPS', 'ops schema'),
  };
}

/** Fully qualified name parts `[database, schema, object]`. */
export type ObjectPath = readonly [string, string, string];

export function pipelineObjectNames(s: SchemaNames) {
  return {
    /** External stage over `s3://<stage bucket>/` (the COPY reads `data/<dataset>/` below it). */
    stage: [s.database, s.raw, 'PIPELINE_STAGE'] as ObjectPath,
    /** Gzip NDJSON file format of the stage lines. */
    fileFormat: [s.database, s.raw, 'STAGE_NDJSON_GZ'] as ObjectPath,
  };
}

/** Operations objects: the parser's file manifests (loaded by a pipe) and the file ledger view. */
export function opsObjectNames(s: SchemaNames) {
  return {
    /** One row per manifest file (see contracts/file-manifest.ts), columns MANIFEST_COLUMNS. */
    manifests: [s.database, s.ops, 'FILE_MANIFESTS'] as ObjectPath,
    /** Auto-ingest pipe loading `manifests/` of the stage into FILE_MANIFESTS. */
    manifestsPipe: [s.database, s.ops, 'FILE_MANIFESTS_PIPE'] as ObjectPath,
    /** One row per input object version, columns LEDGER_COLUMNS: is every row accounted for? */
    ledger: [s.database, s.ops, 'FILE_LEDGER'] as ObjectPath,
  };
}

/** Columns of OPS.FILE_MANIFESTS, filled by its pipe's COPY (same file format as the stage lines). */
export const MANIFEST_COLUMNS = [
  { name: 'MANIFEST', type: 'VARIANT', from: '$1' },
  { name: 'STAGE_FILE', type: 'VARCHAR', from: 'METADATA$FILENAME' },
  { name: 'LOADED_AT', type: 'TIMESTAMP_TZ', from: 'METADATA$START_SCAN_TIME' },
] as const;

/**
 * Columns of the OPS.FILE_LEDGER view, one row per input object version (source_key, version_id, received_at).
 * rows_loaded counts bronze rows; rows_merged rows of that version now in silver; rows_superseded rows that lost to
 * a newer version of their key; rows_rejected rows in <DATASET>_REJECTS that are not in silver; cast_failures
 * CAST_FAILED values (a row kept in silver with NULL counts as merged, not rejected). accounted is true when
 * rows_in = rows_merged + rows_superseded + rows_rejected + rows_quarantined (staged files), or the file is
 * quarantined with its report, or superseded.
 */
export const LEDGER_COLUMNS = [
  'SOURCE_KEY',
  'VERSION_ID',
  'SOURCE',
  'DATASET',
  'RECEIVED_AT',
  'STATUS',
  'REASON',
  'ROWS_IN',
  'ROWS_STAGED',
  'ROWS_QUARANTINED',
  'ROWS_LOADED',
  'ROWS_MERGED',
  'ROWS_SUPERSEDED',
  'ROWS_REJECTED',
  'CAST_FAILURES',
  'DRIFT',
  'DRIFT_DETECTED',
  'QUARANTINE_OBJECTS',
  'ACCOUNTED',
] as const;

export function datasetObjectNames(s: SchemaNames, dataset: string) {
  const d = canonicalName(dataset, 'dataset name');
  return {
    /** Bronze landing table (VARIANT + lineage), loaded by the pipe. */
    bronze: [s.database, s.raw, d] as ObjectPath,
    pipe: [s.database, s.raw, `${d}_PIPE`] as ObjectPath,
    /** Append-only stream on the bronze table. */
    stream: [s.database, s.raw, `${d}_STREAM`] as ObjectPath,
    /** Silver table (typed, deduplicated). */
    silver: [s.database, s.core, d] as ObjectPath,
    /** Rows whose primary key could not be cast, with the reason. */
    rejects: [s.database, s.core, `${d}_REJECTS`] as ObjectPath,
    /** Task running the MERGE from the stream into silver. */
    task: [s.database, s.core, `${d}_MERGE`] as ObjectPath,
  };
}

/**
 * Bronze table columns: the contract between the pipe's COPY (which fills them from the stage
 * line and the load metadata) and the silver MERGE (which reads them).
 */
export const BRONZE_COLUMNS = [
  { name: 'RECORD', type: 'VARIANT', from: '$1:record' },
  { name: 'SOURCE', type: 'VARCHAR', from: '$1:source::VARCHAR' },
  { name: 'SOURCE_KEY', type: 'VARCHAR', from: '$1:source_key::VARCHAR' },
  { name: 'SOURCE_ROW', type: 'NUMBER(38,0)', from: '$1:source_row::NUMBER(38,0)' },
  { name: 'RECEIVED_AT', type: 'TIMESTAMP_TZ', from: '$1:received_at::TIMESTAMP_TZ' },
  { name: 'STAGE_FILE', type: 'VARCHAR', from: 'METADATA$FILENAME' },
  { name: 'STAGE_ROW', type: 'NUMBER(38,0)', from: 'METADATA$FILE_ROW_NUMBER' },
  { name: 'LOADED_AT', type: 'TIMESTAMP_TZ', from: 'METADATA$START_SCAN_TIME' },
] as const;

/** Storage integration of an environment (account-level object): `INGEST_DEV_S3`. */
export function storageIntegrationName(project: string, environment: string): string {
  return canonicalName(`${project}_${environment}_S3`.replace(/-/g, '_'), 'storage integration name');
}

/** Fixed name of the IAM role Snowflake assumes (its ARN is computed from it to break the cycle). */
export function snowflakeRoleName(project: string, environment: string): string {
  return `${project}-${environment}-snowflake-s3`;
}

/** Default STORAGE_AWS_EXTERNAL_ID: deterministic per project and environment. */
export function defaultExternalId(project: string, environment: string): string {
  return `${project}:${environment}:snowflake-s3`;
}

/** Stage path read by a dataset's pipe (below the stage URL). */
export function datasetStagePath(dataset: string): string {
  canonicalName(dataset, 'dataset name');
  return stageDatasetPrefix(dataset);
}
