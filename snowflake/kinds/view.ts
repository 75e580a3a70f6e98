/**
 * View (gold): `snowflake/gold/<name>.sql` with its logical references (`core.x`, `gold.y`) already
 * resolved to fully qualified names (snowflake/model/gold.ts). Created with a plain CREATE VIEW after
 * the existence check; a changed query is `CREATE OR REPLACE VIEW … COPY GRANTS` (a view holds no
 * data and keeps its grants); a changed comment is an ALTER. Retained on Delete unless the
 * environment's removal policy is `destroy`, like the tables it reads.
 */
import { z } from 'zod';
import { qualifiedName, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan } from '../engine/types';
import { comment, commentClause, exactRow, identifier, sameComment, showInSchema } from '../engine/values';

const LEADING_COMMENTS = /^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))*\s*/;

export const viewDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    /** The view's query (one SELECT / WITH … SELECT), names fully qualified. */
    query: z
      .string()
      .max(200_000, 'must be at most 200000 characters')
      .refine(
        (q) => /^(SELECT|WITH)\b/i.test(q.replace(LEADING_COMMENTS, '')),
        'must be a SELECT or WITH … SELECT query',
      ),
    comment,
  })
  .strict();
export type ViewDefinition = z.infer<typeof viewDefinition>;

export interface ViewState {
  /** The view's CREATE statement as stored (SHOW VIEWS `text`). */
  readonly text: string;
  readonly comment: string | null;
}

const fqn = (d: ViewDefinition) => qualifiedName(d.database, d.schema, d.name);
const normalize = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** The statement that (re)defines the view. */
export function renderView(d: ViewDefinition, replace: boolean): string {
  return `CREATE ${replace ? 'OR REPLACE ' : ''}VIEW ${fqn(d)}${replace ? ' COPY GRANTS' : ''}${commentClause(d.comment)} AS\n${d.query}`;
}

export const viewKind: ObjectKind<ViewDefinition, ViewState> = {
  kind: 'view',
  label: 'view',
  dataBearing: true,
  schema: viewDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = exactRow(await session.query(showInSchema('VIEWS', d.database, d.schema, d.name)), d.name);
    return row ? { text: row.text ?? '', comment: row.comment ?? null } : undefined;
  },
  plan(current, d): Plan {
    if (!current) return { change: 'create', steps: [{ type: 'sql', sql: renderView(d, false) }], notes: [] };
    if (!normalize(current.text).endsWith(normalize(`AS ${d.query}`)))
      return {
        change: 'replace',
        steps: [{ type: 'sql', sql: renderView(d, true) }],
        notes: ['the query changes: view replaced atomically with COPY GRANTS (a view holds no data)'],
      };
    if (sameComment(current.comment, d.comment)) return { change: 'no-op', steps: [], notes: [] };
    return {
      change: 'alter',
      steps: [{ type: 'sql', sql: `ALTER VIEW ${fqn(d)} SET COMMENT = ${stringLiteral(d.comment ?? '')}` }],
      notes: [],
    };
  },
  drop: (d) => `DROP VIEW IF EXISTS ${fqn(d)}`,
  attributes: (d) => ({ Name: `${d.database}.${d.schema}.${d.name}` }),
};
