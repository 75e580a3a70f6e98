/**
 * Rejects table `CORE.<DATASET>_REJECTS` (data-bearing): the bronze row as loaded plus REASON, DETAIL
 * and REJECTED_AT (snowflake/model/tables.ts rejectsTable). Its columns do not depend on the dataset's
 * columns; a column the model adds later is ADDed, a retyped one is refused, nothing is dropped.
 */
import { z } from 'zod';
import { qualifiedName, quoteIdentifier } from '../identifiers';
import { canonicalName } from '../identifiers';
import { datasetObjectNames, schemaNames } from '../names';
import { parseColumnType, sameColumnType } from '../model/column-types';
import { rejectsTable } from '../model/tables';
import type { TableDefinition as ModelTable } from '../model/tables';
import { UnsafeChangeError } from '../engine/errors';
import type { ObjectKind, Plan, Step } from '../engine/types';
import { identifier } from '../engine/values';
import { commentStep, createModelTable, readModelTable } from './silver-table';
import type { ModelTableState } from './silver-table';

export const rejectsTableDefinition = z
  .object({
    database: identifier,
    /** The core (silver) schema. */
    schema: identifier,
    /** Dataset name: the table is `<schema>.<DATASET>_REJECTS`. */
    dataset: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a dataset name matching ^[a-z][a-z0-9_]{0,62}$'),
  })
  .strict();
export type RejectsTableDefinition = z.infer<typeof rejectsTableDefinition>;

function table(d: RejectsTableDefinition): ModelTable {
  const objects = datasetObjectNames(schemaNames(d.database, { core: d.schema }), d.dataset);
  return rejectsTable({ objects, spec: { name: d.dataset } });
}
const tableName = (d: RejectsTableDefinition) => `${canonicalName(d.dataset, 'dataset name')}_REJECTS`;

export const rejectsTableKind: ObjectKind<RejectsTableDefinition, ModelTableState> = {
  kind: 'rejects-table',
  label: 'rejects table',
  dataBearing: true,
  schema: rejectsTableDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${tableName(d)}`,
  read: (d, session) => readModelTable(session, d.database, d.schema, tableName(d)),
  plan(current, d): Plan {
    const t = table(d);
    if (!current) return { change: 'create', steps: [{ type: 'sql', sql: createModelTable(t) }], notes: [] };
    const live = new Map(current.columns.map((c) => [c.name.toUpperCase(), c.type]));
    const steps: Step[] = [];
    const retyped: string[] = [];
    for (const c of t.columns) {
      const type = live.get(c.name);
      if (type === undefined)
        steps.push({
          type: 'sql',
          sql: `ALTER TABLE ${qualifiedName(...t.name)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(c.name)} ${c.type.snowflake}`,
        });
      else if (!sameColumnType(parseColumnType(type, `${tableName(d)}.${c.name}`), c.type))
        retyped.push(`${c.name} is ${type}, expected ${c.type.snowflake}`);
    }
    if (retyped.length)
      throw new UnsafeChangeError(
        `${d.database}.${d.schema}.${tableName(d)}`,
        `column types differ: ${retyped.join('; ')}`,
      );
    steps.push(...commentStep(t, current));
    return { change: steps.length ? 'alter' : 'no-op', steps, notes: [] };
  },
  drop: (d) => `DROP TABLE IF EXISTS ${qualifiedName(d.database, d.schema, tableName(d))}`,
  attributes: (d) => ({ Name: `${d.database}.${d.schema}.${tableName(d)}` }),
};
