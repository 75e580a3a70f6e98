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
  /**
   * Optional known sources: a JSON array of names (any dataset) or `{ "<source>": ["<dataset>", …] | "*" }`
   * (the datasets each may write); unset → any well-formed source name, any dataset.
   */
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

/**
 * A handler bundle pre-built at package build time cannot have these globals `define`d: the construct
 * writes their values into this JSON file (`{ "<global>": "<value>" }`) beside the bundle's `index.js`,
 * and the handler reads it at init when the global is not defined.
 */
export const BUNDLED_GLOBALS_FILE = 'bundled-globals.json';

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
  /** Staged files whose record keys differ from the dataset's column paths (lambda/parser/schema-drift.ts). */
  filesWithDrift: 'FilesWithDrift',
} as const;

/** Further parser metrics (same namespace and dimensions as PARSER_METRICS). */
export const PARSER_DETAIL_METRICS = {
  /** Events whose object was gone and not archived (logged and acknowledged). */
  filesMissing: 'FilesMissing',
  /** Milliseconds spent on one object version. */
  fileDuration: 'FileDuration',
} as const;

/** Snowflake connection of the scheduled Snowflake functions (health monitor, pipe refresher). */
export const SNOWFLAKE_FUNCTION_ENV = {
  /** JSON ConnectionSettings: account, user, role, warehouse, privateKeySecretArn, host?, accessUrl?. */
  connection: 'SNOWFLAKE_CONNECTION',
  /** JSON `{ "database": "INGEST", "raw"?: "RAW", "core"?: "CORE" }`. */
  schemas: 'SNOWFLAKE_SCHEMAS',
} as const;

/** Health monitor environment (lambda/health-monitor, lib/monitoring/health-monitor.ts). */
export const HEALTH_MONITOR_ENV = {
  ...SNOWFLAKE_FUNCTION_ENV,
  /** Comma-separated dataset names. */
  datasets: 'HEALTH_MONITOR_DATASETS',
  /** Look-back of the history checks in minutes (the schedule period). @default DEFAULT_HEALTH_CHECK_MINUTES */
  windowMinutes: 'HEALTH_MONITOR_WINDOW_MINUTES',
  /** Minutes after its upload's event time a file must be accounted for in OPS.FILE_LEDGER. @default DEFAULT_LEDGER_GRACE_MINUTES */
  ledgerGraceMinutes: 'HEALTH_MONITOR_LEDGER_GRACE_MINUTES',
  /**
   * Comma-separated datasets loaded through their split dataset's pipe and bronze table (no pipe of their
   * own): their pipe and load checks are the split dataset's. @default none
   */
  splitTargets: 'HEALTH_MONITOR_SPLIT_TARGETS',
} as const;

export const HEALTH_MONITOR_SERVICE = 'health-monitor';

/** Health monitor metrics (namespace METRICS_NAMESPACE, dimensions service, environment, dataset). */
export const HEALTH_METRICS = {
  /** 1 when the pipe's executionState is not RUNNING (paused, stalled, stopped). */
  pipeNotRunning: 'PipeNotRunning',
  /** Files queued in the pipe, not yet loaded. */
  pipePendingFiles: 'PipePendingFiles',
  /** Files whose load failed or partially failed in the window (COPY_HISTORY). */
  loadFailedFiles: 'LoadFailedFiles',
  /** Rows rejected by COPY in the window. */
  loadErrorRows: 'LoadErrorRows',
  /** Rows loaded into bronze in the window. */
  rowsLoaded: 'RowsLoaded',
  /** Failed MERGE task runs in the window (TASK_HISTORY). */
  taskFailedRuns: 'TaskFailedRuns',
  /** 1 when the MERGE task is suspended. */
  taskSuspended: 'TaskSuspended',
  /** 1 when the stream on bronze is stale (its offset fell out of the table's retention). */
  streamStale: 'StreamStale',
  /** Hours until the stream becomes stale (STALE_AFTER − now). */
  streamHoursToStale: 'StreamHoursToStale',
  /** Rows in the stream waiting for the MERGE. */
  mergePendingRows: 'MergePendingRows',
  /** Age of the oldest row waiting for the MERGE, in seconds (0 when none): silver freshness. */
  mergeOldestPendingSeconds: 'MergeOldestPendingSeconds',
  /** Checks that could not run (query error): the monitor cannot see this dataset. */
  checkErrors: 'CheckErrors',
  /** CAST_FAILED rows written to CORE.<DATASET>_REJECTS in the window (one per value that failed its cast). */
  castFailures: 'CastFailures',
} as const;

/**
 * Health monitor metrics of the whole environment (dimensions service and environment, no dataset): the
 * file ledger (OPS.FILE_LEDGER) and the pipe that fills it.
 */
export const LEDGER_HEALTH_METRICS = {
  /** Files (object versions) not ACCOUNTED whose RECEIVED_AT is older than the grace period. */
  unaccountedFiles: 'UnaccountedFiles',
  /** Age in seconds of the oldest such file's RECEIVED_AT (0 when none). */
  oldestUnaccountedSeconds: 'OldestUnaccountedSeconds',
  /** 1 when OPS.FILE_MANIFESTS_PIPE is not RUNNING: no manifest reaches the ledger, so nothing can be unaccounted. */
  manifestsPipeNotRunning: 'ManifestsPipeNotRunning',
  /** Ledger checks that could not run (query error, e.g. a missing SELECT privilege). */
  ledgerCheckErrors: 'LedgerCheckErrors',
} as const;

/** Health monitor heartbeat (dimensions service and environment only), 1 per completed run. */
export const MONITOR_RUNS_METRIC = 'MonitorRuns';

/** Pipe refresher environment (lambda/pipe-refresher, lib/monitoring/pipe-refresher.ts). */
export const PIPE_REFRESHER_ENV = {
  ...SNOWFLAKE_FUNCTION_ENV,
  /** Comma-separated dataset names. */
  datasets: 'PIPE_REFRESHER_DATASETS',
  /** UTC days refreshed per run, today included (1 = today only, 2 = today and yesterday). @default 2 */
  lookbackDays: 'PIPE_REFRESHER_LOOKBACK_DAYS',
} as const;

export const PIPE_REFRESHER_SERVICE = 'pipe-refresher';

/** Pipe refresher metrics (namespace METRICS_NAMESPACE, dimensions service and environment). */
export const PIPE_REFRESHER_METRICS = {
  /** Files a REFRESH sent to the pipe's queue (one row per file); also per `dataset`. */
  filesQueued: 'RefreshFilesQueued',
  /** REFRESH statements that failed in the run (data and manifests pipes); also per `dataset`. */
  failures: 'RefreshFailures',
  /** File manifests a REFRESH of OPS.FILE_MANIFESTS_PIPE sent to its queue; also per `dataset`. */
  manifestsQueued: 'RefreshManifestsQueued',
  /** Heartbeat: 1 per completed run (no `dataset` dimension). */
  runs: 'RefresherRuns',
} as const;

/**
 * File manifests: for every received object version the parser finishes (staged, quarantined or
 * superseded) it writes exactly one manifest, one gzip JSON line (`FileManifest`, contracts/file-manifest.ts),
 * to the stage bucket under this prefix, as its last output before archiving. Snowflake loads them into
 * `OPS.FILE_MANIFESTS` (a pipe), and `OPS.FILE_LEDGER` joins them with bronze, silver and rejects.
 */
export const MANIFEST_PREFIX = 'manifests/';

/**
 * User metadata the parser stores on every archive copy (S3 metadata is ASCII: the key is URL-encoded).
 * The replay tool and the parser read it back: a replayed original keeps its original identity.
 */
export const ARCHIVE_METADATA = {
  originalKey: 'original-key',
  originalBucket: 'original-bucket',
  /** `null` on an unversioned bucket. */
  originalVersionId: 'original-version-id',
  originalETag: 'original-etag',
  sequencer: 'sequencer',
  /** The original upload's S3 event time (ISO-8601 UTC, ms). */
  receivedAt: 'received-at',
} as const;

/**
 * User metadata the replay tool sets on each object it copies back into the inbound bucket: the
 * URI-encoded archive key it came from. The parser then processes the copy as the original version
 * (same event time, same output names and bytes), reading that identity from the archive object.
 */
export const REPLAYED_FROM_METADATA = 'replayed-from';

/**
 * Timing of the Snowflake provisioner (one source for the construct and the handler). onEvent only
 * validates; the work runs in the Provider framework's isComplete, which the framework calls every
 * `queryIntervalSeconds` until it reports completion or `totalTimeoutMinutes` pass. One invocation
 * stops waiting after `invocationBudgetFraction` of its Lambda timeout and hands the rest (IAM
 * propagation, a pipe's owed REFRESH, a task graph another deployment is changing) to the next call.
 */
export const PROVISIONER_TIMING = {
  /** Lambda timeout of the provisioner (onEvent and isComplete). */
  lambdaTimeoutSeconds: 300,
  /** Fraction of the Lambda timeout one invocation may spend waiting before it returns "not yet". */
  invocationBudgetFraction: 0.5,
  /** Interval between isComplete calls. */
  queryIntervalSeconds: 30,
  /** Longest time one resource change may take across isComplete calls. */
  totalTimeoutMinutes: 120,
} as const;
