/**
 * Table (data-bearing): created if absent, evolved only by adding columns. Retyping a column is
 * refused (explicit, never automatic); columns missing from the definition are kept, never dropped.
 * Never replaced; dropped on Delete only when the environment's removal policy is `destroy`.
 */
import { z } from 'zod';
import { SNOWFLAKE_TYPE_PATTERN } from '../../contracts/config';
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import { parseColumnType, sameColumnType } from '../model/column-types';
import { UnsafeChangeError } from '../engine/errors';
import type { ObjectKind, Plan, Step } from '../engine/types';
import { comment, commentClause, exactRow, identifier, sameComment, showInSchema } from '../engine/values';

export const tableColumn = z
  .object({
    name: identifier,
    type: z
      .string()
      .regex(SNOWFLAKE_TYPE_PATTERN, `must be a Snowflake type matching ${SNOWFLAKE_TYPE_PATTERN.source}`)
      .transform((t) => t.toUpperCase().replace(/\s+/g, '')),
    comment,
  })
  .strict();

export const tableDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    columns: z
      .array(tableColumn)
      .min(1, 'must list at least one column')
      .superRefine((cols, ctx) => {
        const seen = new Set<string>();
        cols.forEach((c, i) => {
          if (seen.has(c.name))
            ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate column ${c.name}` });
          seen.add(c.name);
        });
      }),
    comment,
  })
  .strict();
export type TableDefinition = z.infer<typeof tableDefinition>;

export interface TableState {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly comment: string | null;
}

const fqn = (d: TableDefinition) => qualifiedName(d.database, d.schema, d.name);

const SYNONYMS: Record<string, string> = {
  STRING: 'VARCHAR',
  TEXT: 'VARCHAR',
  CHARACTER: 'CHAR',
  INT: 'NUMBER(38,0)',
  INTEGER: 'NUMBER(38,0)',
  BIGINT: 'NUMBER(38,0)',
  SMALLINT: 'NUMBER(38,0)',
  TINYINT: 'NUMBER(38,0)',
  BYTEINT: 'NUMBER(38,0)',
  DECIMAL: 'NUMBER',
  NUMERIC: 'NUMBER',
  DOUBLE: 'FLOAT',
  DOUBLEPRECISION: 'FLOAT',
  REAL: 'FLOAT',
  FLOAT4: 'FLOAT',
  FLOAT8: 'FLOAT',
  DATETIME: 'TIMESTAMP_NTZ',
  TIMESTAMP: 'TIMESTAMP_NTZ',
  VARBINARY: 'BINARY',
};
const DEFAULT_ARGS: Record<string, string> = {
  VARCHAR: '(16777216)',
  CHAR: '(1)',
  NUMBER: '(38,0)',
  BINARY: '(8388608)',
  TIMESTAMP_NTZ: '(9)',
  TIMESTAMP_LTZ: '(9)',
  TIMESTAMP_TZ: '(9)',
  TIME: '(9)',
};

/** Canonical form of a column type as DESC TABLE reports it (`VARCHAR` → `VARCHAR(16777216)`, `INT` → `NUMBER(38,0)`). */
export function normalizeType(type: string): string {
  const t = type.toUpperCase().replace(/\s+/g, '');
  const m = /^([A-Z_0-9]+)(\(.*\))?$/.exec(t);
  if (!m) return t;
  const base = SYNONYMS[m[1]] ?? m[1];
  if (base.includes('(')) return base;
  const args = m[2] ?? DEFAULT_ARGS[base] ?? '';
  return base === 'NUMBER' && /^\(\d+\)$/.test(args) ? `NUMBER${args.replace(')', ',0)')}` : `${base}${args}`;
}

/**
 * Same column type the way the silver planner compares them (column-types.ts sameColumnType): a
 * VARCHAR without length equals any maximum-length VARCHAR DESC TABLE shows (16777216, or 134217728
 * since BCR 2025_07). Types the parser does not know fall back to the canonical text.
 */
function sameType(live: string, wanted: string): boolean {
  try {
    return sameColumnType(parseColumnType(live, 'DESC TABLE'), parseColumnType(wanted, 'definition'));
  } catch {
    return normalizeType(live) === normalizeType(wanted);
  }
}

export const tableKind: ObjectKind<TableDefinition, TableState> = {
  kind: 'table',
  label: 'table',
  dataBearing: true,
  schema: tableDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = exactRow(await session.query(showInSchema('TABLES', d.database, d.schema, d.name)), d.name);
    if (!row) return undefined;
    const cols = await session.query(`DESC TABLE ${fqn(d)}`);
    return {
      columns: cols
        .filter((c) => (c.kind ?? 'COLUMN') === 'COLUMN')
        .map((c) => ({ name: c.name ?? '', type: c.type ?? '' })),
      comment: row.comment ?? null,
    };
  },
  plan(current, d): Plan {
    const column = (c: TableDefinition['columns'][number]) =>
      `${quoteIdentifier(c.name)} ${c.type}${commentClause(c.comment)}`;
    if (!current) {
      const sql = `CREATE TABLE ${fqn(d)} (${d.columns.map(column).join(', ')})${commentClause(d.comment)}`;
      return { change: 'create', steps: [{ type: 'sql', sql }], notes: [] };
    }
    const existing = new Map(current.columns.map((c) => [c.name, c.type]));
    const retyped = d.columns.filter((c) => existing.has(c.name) && !sameType(existing.get(c.name)!, c.type));
    if (retyped.length)
      throw new UnsafeChangeError(
        `${d.database}.${d.schema}.${d.name}`,
        `column type changes are not applied automatically (data would be rewritten): ${retyped
          .map((c) => `${c.name} ${existing.get(c.name)} → ${c.type}`)
          .join(', ')}. Add a new column instead, or migrate explicitly.`,
      );
    const added = d.columns.filter((c) => !existing.has(c.name));
    const wanted = new Set(d.columns.map((c) => c.name));
    const kept = current.columns.filter((c) => !wanted.has(c.name)).map((c) => c.name);
    const steps: Step[] = [];
    if (added.length)
      steps.push({ type: 'sql', sql: `ALTER TABLE ${fqn(d)} ADD COLUMN ${added.map(column).join(', ')}` });
    if (!sameComment(current.comment, d.comment))
      steps.push({ type: 'sql', sql: `ALTER TABLE ${fqn(d)} SET COMMENT = ${stringLiteral(d.comment ?? '')}` });
    const notes = kept.length ? [`columns no longer defined are kept (never dropped): ${kept.join(', ')}`] : [];
    return steps.length ? { change: 'alter', steps, notes } : { change: 'no-op', steps: [], notes };
  },
  drop: (d) => `DROP TABLE IF EXISTS ${fqn(d)}`,
  attributes: (d) => ({ Name: `${d.database}.${d.schema}.${d.name}` }),
};
