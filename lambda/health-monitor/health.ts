/**
 * Pure part of the health monitor: query results → per-dataset health → metric points.
 * No I/O; every input is the rows the Snowflake driver returns (values as strings).
 */
import { HEALTH_METRICS, MONITOR_RUNS_METRIC } from '../../contracts/constants';
import type { Row } from '../../contracts/sql-session';
import type { CheckName } from './queries';

/** Metric names: contracts/constants.ts (shared with the alarms in lib/monitoring). */
export { HEALTH_METRICS, MONITOR_RUNS_METRIC };

export type HealthMetricName = (typeof HEALTH_METRICS)[keyof typeof HEALTH_METRICS];

export interface MetricPoint {
  readonly dataset: string;
  readonly name: HealthMetricName;
  readonly unit: 'Count' | 'Seconds' | 'None';
  readonly value: number;
}

/** What each check returned, or the error that prevented it. */
export type CheckResults = Partial<Record<CheckName, { readonly rows: readonly Row[] } | { readonly error: string }>>;

/** Raised when a result does not have the expected shape (names the check and the field). */
export class HealthResultError extends Error {
  override readonly name = 'HealthResultError';
}

/** Case-insensitive column read (SHOW returns lower-case names, SELECT aliases are upper-case). */
function field(row: Row | undefined, name: string): string | null | undefined {
  if (!row) return undefined;
  const key = Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : row[key];
}

function numberField(check: string, row: Row | undefined, name: string): number {
  const raw = field(row, name);
  const value = raw === null || raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isFinite(value)) throw new HealthResultError(`${check}: ${name} is not a number: ${JSON.stringify(raw)}`);
  return value;
}

/** The parts of SYSTEM$PIPE_STATUS the monitor uses. */
export interface PipeStatus {
  readonly executionState: string;
  readonly pendingFileCount: number;
  readonly error?: string;
}

export function parsePipeStatus(json: string | null | undefined): PipeStatus {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json ?? '');
  } catch (cause) {
    const error = new HealthResultError(`pipe: SYSTEM$PIPE_STATUS returned no JSON object: ${JSON.stringify(json)}`);
    error.cause = cause;
    throw error;
  }
  const o = parsed as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || typeof o.executionState !== 'string') {
    throw new HealthResultError(`pipe: SYSTEM$PIPE_STATUS has no executionState: ${JSON.stringify(json)}`);
  }
  const pending = Number(o.pendingFileCount ?? 0);
  return {
    executionState: o.executionState,
    pendingFileCount: Number.isFinite(pending) ? pending : 0,
    error: typeof o.error === 'string' ? o.error : undefined,
  };
}

/**
 * Metric points of one dataset. A check that failed (or returned an unexpected shape) yields no
 * points of its own and counts in CheckErrors; `problems` says why, for the logs.
 */
export function datasetMetrics(
  dataset: string,
  objectNames: { readonly task: string; readonly stream: string },
  results: CheckResults,
  now: Date,
): { points: MetricPoint[]; problems: string[] } {
  const points: MetricPoint[] = [];
  const problems: string[] = [];
  const point = (name: HealthMetricName, value: number, unit: MetricPoint['unit'] = 'Count') =>
    points.push({ dataset, name, unit, value });
  let errors = 0;
  const run = (check: CheckName, read: (rows: readonly Row[]) => void) => {
    const result = results[check];
    if (!result) return;
    if ('error' in result) {
      errors += 1;
      problems.push(`${check}: ${result.error}`);
      return;
    }
    const before = points.length;
    try {
      read(result.rows);
    } catch (error) {
      errors += 1;
      points.splice(before); // no partial output from a check that failed half-way
      const message = (error as Error).message;
      problems.push(message.startsWith(`${check}: `) ? message : `${check}: ${message}`);
    }
  };
  const named = (rows: readonly Row[], check: string, name: string) => {
    const row = rows.find((r) => (field(r, 'name') ?? '').toUpperCase() === name.toUpperCase());
    if (!row) throw new HealthResultError(`${check}: ${name} does not exist`);
    return row;
  };

  run('pipe', (rows) => {
    const status = parsePipeStatus(field(rows[0], 'STATUS'));
    point(HEALTH_METRICS.pipeNotRunning, status.executionState === 'RUNNING' ? 0 : 1);
    point(HEALTH_METRICS.pipePendingFiles, status.pendingFileCount);
    if (status.executionState !== 'RUNNING') problems.push(`pipe: executionState ${status.executionState}`);
  });
  run('loads', (rows) => {
    point(HEALTH_METRICS.loadFailedFiles, numberField('loads', rows[0], 'FAILED_FILES'));
    point(HEALTH_METRICS.loadErrorRows, numberField('loads', rows[0], 'ERROR_ROWS'));
    point(HEALTH_METRICS.rowsLoaded, numberField('loads', rows[0], 'ROWS_LOADED'));
  });
  run('taskRuns', (rows) => {
    const failed = numberField('taskRuns', rows[0], 'FAILED_RUNS');
    point(HEALTH_METRICS.taskFailedRuns, failed);
    const last = field(rows[0], 'LAST_ERROR');
    if (failed > 0 && last) problems.push(`taskRuns: ${failed} failed run(s), last error: ${last}`);
  });
  run('task', (rows) => {
    const state = (field(named(rows, 'task', objectNames.task), 'state') ?? '').toLowerCase();
    point(HEALTH_METRICS.taskSuspended, state === 'started' ? 0 : 1);
    if (state !== 'started') problems.push(`task: ${objectNames.task} is ${state || 'in an unknown state'}`);
  });
  run('stream', (rows) => {
    const row = named(rows, 'stream', objectNames.stream);
    const stale = (field(row, 'stale') ?? '').toLowerCase() === 'true';
    point(HEALTH_METRICS.streamStale, stale ? 1 : 0);
    const staleAfter = Date.parse(field(row, 'stale_after') ?? '');
    if (!Number.isNaN(staleAfter)) {
      point(HEALTH_METRICS.streamHoursToStale, Math.max(0, (staleAfter - now.getTime()) / 3_600_000), 'None');
    }
    if (stale) problems.push(`stream: ${objectNames.stream} is stale`);
  });
  run('merge', (rows) => {
    point(HEALTH_METRICS.mergePendingRows, numberField('merge', rows[0], 'PENDING_ROWS'));
    point(HEALTH_METRICS.mergeOldestPendingSeconds, numberField('merge', rows[0], 'OLDEST_PENDING_SECONDS'), 'Seconds');
  });

  run('castFailures', (rows) => {
    const failures = numberField('castFailures', rows[0], 'CAST_FAILURES');
    point(HEALTH_METRICS.castFailures, failures);
    if (failures > 0)
      problems.push(`castFailures: ${failures} value(s) failed their column's cast (CAST_FAILED rejects)`);
  });

  point(HEALTH_METRICS.checkErrors, errors);
  return { points, problems };
}
