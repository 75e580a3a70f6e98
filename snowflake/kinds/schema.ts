/** Schema (RAW, CORE, GOLD). Data-bearing: dropped only under `destroy`. */
import { z } from 'zod';
import { quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan } from '../engine/types';
import { comment, commentClause, exactRow, identifier, sameComment } from '../engine/values';

export const schemaDefinition = z.object({ database: identifier, name: identifier, comment }).strict();
export type SchemaDefinition = z.infer<typeof schemaDefinition>;
export interface SchemaState {
  readonly comment: string | null;
}

const fqn = (d: SchemaDefinition) => `${quoteIdentifier(d.database)}.${quoteIdentifier(d.name)}`;

export const schemaKind: ObjectKind<SchemaDefinition, SchemaState> = {
  kind: 'schema',
  label: 'schema',
  dataBearing: true,
  schema: schemaDefinition,
  physicalId: (d) => `${d.database}.${d.name}`,
  async read(d, session) {
    const rows = await session.query(
      `SHOW SCHEMAS LIKE ${stringLiteral(d.name)} IN DATABASE ${quoteIdentifier(d.database)}`,
    );
    const row = exactRow(rows, d.name);
    return row ? { comment: row.comment ?? null } : undefined;
  },
  plan(current, d): Plan {
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: `CREATE SCHEMA ${fqn(d)}${commentClause(d.comment)}` }],
        notes: [],
      };
    if (sameComment(current.comment, d.comment)) return { change: 'no-op', steps: [], notes: [] };
    return {
      change: 'alter',
      steps: [{ type: 'sql', sql: `ALTER SCHEMA ${fqn(d)} SET COMMENT = ${stringLiteral(d.comment ?? '')}` }],
      notes: [],
    };
  },
  drop: (d) => `DROP SCHEMA IF EXISTS ${fqn(d)}`,
  attributes: (d) => ({ Name: `${d.database}.${d.name}` }),
};
