/**
 * The last lines of a sandbox run: one per scenario (source), naming its final tables and views with
 * their row counts — the entity tables of a dataset that has them, else its silver table (a split
 * dataset: its targets' tables), the gold views reading them and, for a source whose datasets load the
 * vault, the mart views.
 */
import type { ResolvedEnvironment } from '../../contracts/config';
import { loadGoldViews } from '../../lib/sql-loader';
import { sqlDirectories } from '../../lib/snowflake/data-model-input';
import { planGoldViews, withoutMissingDatasets } from '../../snowflake/model';
import type { SchemaNames } from '../../snowflake/names';
import type { DuckDb } from './duckdb';
import { catalogDialect, derivedModels } from './task-graph';
import type { DerivedModels } from './task-graph';

export interface ScenarioObjects {
  readonly source: string;
  /** `SCHEMA.NAME` of each final table or view. */
  readonly objects: readonly string[];
}

/** The final objects of each source, in config order. */
export function scenarioObjects(
  resolved: Pick<ResolvedEnvironment, 'sources' | 'datasets' | 'vault' | 'sqlDirectory'>,
  schemas: SchemaNames,
  derived: DerivedModels = derivedModels(resolved, schemas),
  goldDir = sqlDirectories(resolved.sqlDirectory).goldDirectory,
): ScenarioObjects[] {
  const all = resolved.datasets.map((d) => d.name);
  // Views reading a dataset this config lacks are skipped (and reported) by the gold step: not final objects.
  const gold = planGoldViews(withoutMissingDatasets(loadGoldViews(goldDir), all).kept, all, schemas);
  const name = (p: readonly string[]) => `${p[1]}.${p[2]}`;
  return resolved.sources.map((s) => {
    const own = s.datasets ?? all;
    const datasets = derived.models.filter(
      (m) => own.includes(m.spec.name) || (m.splitFrom && own.includes(m.splitFrom.parent)),
    );
    const names = datasets.map((m) => m.spec.name);
    const objects = datasets.flatMap((m) => {
      if (m.split || derived.vault?.loads.some((l) => l.dataset === m)) return []; // the mart is the final layer
      const entities = derived.entities.get(m.spec.name) ?? [];
      return entities.length ? entities.map((e) => name(e.path)) : [name(m.objects.silver)];
    });
    objects.push(...gold.filter((v) => v.datasets.some((d) => names.includes(d))).map((v) => name(v.path)));
    if (derived.vault?.loads.some((l) => names.includes(l.dataset.spec.name)))
      objects.push(...derived.views.filter((v) => v.layer === 'mart').map((v) => name(v.path)));
    return { source: s.name, objects };
  });
}

/** `scenario <source>: SCHEMA.NAME <rows>, …` (a view DuckDB could not create is `skipped`). */
export async function scenarioLines(
  db: DuckDb,
  resolved: Pick<ResolvedEnvironment, 'sources' | 'datasets' | 'vault' | 'sqlDirectory'>,
  schemas: SchemaNames,
  goldDir = sqlDirectories(resolved.sqlDirectory).goldDirectory,
): Promise<string[]> {
  const lines = ['', 'Final layer per scenario'];
  const dialect = await catalogDialect(db);
  const catalog = String(await db.value('SELECT current_database()'));
  for (const s of scenarioObjects(resolved, schemas, undefined, goldDir)) {
    const counts: string[] = [];
    for (const o of s.objects) {
      const [schema, object] = o.split('.');
      const exists = Number(
        await db.value(
          `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${object}'`,
        ),
      );
      const table = dialect.table([catalog, schema as string, object as string]);
      counts.push(exists ? `${o} ${Number(await db.value(`SELECT count(*) FROM ${table}`))}` : `${o} skipped`);
    }
    lines.push(`  scenario ${s.source}: ${counts.join(', ') || '(no datasets)'}`);
  }
  return lines;
}
