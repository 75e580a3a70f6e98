/**
 * Snowpipe with AUTO_INGEST: loads `@<stage>/<path>` into a table, filling exactly the definition's
 * `columns` (target column + COPY transformation expression), by default BRONZE_COLUMNS (a dataset's
 * bronze table: lineage from METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, METADATA$START_SCAN_TIME).
 * The COPY is `COPY INTO t (c1, …) FROM (SELECT e1, … FROM @stage/path) FILE_FORMAT = (FORMAT_NAME = …)`:
 * a transformation (Snowflake: then no MATCH_BY_COLUMN_NAME, no WHERE; copy options FILES, ON_ERROR =
 * ABORT_STATEMENT, SIZE_LIMIT, PURGE, FORCE, VALIDATION_MODE are not allowed in a pipe), one SELECT
 * item per target column, no PATTERN (the path selects the files: every file below it is loaded).
 *
 * A pipe's COPY cannot be altered. A COPY change (or a `STOPPED_*` pipe) follows this procedure so no
 * file is missed or loaded twice, without waiting for the backlog (files submitted to a paused pipe
 * stay pending until it resumes): pause; record the instant from which staged files are re-examined
 * (refreshInstant: before every pending file and the pause) in the pipe's comment, where a retry
 * and a rollback find it; recreate (the marker travels in the new pipe's comment); resume;
 * `REFRESH MODIFIED_AFTER` that instant (a failure there is retried by the provider); then the
 * comment is restored. REFRESH checks the table's load history, so repeating it loads nothing
 * twice. A running pipe is never CREATE OR REPLACEd. Comment and error-integration changes are ALTERs.
 */
import { z } from 'zod';
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import { BRONZE_COLUMNS } from '../names';
import type { ObjectKind, Plan, Step } from '../engine/types';
import { comment, exactRow, identifier, objectRef, quoteRef, sameComment, showInSchema } from '../engine/values';

/**
 * A COPY transformation expression the kind accepts (validated, never free SQL): a column of the staged
 * file `$<n>`, optionally an element path `$1:a.b` and a cast `::TYPE`, or a load metadata column.
 */
export const COPY_EXPRESSION =
  /^(\$[1-9]\d{0,2}(:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?(::(VARCHAR|VARIANT|BOOLEAN|DATE|TIMESTAMP_(TZ|NTZ|LTZ)|NUMBER\(\d{1,2},\d{1,2}\)))?|METADATA\$(FILENAME|FILE_ROW_NUMBER|FILE_CONTENT_KEY|FILE_LAST_MODIFIED|START_SCAN_TIME))$/;

/** One target column of the COPY and the expression that fills it. */
export const copyColumn = z
  .object({
    name: identifier,
    from: z
      .string()
      .regex(
        COPY_EXPRESSION,
        'must be $<n>[:path][::TYPE] or a METADATA$ column (FILENAME, FILE_ROW_NUMBER, FILE_CONTENT_KEY, FILE_LAST_MODIFIED, START_SCAN_TIME)',
      ),
  })
  .strict();

export const pipeDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    /** Bronze table DATABASE.SCHEMA.NAME. */
    table: objectRef,
    /** External stage DATABASE.SCHEMA.NAME. */
    stage: objectRef,
    /** Path below the stage, e.g. `data/orders/`. */
    path: z
      .string()
      .regex(/^([a-z0-9_-]+\/)+$/, 'must be a relative path of lower-case segments ending with /, e.g. data/orders/'),
    /** File format DATABASE.SCHEMA.NAME. */
    fileFormat: objectRef,
    /**
     * Target columns of the table, in order, each with the expression that fills it (one SELECT item
     * per column). @default BRONZE_COLUMNS (a dataset's bronze table)
     */
    columns: z
      .array(copyColumn)
      .min(1, 'must list at least one column')
      .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, 'must not name a column twice')
      .optional(),
    /** Notification integration for load errors. @default none */
    errorIntegration: identifier.optional(),
    comment,
  })
  .strict();
export type PipeDefinition = z.infer<typeof pipeDefinition>;

export interface PipeState {
  /** The COPY statement as stored by Snowflake. */
  readonly definition: string;
  readonly notificationChannel: string | null;
  readonly errorIntegration: string | null;
  /** The user's comment (without the refresh marker). */
  readonly comment: string | null;
  /** Instant recorded by a recreation whose REFRESH has not run yet (ISO-8601), from the comment. */
  readonly refreshFrom: string | null;
  /** `RUNNING`, `PAUSED`, `STOPPED_*`… from SYSTEM$PIPE_STATUS. */
  readonly executionState: string;
  readonly pendingFileCount: number;
  readonly oldestFileTimestamp?: string;
}

const fqn = (d: PipeDefinition) => qualifiedName(d.database, d.schema, d.name);
const normalize = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const nullish = (v: string | null | undefined) =>
  v === undefined || v === null || v === '' || v === 'null' ? null : v;

/** The pipe's COPY statement: every target column (default BRONZE_COLUMNS), in order, from its `from` expression. */
export function renderCopy(d: PipeDefinition): string {
  const target = d.columns ?? BRONZE_COLUMNS;
  const columns = target.map((c) => quoteIdentifier(c.name)).join(', ');
  const values = target.map((c) => c.from).join(', ');
  return (
    `COPY INTO ${quoteRef(d.table)} (${columns}) FROM (SELECT ${values} FROM @${quoteRef(d.stage)}/${d.path})` +
    ` FILE_FORMAT = (FORMAT_NAME = ${stringLiteral(d.fileFormat)})`
  );
}

function createPipe(d: PipeDefinition, orReplace: boolean): string {
  return (
    `CREATE ${orReplace ? 'OR REPLACE ' : ''}PIPE ${fqn(d)} AUTO_INGEST = TRUE` +
    (d.errorIntegration ? ` ERROR_INTEGRATION = ${quoteIdentifier(d.errorIntegration)}` : '') +
    (d.comment ? ` COMMENT = ${stringLiteral(d.comment)}` : '') +
    ` AS ${renderCopy(d)}`
  );
}

/** What SYSTEM$PIPE_STATUS reports that the procedures use. */
export interface PipeStatus {
  readonly executionState: string;
  readonly pendingFileCount: number;
  /** When the oldest pending file was queued (not its last-modified time), if any is pending. */
  readonly oldestFileTimestamp?: string;
}

/** Parses SYSTEM$PIPE_STATUS JSON. */
export function parsePipeStatus(json: string | null | undefined): PipeStatus {
  try {
    const s = JSON.parse(json ?? '{}') as {
      executionState?: string;
      pendingFileCount?: number | string;
      oldestFileTimestamp?: string;
    };
    return {
      executionState: String(s.executionState ?? 'UNKNOWN'),
      pendingFileCount: Number(s.pendingFileCount ?? 0),
      ...(s.oldestFileTimestamp ? { oldestFileTimestamp: String(s.oldestFileTimestamp) } : {}),
    };
  } catch {
    return { executionState: 'UNKNOWN', pendingFileCount: 0 };
  }
}

/** `SELECT SYSTEM$PIPE_STATUS('DB.RAW.P')`. */
export function pipeStatusQuery(pipeRef: string): string {
  return `SELECT SYSTEM$PIPE_STATUS(${stringLiteral(pipeRef.replace(/"/g, ''))}) AS STATUS`;
}

/**
 * How far before a pending file's queue time (or the pause) the re-examination starts. A stage
 * object's S3 last-modified time is when its upload began (a multipart upload's initiation), and
 * the parser writes one within its Lambda run (at most 15 minutes) before S3 notifies Snowpipe.
 */
export const PIPE_REFRESH_LOOKBACK_MINUTES = 15;
/** ALTER PIPE … REFRESH only looks back 7 days. */
const REFRESH_WINDOW_MS = 7 * 24 * 3_600_000;

/**
 * The instant from which staged files are re-examined after a pipe is recreated: early enough for
 * every file still pending (queued at or after `oldestFileTimestamp`, last modified up to the
 * look-back before it) and every file staged since the pause; never later than an instant recorded
 * by an earlier attempt (a retry or a rollback only ever moves it back). REFRESH checks the table's
 * and the pipe's load history, so starting early loads nothing twice.
 */
export function refreshInstant(pausedAt: Date, status: PipeStatus, recorded?: string | null): string {
  const candidates = [pausedAt.getTime()];
  if (status.pendingFileCount > 0) {
    const oldest = Date.parse(status.oldestFileTimestamp ?? '');
    // Pending files of unknown age: as far back as REFRESH can look.
    candidates.push(Number.isNaN(oldest) ? pausedAt.getTime() - REFRESH_WINDOW_MS : oldest);
  }
  const recordedAt = Date.parse(recorded ?? '');
  if (!Number.isNaN(recordedAt)) candidates.push(recordedAt + PIPE_REFRESH_LOOKBACK_MINUTES * 60_000);
  const earliest = Math.min(...candidates) - PIPE_REFRESH_LOOKBACK_MINUTES * 60_000;
  return new Date(Math.max(earliest, pausedAt.getTime() - REFRESH_WINDOW_MS)).toISOString();
}

/** The marker a pipe's comment carries while a refresh is owed: `[refresh-from <ISO instant>]`. */
const REFRESH_MARK = /\s*\[refresh-from (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\]$/;

/** The comment text with the refresh marker for `instant`. */
export function markedComment(text: string | undefined, instant: string): string {
  return `${text ? `${text} ` : ''}[refresh-from ${instant}]`;
}

/** Splits a stored comment into the user's text and the recorded refresh instant. */
export function splitComment(stored: string | null): { comment: string | null; refreshFrom: string | null } {
  const m = REFRESH_MARK.exec(stored ?? '');
  if (!m) return { comment: stored, refreshFrom: null };
  return { comment: (stored ?? '').replace(REFRESH_MARK, '') || null, refreshFrom: m[1] ?? null };
}

const paused = (d: PipeDefinition, value: boolean) =>
  `ALTER PIPE ${fqn(d)} SET PIPE_EXECUTION_PAUSED = ${value ? 'TRUE' : 'FALSE'}`;

/** Restores the user's comment once the owed refresh ran. */
const settleComment = (d: PipeDefinition): Step => ({
  type: 'sql',
  sql: d.comment
    ? `ALTER PIPE ${fqn(d)} SET COMMENT = ${stringLiteral(d.comment)}`
    : `ALTER PIPE ${fqn(d)} UNSET COMMENT`,
});

/** Recreates the pipe (by procedure) with the recorded instant kept in its comment. */
function recreateSteps(current: PipeState, d: PipeDefinition): { steps: Step[]; operatorPaused: boolean } {
  const pipe = fqn(d);
  // Paused without our marker: an operator paused it. Paused with it: an earlier attempt of ours did.
  const operatorPaused = current.executionState === 'PAUSED' && !current.refreshFrom;
  const recreate: Step = {
    type: 'sql',
    sql: createPipe({ ...d, comment: markedComment(d.comment, REFRESH_FROM_PLACEHOLDER) }, true),
    settlesUndo: true,
    retryOnAccessError: true,
    usesRefreshFrom: true,
  };
  const steps: Step[] = [];
  if (current.executionState === 'RUNNING')
    steps.push({ type: 'sql', sql: paused(d, true), undo: paused(d, false), marksPause: true });
  steps.push({ type: 'mark-refresh-from', pipe, comment: current.comment ?? undefined, recorded: current.refreshFrom });
  steps.push(recreate);
  if (operatorPaused) steps.push({ type: 'sql', sql: paused(d, true) });
  else steps.push({ type: 'sql', sql: paused(d, false) }, { type: 'refresh-from-mark', pipe }, settleComment(d));
  return { steps, operatorPaused };
}

/** Placeholder of the recorded instant in a statement rendered before the instant is known. */
export const REFRESH_FROM_PLACEHOLDER = '<refresh-from>';

export const pipeKind: ObjectKind<PipeDefinition, PipeState> = {
  kind: 'pipe',
  label: 'pipe',
  dataBearing: true,
  schema: pipeDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = exactRow(await session.query(showInSchema('PIPES', d.database, d.schema, d.name)), d.name);
    if (!row) return undefined;
    const [status] = await session.query(pipeStatusQuery(fqn(d)));
    const parsed = parsePipeStatus(status ? Object.values(status)[0] : null);
    return {
      definition: row.definition ?? '',
      notificationChannel: nullish(row.notification_channel),
      errorIntegration: nullish(row.error_integration)?.toUpperCase() ?? null,
      ...splitComment(row.comment ?? null),
      ...parsed,
    };
  },
  plan(current, d): Plan {
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: createPipe(d, false), retryOnAccessError: true }],
        notes: [],
      };
    const copyChanged = normalize(current.definition) !== normalize(renderCopy(d));
    const notAutoIngest = current.notificationChannel === null;
    const integrationRemoved = current.errorIntegration !== null && !d.errorIntegration;
    const stopped = current.executionState.startsWith('STOPPED_');
    if (copyChanged || notAutoIngest || integrationRemoved || stopped) {
      const why = copyChanged
        ? 'the COPY statement changes'
        : notAutoIngest
          ? 'the existing pipe is not AUTO_INGEST'
          : integrationRemoved
            ? 'the error integration is removed (ALTER PIPE cannot unset it)'
            : `the pipe is ${current.executionState} (e.g. its stage was altered): recovered`;
      const { steps, operatorPaused } = recreateSteps(current, d);
      const notes = [
        `${why}: recreated by procedure (pause, record the refresh instant in the pipe comment, recreate, resume, REFRESH MODIFIED_AFTER that instant)`,
      ];
      if (operatorPaused)
        notes.push(
          'the pipe was paused by an operator: recreated and left paused; the refresh instant stays in its comment and the first deploy after it is resumed runs the REFRESH',
        );
      return { change: 'replace-by-procedure', steps, notes };
    }
    const notes: string[] = [];
    const steps: Step[] = [];
    if (current.refreshFrom && current.executionState === 'RUNNING') {
      // An earlier attempt (or the rollback of one) recreated the pipe and still owes the refresh.
      steps.push({ type: 'refresh-from-mark', pipe: fqn(d), recorded: current.refreshFrom }, settleComment(d));
      notes.push(`a refresh from ${current.refreshFrom} recorded by an earlier attempt is run now`);
    } else if (current.refreshFrom && current.executionState === 'PAUSED')
      notes.push(
        `paused by an operator: the refresh from ${current.refreshFrom} runs on the first deploy after it is resumed`,
      );
    const set: string[] = [];
    if (d.errorIntegration && current.errorIntegration !== d.errorIntegration)
      set.push(`ERROR_INTEGRATION = ${quoteIdentifier(d.errorIntegration)}`);
    const owed = current.refreshFrom !== null;
    if (!sameComment(current.comment, d.comment) && !(owed && current.executionState === 'RUNNING'))
      set.push(`COMMENT = ${stringLiteral(owed ? markedComment(d.comment, current.refreshFrom!) : (d.comment ?? ''))}`);
    if (set.length) steps.push({ type: 'sql', sql: `ALTER PIPE ${fqn(d)} SET ${set.join(' ')}` });
    if (!steps.length) return { change: 'no-op', steps: [], notes };
    return { change: 'alter', steps, notes };
  },
  drop: (d) => `DROP PIPE IF EXISTS ${fqn(d)}`,
  attributes: (d, s) => ({
    Name: `${d.database}.${d.schema}.${d.name}`,
    NotificationChannel: s.notificationChannel ?? '',
  }),
};

/** `ALTER PIPE … REFRESH MODIFIED_AFTER = '<instant>'`: queues files staged since `instant` not loaded yet. */
export function refreshSincePause(pipe: string, instant: Date | string): string {
  const at = typeof instant === 'string' ? instant : instant.toISOString();
  return `ALTER PIPE ${pipe} REFRESH MODIFIED_AFTER = ${stringLiteral(at)}`;
}
