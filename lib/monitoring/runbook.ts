/**
 * Runbook anchors: every alarm's description links to its section of docs/operations.md
 * (`<runbookUrl>#<anchor>`). The document declares each anchor with `<a id="…"></a>`; a test keeps
 * the two in step.
 */
export const RUNBOOK_ANCHORS = {
  deadLetterDepth: 'alarm-dlq-depth',
  deadLetterAge: 'alarm-dlq-age',
  inboundAge: 'alarm-inbound-age',
  parserErrors: 'alarm-parser-errors',
  parserThrottles: 'alarm-parser-throttles',
  parserDuration: 'alarm-parser-duration',
  rejectedRows: 'alarm-rejected-rows',
  filesQuarantined: 'alarm-files-quarantined',
  filesWithDrift: 'alarm-files-with-drift',
} as const;

/** Runbook anchors of the Snowflake health monitor's alarms (lib/monitoring/health-monitor.ts). */
export const HEALTH_RUNBOOK_ANCHORS = {
  heartbeat: 'alarm-health-monitor-heartbeat',
  pipeNotRunning: 'alarm-pipe-not-running',
  pipeBacklog: 'alarm-pipe-backlog',
  loadErrors: 'alarm-load-errors',
  taskFailures: 'alarm-task-failures',
  taskSuspended: 'alarm-task-suspended',
  streamStale: 'alarm-stream-stale',
  freshness: 'alarm-freshness',
  checkErrors: 'alarm-check-errors',
} as const;

/** Runbook anchors of the Snowflake error notifications (lib/monitoring/snowflake-error-topic.ts). */
export const SNOWFLAKE_ERROR_RUNBOOK_ANCHORS = {
  errorNotifications: 'alarm-snowflake-errors',
} as const;

/** Runbook anchors of the pipe refresher's alarms (lib/monitoring/pipe-refresher.ts). */
export const PIPE_REFRESHER_RUNBOOK_ANCHORS = {
  failures: 'alarm-pipe-refresh-failures',
  errors: 'alarm-pipe-refresher-errors',
  heartbeat: 'alarm-pipe-refresher-heartbeat',
  queuedFiles: 'alarm-pipe-refresh-queued',
} as const;

export type RunbookAnchor = (typeof RUNBOOK_ANCHORS)[keyof typeof RUNBOOK_ANCHORS];

/** Default location of the runbook: the repository path, as operators see it in the alarm e-mail. */
export const DEFAULT_RUNBOOK_URL = 'docs/operations.md';
