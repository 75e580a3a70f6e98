/**
 * Stream on a bronze table (append-only: bronze is insert-only). A stream holds an offset, not data,
 * but replacing it moves that offset, so it is never replaced on an update unless
 *
 * - its source changed (another table, or the append-only mode changed), or
 * - it went stale (`stale` = true in SHOW STREAMS: the offset fell out of the table's retention and the
 *   stream can no longer be read).
 *
 * A replacement is `CREATE OR REPLACE STREAM … COPY GRANTS … SHOW_INITIAL_ROWS = TRUE`: the new stream presents every
 * row already in the source once, and the MERGE task is idempotent per lineage, so silver converges
 * with nothing lost (it re-reads bronze once). It is reported as change kind `replace` with the reason.
 * A comment change is an ALTER. The time the stream would go stale is exposed as `StaleAfter`.
 */
import { z } from 'zod';
import { qualifiedName, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan } from '../engine/types';
import {
  cfnBoolean,
  comment,
  commentClause,
  exactRow,
  identifier,
  objectRef,
  quoteRef,
  sameComment,
  showInSchema,
} from '../engine/values';

export const streamDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    /** Source table DATABASE.SCHEMA.NAME. */
    table: objectRef,
    /** Inserts only (bronze is never updated). @default true */
    appendOnly: cfnBoolean.optional(),
    comment,
  })
  .strict();
export type StreamDefinition = z.infer<typeof streamDefinition>;

export interface StreamState {
  /** Source table as `DB.SCHEMA.NAME` (SHOW STREAMS `table_name`, quotes removed). */
  readonly table: string;
  /** `APPEND_ONLY`, `DEFAULT`, `INSERT_ONLY`. */
  readonly mode: string;
  readonly stale: boolean;
  /** When the stream goes (or went) stale, as reported. */
  readonly staleAfter: string | null;
  readonly comment: string | null;
}

const fqn = (d: StreamDefinition) => qualifiedName(d.database, d.schema, d.name);
const wantedMode = (d: StreamDefinition) => ((d.appendOnly ?? true) ? 'APPEND_ONLY' : 'DEFAULT');

function createStream(d: StreamDefinition, replace: boolean): string {
  return (
    `CREATE ${replace ? 'OR REPLACE ' : ''}STREAM ${fqn(d)}${replace ? ' COPY GRANTS' : ''} ON TABLE ${quoteRef(d.table)}` +
    ((d.appendOnly ?? true) ? ' APPEND_ONLY = TRUE' : '') +
    (replace ? ' SHOW_INITIAL_ROWS = TRUE' : '') +
    commentClause(d.comment)
  );
}

/** `"DB"."RAW"."T"` or `DB.RAW.T` → `DB.RAW.T`. */
const unquote = (name: string) => name.replace(/"/g, '').toUpperCase();

export const streamKind: ObjectKind<StreamDefinition, StreamState> = {
  kind: 'stream',
  label: 'stream',
  dataBearing: true,
  schema: streamDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = exactRow(await session.query(showInSchema('STREAMS', d.database, d.schema, d.name)), d.name);
    if (!row) return undefined;
    return {
      table: unquote(row.table_name ?? ''),
      mode: (row.mode ?? 'DEFAULT').toUpperCase(),
      stale: String(row.stale ?? 'false').toLowerCase() === 'true',
      staleAfter: row.stale_after ?? null,
      comment: row.comment ?? null,
    };
  },
  plan(current, d): Plan {
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: createStream(d, false) }],
        notes: [],
      };
    const why: string[] = [];
    if (current.table !== d.table) why.push(`its source changes from ${current.table} to ${d.table}`);
    if (current.mode !== wantedMode(d)) why.push(`its mode changes from ${current.mode} to ${wantedMode(d)}`);
    if (current.stale) why.push(`it is stale (stale after ${current.staleAfter ?? 'unknown'})`);
    if (why.length)
      return {
        change: 'replace',
        steps: [{ type: 'sql', sql: createStream(d, true) }],
        notes: [
          `stream REPLACED because ${why.join(' and ')}: the new stream shows the source's existing rows once (SHOW_INITIAL_ROWS); the MERGE task skips rows it already merged`,
        ],
      };
    if (sameComment(current.comment, d.comment)) return { change: 'no-op', steps: [], notes: [] };
    return {
      change: 'alter',
      steps: [{ type: 'sql', sql: `ALTER STREAM ${fqn(d)} SET COMMENT = ${stringLiteral(d.comment ?? '')}` }],
      notes: [],
    };
  },
  drop: (d) => `DROP STREAM IF EXISTS ${fqn(d)}`,
  attributes: (d, s) => ({ Name: `${d.database}.${d.schema}.${d.name}`, StaleAfter: s.staleAfter ?? '' }),
};
