/**
 * Defaults with one source: the constructs (lib/), the handlers (lambda/), the tools (bin/) and the config
 * schema's `@default` texts (contracts/config.ts) all read them from here. No imports.
 */

/** Storage lifecycle defaults (`retention` in the config), in days. Archive objects never expire by default. */
export const DEFAULT_RETENTION = {
  archiveInfrequentAccessDays: 30,
  archiveGlacierDays: 90,
  stageExpireDays: 30,
  quarantineExpireDays: 90,
  accessLogExpireDays: 365,
  /** CloudWatch log retention of the functions (`retention.logRetentionDays`). */
  logRetentionDays: 30,
} as const;

/** Parser ingestion defaults (`ingestion` in the config). */
export const DEFAULT_INGESTION = {
  batchSize: 10,
  maxBatchingWindowSeconds: 5,
  parserTimeoutSeconds: 900,
  parserMemoryMb: 2048,
  maxReceiveCount: 5,
  maxConcurrency: 10,
} as const;

/** The queue's visibility timeout is at least this many times the parser's timeout (AWS guidance for SQS → Lambda). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * Minutes between Snowflake health checks, and their look-back, unless configured
 * (`snowflake.monitor.scheduleMinutes`, HealthMonitor `schedule`, HEALTH_MONITOR_WINDOW_MINUTES). Each check
 * resumes the warehouse briefly (billed per minute, 60 s minimum).
 */
export const DEFAULT_HEALTH_CHECK_MINUTES = 15;

/**
 * Grace period of the unaccounted-files check: a file (OPS.FILE_LEDGER row) whose upload's event time
 * (RECEIVED_AT) is older than this and that is still not ACCOUNTED is reported. It covers parsing, the pipes
 * (manifest and data), the MERGE task and its schedule (HealthMonitor `ledgerGraceMinutes`, the handler's
 * fallback).
 */
export const DEFAULT_LEDGER_GRACE_MINUTES = 60;

/**
 * Roles Anywhere session length, in seconds: the profile's default (`sources[].rolesAnywhere.sessionDurationSeconds`)
 * and what the uploader asks for (the profile may cap it).
 */
export const DEFAULT_ROLES_ANYWHERE_SESSION_SECONDS = 3600;

/**
 * UTC date prefixes the pipe refresher refreshes per run, today included (PipeRefresher `lookbackDays`,
 * PIPE_REFRESHER_LOOKBACK_DAYS), and its upper bound: Snowflake's REFRESH only sees files staged in the
 * last 7 days.
 */
export const DEFAULT_REFRESH_LOOKBACK_DAYS = 2;
export const MAX_REFRESH_LOOKBACK_DAYS = 7;
