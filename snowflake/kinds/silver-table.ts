/**
 * Silver table `CORE.<DATASET>` (data-bearing): the dataset's typed columns plus lineage, rendered by
 * the data model (snowflake/model/tables.ts silverTable) and evolved by its schema-evolution plan
 * (planSilverEvolution), never replaced and never dropped on update:
 *
 * - a column added to the spec → `ALTER TABLE … ADD COLUMN IF NOT EXISTS` (existing rows NULL);
 * - a column removed from the spec → kept with its data (reported in the notes and the
 *   `UnappliedChanges` attribute);
 * - a retyped column → refused (UnsafeChangeError), unless it is a safe widening and `allowWidening`
 *   is set (`ALTER COLUMN … SET DATA TYPE`);
 * - a changed primary key → refused (existing rows were deduplicated by the old key).
 */
import { z } from 'zod';
import { columnSchema } from '../../contracts/config';
import type { DatasetSpec } from '../../contracts/config';
import { qualifiedName, stringLiteral } from '../identifiers';
import { canonicalName } from '../identifiers';
import { schemaNames } from '../names';
import { buildDatasetModel } from '../model/dataset-model';
import type { DatasetModel } from '../model/dataset-model';
import { snowflakeDialect } from '../model/dialect';
import { planSilverEvolution } from '../model/schema-evolution';
import type { DescribedColumn } from '../model/schema-evolution';
import { createTableStatement, silverTable } from '../model/tables';
import type { TableDefinition as ModelTable } from '../model/tables';
import { UnsafeChangeError } from '../engine/errors';
import type { ObjectKind, Plan, SqlSession, Step } from '../engine/types';
import { cfnBoolean, exactRow, identifier, sameComment, showInSchema } from '../engine/values';

const datasetName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a dataset name matching ^[a-z][a-z0-9_]{0,62}$');

export const silverTableDefinition = z
  .object({
    database: identifier,
    /** The core (silver) schema. */
    schema: identifier,
    /** Dataset name: the table is `<schema>.<DATASET>`. */
    dataset: datasetName,
    /** The dataset spec's columns: `{ name, type, path?, description? }`. */
    columns: z.array(columnSchema).min(1, 'must list at least one column'),
    primaryKey: z.array(datasetName).optional(),
    orderBy: datasetName.optional(),
    description: z.string().max(1000).optional(),
    /** Apply safe widenings (longer VARCHAR, larger NUMBER precision at the same scale). @default false */
    allowWidening: cfnBoolean.optional(),
  })
  .strict();
export type SilverTableDefinition = z.infer<typeof silverTableDefinition>;

/** A table of the data model as read with SHOW TABLES + DESC TABLE. */
export interface ModelTableState {
  readonly comment: string | null;
  readonly columns: readonly DescribedColumn[];
}

/** The dataset model behind a silver definition (the spec fields the table depends on). */
export function silverModel(d: SilverTableDefinition): DatasetModel {
  const spec: DatasetSpec = {
    name: d.dataset,
    format: 'auto',
    columns: d.columns,
    ...(d.primaryKey ? { primaryKey: d.primaryKey } : {}),
    ...(d.orderBy ? { orderBy: d.orderBy } : {}),
    ...(d.description ? { description: d.description } : {}),
  };
  return buildDatasetModel(spec, schemaNames(d.database, { core: d.schema }));
}

/** `CREATE TABLE …` of a model table: plain CREATE, the engine has checked the table is absent. */
export function createModelTable(table: ModelTable): string {
  return createTableStatement(table, snowflakeDialect).replace(/^CREATE TABLE IF NOT EXISTS /, 'CREATE TABLE ');
}

/** SHOW TABLES + DESC TABLE of `DB.SCHEMA.NAME`. */
export async function readModelTable(
  session: SqlSession,
  database: string,
  schema: string,
  name: string,
): Promise<ModelTableState | undefined> {
  const row = exactRow(await session.query(showInSchema('TABLES', database, schema, name)), name);
  if (!row) return undefined;
  const rows = await session.query(`DESC TABLE ${qualifiedName(database, schema, name)}`);
  return {
    comment: row.comment ?? null,
    columns: rows
      .filter((c) => (c.kind ?? 'COLUMN') === 'COLUMN')
      .map((c) => ({
        name: c.name ?? '',
        type: c.type ?? '',
        'primary key': c['primary key'] ?? 'N',
        comment: c.comment,
      })),
  };
}

/** `ALTER TABLE … SET COMMENT` when the table comment differs. */
export function commentStep(table: ModelTable, current: ModelTableState): Step[] {
  if (sameComment(current.comment, table.comment)) return [];
  return [
    {
      type: 'sql',
      sql: `ALTER TABLE ${qualifiedName(...table.name)} SET COMMENT = ${stringLiteral(table.comment ?? '')}`,
    },
  ];
}

const silverName = (d: SilverTableDefinition) => canonicalName(d.dataset, 'dataset name');

export const silverTableKind: ObjectKind<SilverTableDefinition, ModelTableState> = {
  kind: 'silver-table',
  label: 'silver table',
  dataBearing: true,
  schema: silverTableDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${silverName(d)}`,
  read: (d, session) => readModelTable(session, d.database, d.schema, silverName(d)),
  plan(current, d): Plan {
    const model = silverModel(d);
    const table = silverTable(model);
    if (!current)
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: createModelTable(table) }],
        notes: [],
      };
    const name = `${d.database}.${d.schema}.${silverName(d)}`;
    const evolution = planSilverEvolution(model, current.columns, { allowWidening: d.allowWidening ?? false });
    const refused = evolution.unapplied.filter((c) => c.code === 'COLUMN_RETYPED' || c.code === 'PRIMARY_KEY_CHANGED');
    if (evolution.blocked || refused.length)
      throw new UnsafeChangeError(
        name,
        `schema change not applied (no data is rewritten automatically): ${refused.map((c) => `${c.code}: ${c.message}`).join('; ')}`,
      );
    const steps: Step[] = evolution.statements.map((sql) => ({ type: 'sql', sql }));
    steps.push(...commentStep(table, current));
    const notes = [
      ...evolution.changes.filter((c) => c.code !== 'COLUMN_REMOVED').map((c) => `${c.code}: ${c.message}`),
      ...evolution.unapplied.map((c) => `${c.code} (not applied): ${c.message}`),
    ];
    return { change: steps.length ? 'alter' : 'no-op', steps, notes };
  },
  drop: (d) => `DROP TABLE IF EXISTS ${qualifiedName(d.database, d.schema, silverName(d))}`,
  attributes(d, s) {
    const removed = new Set(d.columns.map((c) => c.name.toUpperCase()));
    const lineage = new Set(silverTable(silverModel(d)).columns.map((c) => c.name));
    const kept = s.columns.map((c) => c.name.toUpperCase()).filter((c) => !removed.has(c) && !lineage.has(c));
    return {
      Name: `${d.database}.${d.schema}.${silverName(d)}`,
      UnappliedChanges: kept.length ? `COLUMN_REMOVED: ${kept.join(', ')} (kept with their data)` : '',
    };
  },
};
