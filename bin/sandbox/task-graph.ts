/**
 * The task graphs in the sandbox: after each ingest's MERGE runs, the children of every dataset's
 * graph run in dependency order with the same generators as in Snowflake (DuckDB dialect) — each
 * entity refresh (CORE.<ENTITY>_REFRESH), then the dataset's vault load (VAULT.<DATASET>_LOAD). Like a
 * child task, they run only after their dataset's MERGE ran (its stream had rows).
 *
 * Objects: the entity tables, the VAULT / WAREHOUSE / MART schemas, hubs, links and satellites, each
 * load's stream table (filled by every load of its bronze, like a second stream on the table) and the
 * warehouse and mart views. User follow-up tasks (snowflake/tasks/*.sql) are Snowflake SQL and do not
 * run here. Objects from an earlier run are kept as they are (`--reset` rebuilds).
 */
import type { ResolvedEnvironment } from '../../contracts/config';
import {
  bronzeTable,
  buildDatasetModels,
  buildVaultModel,
  createLayerViewStatement,
  createTableStatement,
  duckdbDialect,
  duckdbVaultRun,
  entityModels,
  entityRefreshStatement,
  entityTable,
  hasSilver,
  planLayerViews,
  vaultTables,
} from '../../snowflake/model';
import type { DatasetModel, Dialect, EntityModel, LayerView, VaultLoadModel, VaultModel } from '../../snowflake/model';
import { loadGoldViews } from '../../lib/sql-loader';
import { sqlDirectories, type DataModelSources } from '../../lib/snowflake/data-model-input';
import { qualifiedName, quoteIdentifier } from '../../snowflake/identifiers';
import type { SchemaNames } from '../../snowflake/names';
import type { DuckDb } from './duckdb';
import type { Warehouse } from './warehouse';

/** Everything derived from one environment's config: entities, vault, layer views. */
export interface DerivedModels {
  readonly models: readonly DatasetModel[];
  readonly entities: ReadonlyMap<string, readonly EntityModel[]>;
  readonly vault?: VaultModel;
  readonly views: readonly LayerView[];
}

export function derivedModels(
  resolved: Pick<ResolvedEnvironment, 'datasets' | 'vault' | 'sqlDirectory'>,
  schemas: SchemaNames,
  dirs: Required<Pick<DataModelSources, 'warehouseDirectory' | 'martDirectory'>> = sqlDirectories(
    resolved.sqlDirectory,
  ),
): DerivedModels {
  const models = buildDatasetModels(resolved.datasets, schemas);
  const entities = new Map(models.map((m) => [m.spec.name, entityModels(m)]));
  const vault = resolved.vault ? buildVaultModel(resolved.vault, models, schemas) : undefined;
  const coreTables = [
    ...models.filter(hasSilver).map((m) => m.spec.name),
    ...[...entities.values()].flat().map((e) => e.name),
  ];
  const views = vault
    ? planLayerViews(
        vault,
        { warehouse: loadGoldViews(dirs.warehouseDirectory), mart: loadGoldViews(dirs.martDirectory) },
        coreTables,
      )
    : [];
  return { models, entities, vault, views };
}

/** The DuckDB statements creating the derived objects (idempotent). */
export function derivedObjectStatements(d: DerivedModels, dialect: Dialect = duckdbDialect): string[] {
  const statements = [...d.entities.values()].flat().map((e) => createTableStatement(entityTable(e), dialect));
  if (!d.vault) return statements;
  const v = d.vault;
  statements.push(
    ...[v.schemas.vault, v.schemas.warehouse, v.schemas.mart].map(
      (s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(s)}`,
    ),
    ...vaultTables(v).map((t) => createTableStatement(t, dialect)),
    ...v.loads.map((l) => createTableStatement({ ...bronzeTable(l.dataset), name: l.stream }, dialect)),
  );
  for (const view of d.views) {
    const sql = createLayerViewStatement(view, v.schemas, dialect);
    if (sql) statements.push(sql);
  }
  return statements;
}

/** The children of one dataset's graph, in dependency order, as DuckDB runs. */
export function graphRuns(
  d: DerivedModels,
  dataset: string,
  dialect: Dialect = duckdbDialect,
): { readonly task: string; readonly statements: string[] }[] {
  const runs = (d.entities.get(dataset) ?? []).map((e) => ({
    task: `${e.path[1]}.${e.path[2]}_REFRESH`,
    statements: ['BEGIN TRANSACTION', entityRefreshStatement(e, dialect), 'COMMIT'],
  }));
  for (const load of d.vault?.loads.filter((l) => l.dataset.spec.name === dataset) ?? [])
    runs.push({ task: `${load.task[1]}.${load.task[2]}`, statements: duckdbVaultRun(load, dialect) });
  return runs;
}

async function runAll(db: DuckDb, statements: readonly string[]): Promise<void> {
  try {
    for (const s of statements) await db.run(s);
  } catch (err) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Creates the derived objects and makes the warehouse run the graphs' children after its MERGE runs. */
export async function attachTaskGraph(
  warehouse: Warehouse,
  resolved: Pick<ResolvedEnvironment, 'datasets' | 'vault'>,
): Promise<DerivedModels> {
  const d = derivedModels(resolved, warehouse.schemas);
  const dialect = await catalogDialect(warehouse.connection);
  await warehouse.connection.runAll(derivedObjectStatements(d, dialect));
  for (const load of d.vault?.loads ?? []) registerStream(warehouse, load);
  warehouse.taskGraph = {
    run: async (db, merged) => {
      for (const m of d.models)
        if (merged.some((o) => o.dataset === m.spec.name))
          for (const r of graphRuns(d, m.spec.name, dialect)) await runAll(db, r.statements);
    },
  };
  return d;
}

/**
 * The DuckDB dialect with three-part names: the sandbox's database file is `warehouse.duckdb`, so its
 * catalog is named `warehouse` and a two-part `"WAREHOUSE".x` would be ambiguous.
 */
export async function catalogDialect(db: DuckDb): Promise<Dialect> {
  const catalog = String(await db.value('SELECT current_database()'));
  return { ...duckdbDialect, table: (p) => qualifiedName(catalog, p[1], p[2]) };
}

function registerStream(warehouse: Warehouse, load: VaultLoadModel): void {
  const owner = load.dataset.splitFrom?.parent ?? load.dataset.spec.name;
  warehouse.extraStreams.set(owner, [...(warehouse.extraStreams.get(owner) ?? []), load.stream]);
}
