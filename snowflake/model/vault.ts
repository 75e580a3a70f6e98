/**
 * Data vault 2.0 from the config's `vault` block: hubs, links and satellites in schema VAULT, each
 * loaded from the datasets named in `vault.loads` by ONE multi-table `INSERT ALL` per batch.
 *
 * - Hub `VAULT.HUB_<NAME>`: `<NAME>_HK` (MD5 of the normalised business key: each part
 *   `UPPER(TRIM(text))`, joined with `||`), the business key columns, `LOAD_DTS`, `RECORD_SOURCE`.
 * - Link `VAULT.LINK_<NAME>`: `<NAME>_HK` (MD5 of the hubs' normalised keys in link order), each hub's
 *   hash key, `LOAD_DTS`, `RECORD_SOURCE`.
 * - Satellite `VAULT.SAT_<NAME>`: the parent's hash key, `LOAD_DTS`, `RECORD_SOURCE`, `SOURCE_ROW`,
 *   `HASHDIFF` (MD5 of the attributes' text joined with `||`), the attributes. A row is written only
 *   when the hashdiff differs from the previous version of the same key: the previous row of the batch
 *   (ordered by LOAD_DTS, RECORD_SOURCE, SOURCE_ROW, element), or for the first one the latest row
 *   already in the satellite. An unchanged re-delivery therefore writes nothing, and a row whose key,
 *   lineage (LOAD_DTS, RECORD_SOURCE, SOURCE_ROW) and hashdiff are already in the satellite is never
 *   written again (a replay of an older file after newer versions doubles nothing).
 * - `LOAD_DTS` is the upload's S3 event time (bronze RECEIVED_AT), `RECORD_SOURCE` its inbound key: a
 *   replay or re-delivery yields identical rows (never processing time).
 *
 * Each load reads its own append-only stream `RAW.<DATASET>_VAULT_STREAM` on the dataset's bronze
 * table (a split target: on the split dataset's bronze, with its value filter), in a task
 * `VAULT.<DATASET>_LOAD` that runs AFTER the dataset's MERGE task (same task graph). Its body is one
 * transaction holding the one INSERT ALL, so the stream offset advances only when every table is
 * written. DuckDB has no INSERT ALL: the equivalent is one INSERT … SELECT per target table over the
 * same source query, in one transaction that also consumes the stream table; each target's condition
 * reads only its own table, so evaluating the source once per target yields the same rows.
 */
import type { VaultSpec } from '../../contracts/config';
import { canonicalName, quoteIdentifier } from '../identifiers';
import type { ObjectPath, SchemaNames } from '../names';
import { parseColumnType } from './column-types';
import type { ColumnType } from './column-types';
import type { DatasetModel } from './dataset-model';
import { duckdbDialect, snowflakeDialect } from './dialect';
import type { Dialect } from './dialect';
import { DataModelError } from './errors';
import { parseRecordPath } from './record-path';
import type { PathStep } from './record-path';
import { splitSourceFilter } from './split';
import type { TableColumn, TableDefinition } from './tables';
import type { TaskDefinition } from './tasks';

const q = (name: string) => quoteIdentifier(name);

/** Schemas of the layers (fixed names, in the environment's database). */
export const LAYER_SCHEMAS = { vault: 'VAULT', warehouse: 'WAREHOUSE', mart: 'MART' } as const;
/** Columns every hub, link and satellite has. */
export const VAULT_COLUMNS = {
  loadDts: 'LOAD_DTS',
  recordSource: 'RECORD_SOURCE',
  sourceRow: 'SOURCE_ROW',
  hashdiff: 'HASHDIFF',
} as const;

export interface LayerSchemas {
  readonly database: string;
  readonly raw: string;
  readonly core: string;
  readonly vault: string;
  readonly warehouse: string;
  readonly mart: string;
}

export function layerSchemas(s: SchemaNames): LayerSchemas {
  return { database: s.database, raw: s.raw, core: s.core, ...LAYER_SCHEMAS };
}

export interface VaultColumn {
  readonly name: string;
  readonly specName: string;
  readonly type: ColumnType;
  readonly description?: string;
}

export interface HubModel {
  readonly name: string;
  readonly path: ObjectPath;
  readonly hashKey: string;
  readonly businessKey: readonly VaultColumn[];
}
export interface LinkModel {
  readonly name: string;
  readonly path: ObjectPath;
  readonly hashKey: string;
  readonly hubs: readonly HubModel[];
  /** Dependent child key columns (part of the hash key), e.g. the line of a basket. */
  readonly childKey: readonly VaultColumn[];
}
export interface SatelliteModel {
  readonly name: string;
  readonly path: ObjectPath;
  readonly parent: HubModel | LinkModel;
  readonly attributes: readonly VaultColumn[];
}

/** Where a vault column's value is read in one load: the record or the unnested element. */
export interface ValueSource {
  readonly item: boolean;
  readonly steps: readonly PathStep[];
  /** The 1-based position of the unnested element (`elementIndex`), not a value of it. */
  readonly index?: boolean;
}

export interface VaultLoadModel {
  readonly dataset: DatasetModel;
  readonly stream: ObjectPath;
  readonly task: ObjectPath;
  readonly unnest?: readonly PathStep[];
  readonly hubs: readonly HubModel[];
  readonly links: readonly LinkModel[];
  readonly satellites: readonly SatelliteModel[];
  readonly values: ReadonlyMap<string, ValueSource>;
}

export interface VaultModel {
  readonly schemas: LayerSchemas;
  readonly hubs: readonly HubModel[];
  readonly links: readonly LinkModel[];
  readonly satellites: readonly SatelliteModel[];
  readonly loads: readonly VaultLoadModel[];
  readonly dataScienceRole?: string;
}

function vaultColumn(c: { name: string; type: string; description?: string }, where: string): VaultColumn {
  return {
    name: canonicalName(c.name, `column ${where}.${c.name}`),
    specName: c.name,
    type: parseColumnType(c.type, `${where}.${c.name}`),
    description: c.description,
  };
}

function valueSource(path: string, item: boolean, where: string): ValueSource {
  return { item, steps: path === '' ? [] : parseRecordPath(path, where) };
}

/** Resolves the `vault` block against the dataset models; throws DataModelError naming the field. */
export function buildVaultModel(spec: VaultSpec, datasets: readonly DatasetModel[], s: SchemaNames): VaultModel {
  const schemas = layerSchemas(s);
  const at = (name: string): ObjectPath => [s.database, schemas.vault, canonicalName(name, 'vault table name')];
  const hubs = spec.hubs.map((h) => ({
    name: h.name,
    path: at(`hub_${h.name}`),
    hashKey: canonicalName(`${h.name}_hk`),
    businessKey: h.businessKey.map((c) => vaultColumn(c, `vault.hubs.${h.name}`)),
  }));
  const hub = (n: string) => {
    const h = hubs.find((x) => x.name === n);
    if (!h) throw new DataModelError(`vault: unknown hub "${n}"`);
    return h;
  };
  const links = (spec.links ?? []).map((l) => {
    if (new Set(l.hubs).size !== l.hubs.length) throw new DataModelError(`vault.links.${l.name}: a hub is named twice`);
    return {
      name: l.name,
      path: at(`link_${l.name}`),
      hashKey: canonicalName(`${l.name}_hk`),
      hubs: l.hubs.map(hub),
      childKey: (l.childKey ?? []).map((c) => vaultColumn(c, `vault.links.${l.name}.childKey`)),
    };
  });
  const hashKeys = [...hubs, ...links].map((x) => x.hashKey);
  if (new Set(hashKeys).size !== hashKeys.length)
    throw new DataModelError(`vault: hub and link names must differ (hash key columns ${hashKeys.join(', ')})`);
  const satellites = (spec.satellites ?? []).map((st) => {
    const parent = hubs.find((h) => h.name === st.parent) ?? links.find((l) => l.name === st.parent);
    if (!parent) throw new DataModelError(`vault.satellites.${st.name}: unknown parent "${st.parent}"`);
    const attributes = st.attributes.map((c) => vaultColumn(c, `vault.satellites.${st.name}`));
    const reserved = new Set<string>([parent.hashKey, ...Object.values(VAULT_COLUMNS)]);
    for (const a of attributes)
      if (reserved.has(a.name))
        throw new DataModelError(`vault.satellites.${st.name}: attribute ${a.name} is reserved`);
    return { name: st.name, path: at(`sat_${st.name}`), parent, attributes };
  });
  const loads = spec.loads.map((l, i) => {
    const where = `vault.loads[${i}] (${l.dataset})`;
    const dataset = datasets.find((d) => d.spec.name === l.dataset);
    if (!dataset) throw new DataModelError(`${where}: unknown dataset "${l.dataset}"`);
    const lh = l.hubs.map(hub);
    const ll = (l.links ?? []).map((n) => {
      const link = links.find((x) => x.name === n);
      if (!link) throw new DataModelError(`${where}: unknown link "${n}"`);
      return link;
    });
    const ls = (l.satellites ?? []).map((n) => {
      const sat = satellites.find((x) => x.name === n);
      if (!sat) throw new DataModelError(`${where}: unknown satellite "${n}"`);
      return sat;
    });
    const needed = [
      ...lh.flatMap((h) => h.businessKey),
      ...ll.flatMap((x) => x.childKey),
      ...ls.flatMap((x) => x.attributes),
    ];
    if (l.elementIndex !== undefined && !l.unnest)
      throw new DataModelError(`${where}.elementIndex: needs unnest (the position of an element)`);
    const values = new Map<string, ValueSource>();
    for (const c of needed) {
      if (values.has(c.specName)) continue;
      const explicit = l.paths?.[c.specName];
      const column = dataset.columns.find((d) => d.specName === c.specName);
      let source: ValueSource;
      if (c.specName === l.elementIndex) source = { item: true, steps: [], index: true };
      else if (explicit !== undefined) {
        const item = explicit === 'item' || explicit.startsWith('item.');
        if (item && !l.unnest) throw new DataModelError(`${where}.paths.${c.specName}: "item" needs unnest`);
        source = valueSource(item ? explicit.replace(/^item\.?/, '') : explicit, item, `${where}.paths.${c.specName}`);
      } else if (column) source = { item: false, steps: column.steps };
      else if (l.unnest) source = valueSource(c.specName, true, `${where}.${c.specName}`);
      else
        throw new DataModelError(
          `${where}: no value for ${c.specName} (not a column of ${l.dataset}; set paths.${c.specName} or unnest)`,
        );
      values.set(c.specName, source);
    }
    const d = canonicalName(l.dataset, 'dataset name');
    return {
      dataset,
      stream: [s.database, s.raw, `${d}_VAULT_STREAM`] as ObjectPath,
      task: [s.database, schemas.vault, `${d}_LOAD`] as ObjectPath,
      unnest: l.unnest ? parseRecordPath(l.unnest, `${where}.unnest`) : undefined,
      hubs: lh,
      links: ll,
      satellites: ls,
      values,
    };
  });
  return { schemas, hubs, links, satellites, loads, dataScienceRole: spec.dataScienceRole };
}

const LOAD_DTS_TYPE = parseColumnType('TIMESTAMP_TZ', 'vault.LOAD_DTS');
const TEXT = parseColumnType('VARCHAR', 'vault.RECORD_SOURCE');
const ROW = parseColumnType('NUMBER(38,0)', 'vault.SOURCE_ROW');
const HASH = parseColumnType('BINARY(16)', 'vault hash key');

export function hubTable(h: HubModel): TableDefinition {
  return {
    name: h.path,
    columns: [
      { name: h.hashKey, type: HASH, notNull: true, comment: 'MD5 of the normalised business key.' },
      ...h.businessKey.map((c) => ({ name: c.name, type: c.type, comment: c.description })),
      { name: VAULT_COLUMNS.loadDts, type: LOAD_DTS_TYPE, comment: 'Upload time of the first record of the key.' },
      { name: VAULT_COLUMNS.recordSource, type: TEXT, comment: 'Inbound object key of that record.' },
    ],
    primaryKey: [h.hashKey],
    comment: `Hub ${h.name} (managed by the pipeline).`,
  };
}

export function linkTable(l: LinkModel): TableDefinition {
  return {
    name: l.path,
    columns: [
      { name: l.hashKey, type: HASH, notNull: true, comment: 'MD5 of the hubs’ normalised business keys.' },
      ...l.hubs.map((h) => ({ name: h.hashKey, type: HASH, notNull: true })),
      ...l.childKey.map((c) => ({ name: c.name, type: c.type, comment: c.description ?? 'Dependent child key.' })),
      { name: VAULT_COLUMNS.loadDts, type: LOAD_DTS_TYPE },
      { name: VAULT_COLUMNS.recordSource, type: TEXT },
    ],
    primaryKey: [l.hashKey],
    comment: `Link ${l.name} of ${l.hubs.map((h) => h.name).join(', ')} (managed by the pipeline).`,
  };
}

export function satelliteTable(st: SatelliteModel): TableDefinition {
  const columns: TableColumn[] = [
    { name: st.parent.hashKey, type: HASH, notNull: true },
    { name: VAULT_COLUMNS.loadDts, type: LOAD_DTS_TYPE, notNull: true },
    { name: VAULT_COLUMNS.recordSource, type: TEXT },
    { name: VAULT_COLUMNS.sourceRow, type: ROW },
    { name: VAULT_COLUMNS.hashdiff, type: HASH, notNull: true, comment: 'MD5 of the attributes.' },
    ...st.attributes.map((c) => ({ name: c.name, type: c.type, comment: c.description })),
  ];
  return { name: st.path, columns, comment: `Satellite ${st.name} of ${st.parent.name} (managed by the pipeline).` };
}

export function vaultTables(v: VaultModel): TableDefinition[] {
  return [...v.hubs.map(hubTable), ...v.links.map(linkTable), ...v.satellites.map(satelliteTable)];
}

/** Dialect-specific pieces of the load (kept here, next to their only user). */
interface VaultSql {
  hash(text: string): string;
  /** FROM-clause tail unnesting `array` (OUTER: a record without elements keeps one row). */
  unnest(array: string): string;
  readonly item: string;
  readonly itemIndex: string;
}
const VAULT_SQL: Record<Dialect['name'], VaultSql> = {
  snowflake: {
    hash: (text) => `MD5_BINARY(${text})`,
    unnest: (array) => `, LATERAL FLATTEN(INPUT => ${array}, OUTER => TRUE) AS i`,
    item: 'i."VALUE"',
    itemIndex: 'i."INDEX"',
  },
  duckdb: {
    hash: (text) => `unhex(md5(${text}))`,
    unnest: (array) =>
      ` LEFT JOIN LATERAL (SELECT u.v AS "VALUE", u.o - 1 AS "INDEX" FROM unnest(CAST(${array} AS JSON[])) ` +
      `WITH ORDINALITY AS u(v, o)) AS i ON TRUE`,
    item: 'i."VALUE"',
    itemIndex: 'i."INDEX"',
  },
};

const alias = {
  value: (i: number) => q(`_V${i}`),
  hk: (x: HubModel | LinkModel) => q(`_HK_${x.path[2]}`),
  hashdiff: (st: SatelliteModel) => q(`_HD_${st.path[2]}`),
  flag: (path: ObjectPath) => q(`_NEW_${path[2]}`),
  prior: (st: SatelliteModel) => q(`_PRIOR_${st.path[2]}`),
};
const ORDER = [VAULT_COLUMNS.loadDts, VAULT_COLUMNS.recordSource, VAULT_COLUMNS.sourceRow, '_ITEM'].map(q);

/** The load's source query (typed values, hash keys, hashdiffs, one condition column per target). */
function loadSource(load: VaultLoadModel, dialect: Dialect): { sql: string; valueAlias: Map<string, string> } {
  const v = VAULT_SQL[dialect.name];
  const names = [...load.values.keys()];
  const valueAlias = new Map(names.map((n, i) => [n, alias.value(i)]));
  const typeOf = new Map<string, ColumnType>();
  for (const c of [
    ...load.hubs.flatMap((h) => h.businessKey),
    ...load.links.flatMap((l) => l.childKey),
    ...load.satellites.flatMap((s) => s.attributes),
  ])
    if (!typeOf.has(c.specName)) typeOf.set(c.specName, c.type);
  const typed = names.map((n) => {
    const src = load.values.get(n) as ValueSource;
    const type = typeOf.get(n) as ColumnType;
    if (src.index) return `CAST(${v.itemIndex} + 1 AS ${dialect.columnType(type)}) AS ${valueAlias.get(n)}`;
    const record = src.item ? v.item : 'b."RECORD"';
    return `${dialect.typedAt(record, src.steps, type)} AS ${valueAlias.get(n)}`;
  });
  const text = (n: string) => `CAST(${valueAlias.get(n)} AS VARCHAR)`;
  const norm = (n: string) => `UPPER(TRIM(${text(n)}))`;
  const keyText = (h: HubModel) => h.businessKey.map((c) => norm(c.specName)).join(` || '||' || `);
  const present = (h: HubModel) => h.businessKey.map((c) => `${valueAlias.get(c.specName)} IS NOT NULL`).join(' AND ');
  const hubHk = (h: HubModel) => `CASE WHEN ${present(h)} THEN ${v.hash(keyText(h))} END`;
  // A link row needs every hub key and its child key; its hash covers both, in that order.
  const linkHk = (l: LinkModel) =>
    `CASE WHEN ${[...l.hubs.map(present), ...l.childKey.map((c) => `${valueAlias.get(c.specName)} IS NOT NULL`)].join(' AND ')} ` +
    `THEN ${v.hash([...l.hubs.map(keyText), ...l.childKey.map((c) => norm(c.specName))].join(` || '||' || `))} END`;
  const hashdiff = (st: SatelliteModel) =>
    v.hash(st.attributes.map((a) => `COALESCE(TRIM(${text(a.specName)}), '')`).join(` || '||' || `));
  const filters = [dialect.streamFilter, splitSourceFilter(load.dataset, dialect)].filter(Boolean);
  const inner =
    `SELECT ${typed.join(', ')}, b."RECEIVED_AT" AS ${q(VAULT_COLUMNS.loadDts)}, ` +
    `b."SOURCE_KEY" AS ${q(VAULT_COLUMNS.recordSource)}, b."SOURCE_ROW" AS ${q(VAULT_COLUMNS.sourceRow)}, ` +
    `${load.unnest ? v.itemIndex : '0'} AS "_ITEM"\n` +
    `      FROM ${dialect.table(load.stream)} AS b${load.unnest ? v.unnest(dialect.valueAt('b."RECORD"', load.unnest)) : ''}` +
    (filters.length ? `\n      WHERE ${filters.join(' AND ')}` : '');
  const hashed = `SELECT t.*, ${[
    ...load.hubs.map((h) => `${hubHk(h)} AS ${alias.hk(h)}`),
    ...load.links.map((l) => `${linkHk(l)} AS ${alias.hk(l)}`),
    ...load.satellites.map((st) => `${hashdiff(st)} AS ${alias.hashdiff(st)}`),
  ].join(', ')}\n    FROM (\n      ${inner}\n    ) AS t`;
  const joins: string[] = [];
  const flags: string[] = [];
  const first = (hk: string) =>
    `ROW_NUMBER() OVER (PARTITION BY f.${hk} ORDER BY ${ORDER.map((o) => `f.${o}`).join(', ')}) = 1`;
  [...load.hubs, ...load.links].forEach((x, i) => {
    joins.push(`LEFT JOIN ${dialect.table(x.path)} AS x${i} ON x${i}.${q(x.hashKey)} = f.${alias.hk(x)}`);
    flags.push(
      `(f.${alias.hk(x)} IS NOT NULL AND x${i}.${q(x.hashKey)} IS NULL AND ${first(alias.hk(x))}) AS ${alias.flag(x.path)}`,
    );
  });
  load.satellites.forEach((st, i) => {
    const hk = q(st.parent.hashKey);
    const latest =
      `SELECT ${hk}, ${q(VAULT_COLUMNS.hashdiff)} FROM ${dialect.table(st.path)} ` +
      `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${hk} ORDER BY ${ORDER.slice(0, 3)
        .map((o) => `${o} DESC`)
        .join(', ')}) = 1`;
    joins.push(`LEFT JOIN (${latest}) AS s${i} ON s${i}.${hk} = f.${alias.hk(st.parent)}`);
    // A row already written (same key, lineage and hashdiff: a re-delivery or a replay, even of an older file)
    // is never written again, whatever the latest row is.
    const lineage = [VAULT_COLUMNS.loadDts, VAULT_COLUMNS.recordSource, VAULT_COLUMNS.sourceRow].map(q);
    const written = `SELECT DISTINCT ${[hk, ...lineage, q(VAULT_COLUMNS.hashdiff)].join(', ')} FROM ${dialect.table(st.path)}`;
    joins.push(
      `LEFT JOIN (${written}) AS w${i} ON w${i}.${hk} = f.${alias.hk(st.parent)} AND ` +
        `${lineage.map((c) => `w${i}.${c} = f.${c}`).join(' AND ')} AND w${i}.${q(VAULT_COLUMNS.hashdiff)} = f.${alias.hashdiff(st)}`,
    );
    const prior =
      `COALESCE(LAG(f.${alias.hashdiff(st)}) OVER (PARTITION BY f.${alias.hk(st.parent)} ORDER BY ` +
      `${ORDER.map((o) => `f.${o}`).join(', ')}), s${i}.${q(VAULT_COLUMNS.hashdiff)})`;
    flags.push(
      `(f.${alias.hk(st.parent)} IS NOT NULL AND w${i}.${hk} IS NULL AND (${prior} IS NULL OR f.${alias.hashdiff(st)} <> ${prior})) AS ${alias.flag(st.path)}`,
    );
  });
  const sql = `SELECT f.*,\n  ${flags.join(',\n  ')}\nFROM (\n    ${hashed}\n  ) AS f\n  ${joins.join('\n  ')}`;
  return { sql, valueAlias };
}

/** Target table, its columns and the source columns feeding them, per hub / link / satellite. */
function intoClauses(load: VaultLoadModel, valueAlias: Map<string, string>) {
  const meta = [VAULT_COLUMNS.loadDts, VAULT_COLUMNS.recordSource];
  return [
    ...load.hubs.map((h) => ({
      path: h.path,
      columns: [h.hashKey, ...h.businessKey.map((c) => c.name), ...meta],
      values: [alias.hk(h), ...h.businessKey.map((c) => valueAlias.get(c.specName) as string), ...meta.map(q)],
    })),
    ...load.links.map((l) => ({
      path: l.path,
      columns: [l.hashKey, ...l.hubs.map((h) => h.hashKey), ...l.childKey.map((c) => c.name), ...meta],
      values: [
        alias.hk(l),
        ...l.hubs.map((h) => alias.hk(h)),
        ...l.childKey.map((c) => valueAlias.get(c.specName) as string),
        ...meta.map(q),
      ],
    })),
    ...load.satellites.map((st) => ({
      path: st.path,
      columns: [
        st.parent.hashKey,
        ...meta,
        VAULT_COLUMNS.sourceRow,
        VAULT_COLUMNS.hashdiff,
        ...st.attributes.map((a) => a.name),
      ],
      values: [
        alias.hk(st.parent),
        ...meta.map(q),
        q(VAULT_COLUMNS.sourceRow),
        alias.hashdiff(st),
        ...st.attributes.map((a) => valueAlias.get(a.specName) as string),
      ],
    })),
  ];
}

/** Snowflake: the one conditional multi-table insert of a batch. */
export function vaultInsertAll(load: VaultLoadModel): string {
  const { sql, valueAlias } = loadSource(load, snowflakeDialect);
  const into = intoClauses(load, valueAlias).map(
    (t) =>
      `  WHEN ${alias.flag(t.path)} THEN INTO ${snowflakeDialect.table(t.path)} (${t.columns.map(q).join(', ')})\n` +
      `    VALUES (${t.values.join(', ')})`,
  );
  return `INSERT ALL\n${into.join('\n')}\n${sql}`;
}

/** DuckDB: the equivalent statements (one INSERT per target over the same source), in order. */
export function vaultInsertStatements(load: VaultLoadModel, dialect: Dialect = duckdbDialect): string[] {
  const { sql, valueAlias } = loadSource(load, dialect);
  return intoClauses(load, valueAlias).map(
    (t) =>
      `INSERT INTO ${dialect.table(t.path)} (${t.columns.map(q).join(', ')})\n` +
      `SELECT ${t.values.map((x) => `src.${x}`).join(', ')} FROM (\n${sql}\n) AS src WHERE src.${alias.flag(t.path)}`,
  );
}

/** DuckDB: one emulated run of a load task (one transaction, consuming the stream table). */
export function duckdbVaultRun(load: VaultLoadModel, dialect: Dialect = duckdbDialect): string[] {
  return [
    'BEGIN TRANSACTION',
    ...vaultInsertStatements(load, dialect),
    `DELETE FROM ${dialect.table(load.stream)}`,
    'COMMIT',
  ];
}

/** Snowflake task body: the INSERT ALL in an explicit transaction, rolled back and re-raised on error. */
export function vaultLoadBody(load: VaultLoadModel): string {
  const stmt = vaultInsertAll(load).replace(/\n/g, '\n    ');
  const body =
    `EXECUTE IMMEDIATE $$\nBEGIN\n  BEGIN TRANSACTION;\n    ${stmt};\n  COMMIT;\n` +
    `EXCEPTION\n  WHEN OTHER THEN\n    ROLLBACK;\n    RAISE;\nEND;\n$$`;
  if (body.slice('EXECUTE IMMEDIATE $$'.length, -2).includes('$$'))
    throw new DataModelError(`vault load ${load.dataset.spec.name}: the body must not contain "$$"`);
  return body;
}

/** `VAULT.<DATASET>_LOAD`: child of the dataset's MERGE task (inherits its compute). */
export function vaultLoadTask(load: VaultLoadModel): TaskDefinition {
  const warehouse = load.dataset.spec.task?.warehouse;
  return {
    name: load.task,
    warehouse: warehouse ? canonicalName(warehouse) : undefined,
    initialWarehouseSize: warehouse ? undefined : 'XSMALL',
    after: [load.dataset.objects.task],
    body: vaultLoadBody(load),
    comment: `Loads the vault from ${load.dataset.spec.name} (one INSERT ALL per batch, managed by the pipeline).`,
  };
}
