/**
 * Gold views in the sandbox, planned by the data model exactly as for Snowflake
 * (snowflake/model/gold.ts: `snowflake/gold/<view>.sql`, references resolved, dependency order):
 * each view is created in DuckDB from its portable SQL or its `<view>.duckdb.sql` translation;
 * a view with Snowflake-only syntax and no translation is listed as skipped, with the reason.
 */
import { loadGoldViews } from '../../lib/sql-loader';
import { createViewStatement, duckdbDialect, planGoldViews, withoutMissingDatasets } from '../../snowflake/model';
import type { SchemaNames } from '../../snowflake/names';
import type { DuckDb } from './duckdb';

export interface GoldResult {
  /** Created views as `GOLD.AVG_PRICE` (validated names), in creation order. */
  readonly created: readonly string[];
  readonly skipped: readonly { readonly view: string; readonly reason: string }[];
  /**
   * Set when the folder has views and none of them reads only datasets of this config (e.g. the bundled
   * views with a user's `--config`): the run reports them as one line instead of a warning per view.
   */
  readonly unrelated?: { readonly dir: string; readonly views: number };
}

/** The one line for a gold folder that does not fit the config, or undefined. */
export function unrelatedGoldLine(gold: GoldResult): string | undefined {
  const u = gold.unrelated;
  return u
    ? `none of the ${u.views} view(s) in ${u.dir} reads only datasets of this config: all skipped (your own views: "sqlDirectory" in the config, or --gold <dir>)`
    : undefined;
}

/**
 * Creates every portable gold view of `dir`. A view that reads a dataset the config does not have
 * (a `--config` with other datasets) is skipped with the missing dataset named; a view DuckDB
 * rejects (e.g. a function it lacks) is skipped with DuckDB's message; so are the views that read
 * a skipped one.
 */
export async function createGoldViews(
  db: DuckDb,
  dir: string,
  datasets: readonly string[],
  schemas: SchemaNames,
): Promise<GoldResult> {
  const created: string[] = [];
  const skipped: { view: string; reason: string }[] = [];
  const failed = new Set<string>();
  const { kept, skipped: missing } = withoutMissingDatasets(loadGoldViews(dir), datasets);
  for (const m of missing) skipped.push({ view: `${schemas.gold}.${m.name.toUpperCase()}`, reason: m.reason });
  for (const view of planGoldViews(kept, datasets, schemas)) {
    const name = `${view.path[1]}.${view.path[2]}`;
    const statement = createViewStatement(view, duckdbDialect);
    const blocked = view.views.find((v) => failed.has(v));
    if (!statement || blocked) {
      failed.add(view.name);
      const reason = 'skipped' in view.duckdb ? view.duckdb.skipped : `reads gold.${blocked}, which was skipped`;
      skipped.push({ view: name, reason });
      continue;
    }
    try {
      await db.run(statement);
      created.push(name);
    } catch (err) {
      failed.add(view.name);
      const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err);
      skipped.push({ view: name, reason: `DuckDB cannot create it: ${cause.split('\n')[0]}` });
    }
  }
  const unrelated = kept.length === 0 && missing.length > 0 ? { dir, views: missing.length } : undefined;
  return { created, skipped, ...(unrelated ? { unrelated } : {}) };
}
