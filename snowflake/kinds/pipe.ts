/**
 * Snowpipe with AUTO_INGEST: loads `@<stage>/<path>` into the dataset's bronze table, filling exactly
 * BRONZE_COLUMNS (lineage from METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, METADATA$START_SCAN_TIME).
 *
 * A pipe's COPY cannot be altered. A COPY change follows Snowflake's procedure so no file is lost or
 * loaded twice: pause, wait until pendingFileCount is 0, recreate, resume, then
 * `REFRESH MODIFIED_AFTER` the pause time. A running pipe is never CREATE OR REPLACEd.
 * Comment and error-integration changes are ALTERs.
 */
import { z } from 'zod';
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import { BRONZE_COLUMNS } from '../names';
import type { ObjectKind, Plan, Step } from '../engine/types';
import { comment, exactRow, identifier, objectRef, quoteRef, sameComment, showInSchema } from '../engine/values';

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
  readonly comment: string | null;
  /** `RUNNING`, `PAUSED`, `STOPPED_*`… from SYSTEM$PIPE_STATUS. */
  readonly executionState: string;
  readonly pendingFileCount: number;
}

const fqn = (d: PipeDefinition) => qualifiedName(d.database, d.schema, d.name);
const normalize = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const nullish = (v: string | null | undefined) =>
  v === undefined || v === null || v === '' || v === 'null' ? null : v;

/** The pipe's COPY statement: every BRONZE_COLUMNS column, in order, from its `from` expression. */
export function renderCopy(d: PipeDefinition): string {
  const columns = BRONZE_COLUMNS.map((c) => quoteIdentifier(c.name)).join(', ');
  const values = BRONZE_COLUMNS.map((c) => c.from).join(', ');
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

/** Parses SYSTEM$PIPE_STATUS JSON. */
export function parsePipeStatus(json: string | null | undefined): { executionState: string; pendingFileCount: number } {
  try {
    const s = JSON.parse(json ?? '{}') as { executionState?: string; pendingFileCount?: number | string };
    return { executionState: String(s.executionState ?? 'UNKNOWN'), pendingFileCount: Number(s.pendingFileCount ?? 0) };
  } catch {
    return { executionState: 'UNKNOWN', pendingFileCount: 0 };
  }
}

/** `SELECT SYSTEM$PIPE_STATUS('DB.RAW.P')`. */
export function pipeStatusQuery(pipeRef: string): string {
  return `SELECT SYSTEM$PIPE_STATUS(${stringLiteral(pipeRef.replace(/"/g, ''))}) AS STATUS`;
}

const paused = (d: PipeDefinition, value: boolean) =>
  `ALTER PIPE ${fqn(d)} SET PIPE_EXECUTION_PAUSED = ${value ? 'TRUE' : 'FALSE'}`;

export const pipeKind: ObjectKind<PipeDefinition, PipeState> = {
  kind: 'pipe',
  label: 'pipe',
  dataBearing: false,
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
      comment: row.comment ?? null,
      ...parsed,
    };
  },
  plan(current, d): Plan {
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: createPipe(d, false), createsObject: true, retryOnAccessError: true }],
        notes: [],
      };
    const copyChanged = normalize(current.definition) !== normalize(renderCopy(d));
    const notAutoIngest = current.notificationChannel === null;
    const integrationRemoved = current.errorIntegration !== null && !d.errorIntegration;
    if (copyChanged || notAutoIngest || integrationRemoved) {
      const why = copyChanged
        ? 'the COPY statement changes'
        : notAutoIngest
          ? 'the existing pipe is not AUTO_INGEST'
          : 'the error integration is removed (ALTER PIPE cannot unset it)';
      const wasPaused = current.executionState === 'PAUSED';
      const recreate: Step = { type: 'sql', sql: createPipe(d, true), settlesUndo: true, retryOnAccessError: true };
      const drained: Step = { type: 'await-pipe-drained', pipe: fqn(d) };
      const steps: Step[] = wasPaused
        ? [drained, recreate, { type: 'sql', sql: paused(d, true) }]
        : [
            { type: 'sql', sql: paused(d, true), undo: paused(d, false), marksPause: true },
            drained,
            recreate,
            { type: 'sql', sql: paused(d, false) },
            { type: 'refresh-since-pause', pipe: fqn(d) },
          ];
      const notes = [
        `${why}: recreated by procedure (pause, wait for pendingFileCount 0, recreate, resume, refresh files staged since the pause)`,
      ];
      if (wasPaused)
        notes.push('the pipe was paused by an operator: recreated and left paused (REFRESH when resuming it)');
      return { change: 'replace-by-procedure', steps, notes };
    }
    const set: string[] = [];
    if (d.errorIntegration && current.errorIntegration !== d.errorIntegration)
      set.push(`ERROR_INTEGRATION = ${quoteIdentifier(d.errorIntegration)}`);
    if (!sameComment(current.comment, d.comment)) set.push(`COMMENT = ${stringLiteral(d.comment ?? '')}`);
    if (!set.length) return { change: 'no-op', steps: [], notes: [] };
    return { change: 'alter', steps: [{ type: 'sql', sql: `ALTER PIPE ${fqn(d)} SET ${set.join(' ')}` }], notes: [] };
  },
  drop: (d) => `DROP PIPE IF EXISTS ${fqn(d)}`,
  attributes: (d, s) => ({
    Name: `${d.database}.${d.schema}.${d.name}`,
    NotificationChannel: s.notificationChannel ?? '',
  }),
};

/** Renders the refresh of a recreated pipe for files staged since `pausedAt`. */
export function refreshSincePause(pipe: string, pausedAt: Date | string): string {
  const at = typeof pausedAt === 'string' ? pausedAt : pausedAt.toISOString();
  return `ALTER PIPE ${pipe} REFRESH MODIFIED_AFTER = ${stringLiteral(at)}`;
}
