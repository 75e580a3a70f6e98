/** Database: the container of every pipeline object. Data-bearing: dropped only under `destroy`. */
import { z } from 'zod';
import { quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan } from '../engine/types';
import { comment, commentClause, exactRow, identifier, sameComment } from '../engine/values';

export const databaseDefinition = z.object({ name: identifier, comment }).strict();
export type DatabaseDefinition = z.infer<typeof databaseDefinition>;
export interface DatabaseState {
  readonly comment: string | null;
}

export const databaseKind: ObjectKind<DatabaseDefinition, DatabaseState> = {
  kind: 'database',
  label: 'database',
  dataBearing: true,
  schema: databaseDefinition,
  physicalId: (d) => d.name,
  async read(d, session) {
    const row = exactRow(await session.query(`SHOW DATABASES LIKE ${stringLiteral(d.name)}`), d.name);
    return row ? { comment: row.comment ?? null } : undefined;
  },
  plan(current, d): Plan {
    const q = quoteIdentifier(d.name);
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: `CREATE DATABASE ${q}${commentClause(d.comment)}` }],
        notes: [],
      };
    if (sameComment(current.comment, d.comment)) return { change: 'no-op', steps: [], notes: [] };
    return {
      change: 'alter',
      steps: [{ type: 'sql', sql: `ALTER DATABASE ${q} SET COMMENT = ${stringLiteral(d.comment ?? '')}` }],
      notes: [],
    };
  },
  drop: (d) => `DROP DATABASE IF EXISTS ${quoteIdentifier(d.name)}`,
  attributes: (d) => ({ Name: d.name }),
};
