/**
 * The whole data model of an environment as ordered, per-object SQL: what a fresh deploy runs in
 * Snowflake (for the offline plan and PR review), and the DuckDB equivalent the local sandbox
 * builds. Objects owned by the provisioner's other kinds (database, schemas, stage, pipe…) are not
 * listed here.
 */
import type { DatasetSpec } from '../../contracts/config';
import type { SchemaNames } from '../names';
import { qualifiedName } from '../identifiers';
import { buildDatasetModel } from './dataset-model';
import { duckdbDialect, snowflakeDialect } from './dialect';
import { planFollowUpTasks } from './follow-up-tasks';
import type { FollowUpTaskSpec } from './follow-up-tasks';
import { createViewStatement, planGoldViews, readerRoleStatements } from './gold';
import type { GoldViewSource } from './gold';
import { createStreamStatement } from './streams';
import { bronzeTable, createTableStatement, rejectsTable, silverTable } from './tables';
import { createTaskStatement, mergeTaskDefinition, planTaskGraphUpdate } from './tasks';
import type { MergeTaskOptions } from './tasks';

export type ObjectKind = 'table' | 'stream' | 'task' | 'view' | 'role';

export interface DataModelObject {
  readonly kind: ObjectKind;
  /** Fully qualified display name, e.g. `INGEST.CORE.LISTINGS`. */
  readonly name: string;
  readonly statements: readonly string[];
}

export interface DataModelInput {
  readonly datasets: readonly DatasetSpec[];
  readonly schemas: SchemaNames;
  readonly goldViews?: readonly GoldViewSource[];
  readonly followUpTasks?: readonly FollowUpTaskSpec[];
  /** Reader role name; absent → no role statements. */
  readonly readerRole?: string;
  readonly taskOptions?: MergeTaskOptions;
}

const display = (path: readonly string[]) => path.join('.');

/**
 * Snowflake statements of a fresh deploy, grouped per object, in dependency order: per dataset
 * bronze, stream, silver, rejects and the MERGE task; follow-up tasks; task graphs resumed
 * (children first, then roots — tasks are created suspended); gold views; the reader role.
 */
export function dataModelDeploySql(input: DataModelInput): DataModelObject[] {
  const models = input.datasets.map((d) => buildDatasetModel(d, input.schemas));
  const out: DataModelObject[] = [];
  for (const m of models) {
    out.push({
      kind: 'table',
      name: display(m.objects.bronze),
      statements: [createTableStatement(bronzeTable(m), snowflakeDialect)],
    });
    out.push({
      kind: 'stream',
      name: display(m.objects.stream),
      statements: [createStreamStatement(m, snowflakeDialect)],
    });
    out.push({
      kind: 'table',
      name: display(m.objects.silver),
      statements: [createTableStatement(silverTable(m), snowflakeDialect)],
    });
    if (m.primaryKey.length)
      out.push({
        kind: 'table',
        name: display(m.objects.rejects),
        statements: [createTableStatement(rejectsTable(m), snowflakeDialect)],
      });
    out.push({
      kind: 'task',
      name: display(m.objects.task),
      statements: [createTaskStatement(mergeTaskDefinition(m, input.taskOptions))],
    });
  }
  const followUps = planFollowUpTasks(input.followUpTasks ?? [], models, input.schemas);
  for (const t of followUps.tasks)
    out.push({ kind: 'task', name: display(t.name), statements: [createTaskStatement(t)] });
  for (const m of models) {
    const graph = followUps.graphs.find((g) => display(g.root) === display(m.objects.task)) ?? {
      root: m.objects.task,
      children: [],
    };
    out.push({
      kind: 'task',
      name: `${display(m.objects.task)} (resume graph)`,
      statements: planTaskGraphUpdate(graph, []).resume,
    });
  }
  const datasetNames = input.datasets.map((d) => d.name);
  for (const v of planGoldViews(input.goldViews ?? [], datasetNames, input.schemas))
    out.push({ kind: 'view', name: display(v.path), statements: [createViewStatement(v, snowflakeDialect) as string] });
  if (input.readerRole)
    out.push({
      kind: 'role',
      name: input.readerRole.toUpperCase(),
      statements: readerRoleStatements(input.schemas, input.readerRole),
    });
  return out;
}

export interface DuckDbDataModel {
  /** Statements building the local warehouse: schemas, tables, stream tables, portable gold views. */
  readonly statements: readonly string[];
  /** Gold views not created on DuckDB, with the reason. */
  readonly skippedViews: readonly { readonly name: string; readonly reason: string }[];
}

/** The DuckDB data model for the sandbox (task runs: `duckdbTaskRun` per dataset). */
export function duckdbDataModel(input: DataModelInput): DuckDbDataModel {
  const models = input.datasets.map((d) => buildDatasetModel(d, input.schemas));
  const { raw, core, gold } = input.schemas;
  const statements = [raw, core, gold].map((s) => `CREATE SCHEMA IF NOT EXISTS ${qualifiedName(s)}`);
  for (const m of models) {
    statements.push(
      createTableStatement(bronzeTable(m), duckdbDialect),
      createStreamStatement(m, duckdbDialect),
      createTableStatement(silverTable(m), duckdbDialect),
    );
    if (m.primaryKey.length) statements.push(createTableStatement(rejectsTable(m), duckdbDialect));
  }
  const skippedViews: { name: string; reason: string }[] = [];
  const skipped = new Set<string>();
  for (const v of planGoldViews(
    input.goldViews ?? [],
    input.datasets.map((d) => d.name),
    input.schemas,
  )) {
    const blocked = v.views.find((dep) => skipped.has(dep));
    if ('skipped' in v.duckdb || blocked) {
      skipped.add(v.name);
      skippedViews.push({
        name: v.name,
        reason: 'skipped' in v.duckdb ? v.duckdb.skipped : `reads gold.${blocked}, which is skipped`,
      });
      continue;
    }
    statements.push(createViewStatement(v, duckdbDialect) as string);
  }
  return { statements, skippedViews };
}
