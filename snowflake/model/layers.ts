/**
 * The WAREHOUSE and MART layers over the vault, as views:
 * - generated: `WAREHOUSE.DIM_<HUB>` (hub + the latest row of each of its satellites) and
 *   `WAREHOUSE.FACT_<LINK>` (link + its hubs' business keys + the latest row of its satellites);
 * - user SQL: `snowflake/warehouse/<name>.sql` → `WAREHOUSE.<NAME>`, `snowflake/mart/<name>.sql` →
 *   `MART.<NAME>` (one SELECT each; `<name>.duckdb.sql` twins as for gold views).
 * Bodies name objects logically — `vault.<table>`, `warehouse.<view>`, `mart.<view>`, `core.<table>` —
 * rewritten to the environment's qualified names outside strings and comments. A mart view may read
 * every layer; a warehouse view everything but the mart. Views hold no data, so they are never stale
 * and need no load task: the vault load is the last task of each dataset's graph.
 *
 * Roles, one read role per layer: `<DATABASE>_VAULT_READER` (VAULT: SELECT on all and future tables),
 * `<DATABASE>_WAREHOUSE_READER` (WAREHOUSE), `<DATABASE>_MART_READER` (MART) and the data-science role
 * (default `<DATABASE>_DATA_SCIENCE`, MART only), each the `reader-role` kind: USAGE on the database and
 * its schema, SELECT on all and future views (tables, for the vault) there. Views run with their owner's
 * rights, so no warehouse or mart reader needs the vault or silver.
 */
import { canonicalName, quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectPath } from '../names';
import type { Dialect } from './dialect';
import { SqlFileError } from './errors';
import { checkViewBody, rewriteReferences, sqlFileLabel } from './gold';
import type { GoldViewSource, ReaderObjects } from './gold';
import { topologicalOrder } from './graph';
import { VAULT_COLUMNS } from './vault';
import type { LayerSchemas, LinkModel, SatelliteModel, VaultModel } from './vault';

export type Layer = 'warehouse' | 'mart';

export interface LayerView {
  readonly name: string;
  readonly layer: Layer;
  readonly path: ObjectPath;
  /** Where it came from (a file, or `generated`). */
  readonly source: string;
  /** Body with logical references (Snowflake). */
  readonly sql: string;
  /** DuckDB body, or why the view is skipped there. */
  readonly duckdb: { readonly sql: string } | { readonly skipped: string };
  /** Layer views read (`warehouse.x` / `mart.y`), as `layer.name`. */
  readonly reads: readonly string[];
  /** Vault tables read (`hub_x`, …). */
  readonly vaultTables: readonly string[];
}

const REFERENCE = /(?<![.\w$"])\b(core|vault|warehouse|mart)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b/gi;
const q = (n: string) => quoteIdentifier(n);

/** Rewrites logical references to qualified names of the dialect. */
export function resolveLayerReferences(sql: string, schemas: LayerSchemas, dialect: Dialect): string {
  const schemaOf = { core: schemas.core, vault: schemas.vault, warehouse: schemas.warehouse, mart: schemas.mart };
  return rewriteReferences(sql, REFERENCE, schemas.database, (s) => schemaOf[s as keyof typeof schemaOf], dialect);
}

const latest = (st: SatelliteModel) =>
  `(SELECT * FROM vault.${st.path[2].toLowerCase()} QUALIFY ROW_NUMBER() OVER (PARTITION BY ${q(st.parent.hashKey)} ` +
  `ORDER BY ${[VAULT_COLUMNS.loadDts, VAULT_COLUMNS.recordSource, VAULT_COLUMNS.sourceRow].map((c) => `${q(c)} DESC`).join(', ')}) = 1)`;

function uniqueColumns(view: string, columns: readonly string[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new SqlFileError(`generated view ${view}`, `two sources give it a column ${c}; rename one`);
    seen.add(c);
  }
}

/** The generated dimension and fact views (Snowflake and DuckDB share the SQL). */
export function generatedWarehouseViews(v: VaultModel): { name: string; sql: string }[] {
  const sats = (name: string) => v.satellites.filter((s) => s.parent.name === name);
  const dims = v.hubs.map((h) => {
    const ss = sats(h.name);
    const cols = [
      `h.${q(h.hashKey)}`,
      ...h.businessKey.map((c) => `h.${q(c.name)}`),
      ...ss.flatMap((s, i) => s.attributes.map((a) => `s${i}.${q(a.name)}`)),
      `h.${q(VAULT_COLUMNS.loadDts)} AS "FIRST_LOADED_AT"`,
    ];
    uniqueColumns(`dim_${h.name}`, [
      h.hashKey,
      ...h.businessKey.map((c) => c.name),
      ...ss.flatMap((s) => s.attributes.map((a) => a.name)),
    ]);
    const joins = ss.map((s, i) => `LEFT JOIN ${latest(s)} AS s${i} ON s${i}.${q(h.hashKey)} = h.${q(h.hashKey)}`);
    return {
      name: `dim_${h.name}`,
      sql: `SELECT ${cols.join(', ')}\nFROM vault.${h.path[2].toLowerCase()} AS h${joins.map((j) => `\n${j}`).join('')}`,
    };
  });
  const facts = v.links.map((l: LinkModel) => {
    const ss = sats(l.name);
    const cols = [
      `l.${q(l.hashKey)}`,
      ...l.hubs.map((h, i) => [`l.${q(h.hashKey)}`, ...h.businessKey.map((c) => `h${i}.${q(c.name)}`)]).flat(),
      ...l.childKey.map((c) => `l.${q(c.name)}`),
      ...ss.flatMap((s, i) => s.attributes.map((a) => `s${i}.${q(a.name)}`)),
      `l.${q(VAULT_COLUMNS.loadDts)}`,
    ];
    uniqueColumns(`fact_${l.name}`, [
      ...l.hubs.flatMap((h) => [h.hashKey, ...h.businessKey.map((c) => c.name)]),
      ...l.childKey.map((c) => c.name),
      ...ss.flatMap((s) => s.attributes.map((a) => a.name)),
    ]);
    const joins = [
      ...l.hubs.map(
        (h, i) => `JOIN vault.${h.path[2].toLowerCase()} AS h${i} ON h${i}.${q(h.hashKey)} = l.${q(h.hashKey)}`,
      ),
      ...ss.map((s, i) => `LEFT JOIN ${latest(s)} AS s${i} ON s${i}.${q(l.hashKey)} = l.${q(l.hashKey)}`),
    ];
    return {
      name: `fact_${l.name}`,
      sql: `SELECT ${cols.join(', ')}\nFROM vault.${l.path[2].toLowerCase()} AS l\n${joins.join('\n')}`,
    };
  });
  return [...dims, ...facts];
}

/**
 * Every warehouse and mart view, validated (single SELECT, known references, no mart reference from
 * the warehouse, no cycle) and in dependency order.
 * @param coreTables lower-case names `core.<x>` may read (silver and entity tables)
 */
export function planLayerViews(
  v: VaultModel,
  files: { readonly warehouse: readonly GoldViewSource[]; readonly mart: readonly GoldViewSource[] },
  coreTables: readonly string[],
): LayerView[] {
  const vaultNames = new Set([...v.hubs, ...v.links, ...v.satellites].map((x) => x.path[2].toLowerCase()));
  const entries: { name: string; layer: Layer; source: string; sql: string; duckdbSql?: string }[] = [
    ...generatedWarehouseViews(v).map((g) => ({ ...g, layer: 'warehouse' as const, source: 'generated' })),
    ...files.warehouse.map((f) => ({
      name: f.name,
      layer: 'warehouse' as const,
      source: f.file,
      sql: f.sql,
      duckdbSql: f.duckdbSql,
    })),
    ...files.mart.map((f) => ({
      name: f.name,
      layer: 'mart' as const,
      source: f.file,
      sql: f.sql,
      duckdbSql: f.duckdbSql,
    })),
  ];
  const key = (layer: string, name: string) => `${layer}.${name}`;
  const known = new Set<string>();
  for (const e of entries) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(e.name))
      throw new SqlFileError(e.source, 'view name (file name) must match ^[a-z][a-z0-9_]{0,62}$');
    if (known.has(key(e.layer, e.name))) throw new SqlFileError(e.source, `duplicate ${e.layer} view "${e.name}"`);
    known.add(key(e.layer, e.name));
  }
  const views = new Map<string, LayerView>();
  for (const e of entries) {
    const body = checkViewBody(e.source, e.sql);
    const reads = new Set<string>();
    const vaultTables = new Set<string>();
    for (const m of body.matchAll(REFERENCE)) {
      const schema = (m[1] as string).toLowerCase();
      const name = (m[2] as string).toLowerCase();
      if (schema === 'core' && !coreTables.includes(name))
        throw new SqlFileError(e.source, `references core.${name}, which is not a silver or entity table`);
      if (schema === 'vault' && !vaultNames.has(name))
        throw new SqlFileError(e.source, `references vault.${name}, which is not a hub, link or satellite`);
      if (schema === 'mart' && e.layer === 'warehouse')
        throw new SqlFileError(e.source, `references mart.${name}: the warehouse cannot read the mart`);
      if ((schema === 'warehouse' || schema === 'mart') && !known.has(key(schema, name)))
        throw new SqlFileError(e.source, `references ${schema}.${name}, which is not a ${schema} view`);
      if (schema === 'vault') vaultTables.add(name);
      if (schema === 'warehouse' || schema === 'mart') reads.add(key(schema, name));
    }
    const duckdb =
      e.duckdbSql !== undefined
        ? { sql: e.duckdbSql.trim().replace(/;\s*$/, '') }
        : /^--\s*duckdb\s*:\s*skip\b\s*(.*)$/im.test(e.sql)
          ? { skipped: /^--\s*duckdb\s*:\s*skip\b\s*(.*)$/im.exec(e.sql)?.[1]?.trim() || 'marked "-- duckdb: skip"' }
          : { sql: e.sql.trim().replace(/;\s*$/, '') };
    const schema = e.layer === 'warehouse' ? v.schemas.warehouse : v.schemas.mart;
    views.set(key(e.layer, e.name), {
      name: e.name,
      layer: e.layer,
      path: [v.schemas.database, schema, canonicalName(e.name, `${e.layer} view name`)],
      source: e.source,
      sql: e.sql.trim().replace(/;\s*$/, ''),
      duckdb,
      reads: [...reads].sort(),
      vaultTables: [...vaultTables].sort(),
    });
  }
  const order = topologicalOrder(new Map([...views].map(([k, x]) => [k, x.reads])), 'warehouse and mart views');
  return order.map((k) => views.get(k) as LayerView);
}

/** The view's query in a dialect (undefined: skipped on DuckDB). */
export function layerViewQuery(view: LayerView, schemas: LayerSchemas, dialect: Dialect): string | undefined {
  if (dialect.name === 'duckdb' && !('sql' in view.duckdb)) return undefined;
  const sql = dialect.name === 'duckdb' && 'sql' in view.duckdb ? view.duckdb.sql : view.sql;
  return resolveLayerReferences(sql, schemas, dialect);
}

/** `CREATE OR REPLACE VIEW` (DuckDB sandbox; Snowflake deploys through the view kind). */
export function createLayerViewStatement(view: LayerView, schemas: LayerSchemas, dialect: Dialect): string | undefined {
  const query = layerViewQuery(view, schemas, dialect);
  if (query === undefined) return undefined;
  const comment = dialect.name === 'snowflake' ? ` COPY GRANTS COMMENT = ${stringLiteral(layerViewComment(view))}` : '';
  return `CREATE OR REPLACE VIEW ${dialect.table(view.path)}${comment} AS\n${query}`;
}

export function layerViewComment(view: LayerView): string {
  const from = view.source === 'generated' ? 'generated from the vault spec' : sqlFileLabel(view.source);
  return `${view.layer === 'warehouse' ? 'Warehouse' : 'Mart'} view, ${from} (managed by the pipeline).`;
}

/** A layer read role: its name, the schema it reads and what it selects there. */
export interface LayerRole {
  readonly name: string;
  readonly schema: string;
  readonly layer: 'vault' | 'warehouse' | 'mart';
  readonly objects: ReaderObjects;
}

/** The layer read roles: one per layer (the vault's tables, the warehouse's and mart's views) and data science (mart). */
export function layerRoles(v: VaultModel): LayerRole[] {
  const db = v.schemas.database;
  return [
    { name: `${db}_VAULT_READER`, schema: v.schemas.vault, layer: 'vault', objects: 'tables' },
    { name: `${db}_WAREHOUSE_READER`, schema: v.schemas.warehouse, layer: 'warehouse', objects: 'views' },
    { name: `${db}_MART_READER`, schema: v.schemas.mart, layer: 'mart', objects: 'views' },
    {
      name: canonicalName(v.dataScienceRole ?? `${db}_DATA_SCIENCE`, 'vault.dataScienceRole'),
      schema: v.schemas.mart,
      layer: 'mart',
      objects: 'views',
    },
  ];
}
