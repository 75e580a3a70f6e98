/**
 * The derived models on a real DuckDB, with the same generators the tasks run: fan-out by a record
 * field (split), entity tables, and the data vault's INSERT ALL equivalent — dedupe, late arrivals,
 * unchanged satellites, re-delivery.
 */
import { createHash } from 'crypto';
import type { DatasetSpec, VaultSpec } from '../../../contracts/config';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { derivedModels, derivedObjectStatements, graphRuns } from '../../../bin/sandbox/task-graph';
import type { DerivedModels } from '../../../bin/sandbox/task-graph';
import {
  ansiStringLiteral,
  bronzeTable,
  createStreamStatement,
  createTableStatement,
  duckdbDialect,
  duckdbTaskRun,
  hasRejects,
  hasSilver,
  rejectsTable,
  silverTable,
} from '../../../snowflake/model';
import type { ObjectPath } from '../../../snowflake/names';
import { SCHEMAS } from './duckdb-model';

const EVENTS: DatasetSpec[] = [
  {
    name: 'fleet',
    format: 'ndjson',
    columns: [{ name: 'on', type: 'VARCHAR' }],
    split: { field: 'on', into: { vehicle: 'vehicles', operating_period: 'periods' } },
  },
  {
    name: 'vehicles',
    format: 'ndjson',
    columns: [
      { name: 'vehicle_id', type: 'VARCHAR', path: 'data.id' },
      { name: 'at', type: 'TIMESTAMP_TZ' },
    ],
    primaryKey: ['vehicle_id', 'at'],
  },
  {
    name: 'periods',
    format: 'ndjson',
    columns: [
      { name: 'period_id', type: 'VARCHAR', path: 'data.id' },
      { name: 'event', type: 'VARCHAR' },
      { name: 'at', type: 'TIMESTAMP_TZ' },
    ],
    primaryKey: ['period_id'],
    orderBy: 'at',
  },
  {
    name: 'obs',
    format: 'json',
    columns: [
      { name: 'customer_id', type: 'VARCHAR' },
      { name: 'site', type: 'VARCHAR' },
      { name: 'observed_at', type: 'TIMESTAMP_NTZ' },
      { name: 'temp', type: 'NUMBER(5,1)' },
      { name: 'version', type: 'NUMBER(5,0)' },
    ],
    primaryKey: ['customer_id', 'site', 'observed_at'],
    orderBy: 'version',
    entities: [
      { name: 'obs_customers', key: ['customer_id'], seenBy: 'observed_at' },
      { name: 'obs_current', key: ['customer_id', 'site'], columns: ['observed_at', 'temp'], seenBy: 'observed_at' },
    ],
  },
  {
    name: 'orders',
    format: 'json',
    columns: [
      { name: 'order_id', type: 'VARCHAR' },
      { name: 'customer_id', type: 'VARCHAR' },
      { name: 'total', type: 'NUMBER(10,2)' },
    ],
    primaryKey: ['order_id'],
  },
];
const VAULT: VaultSpec = {
  hubs: [
    { name: 'order', businessKey: [{ name: 'order_id', type: 'VARCHAR' }] },
    { name: 'customer', businessKey: [{ name: 'customer_id', type: 'VARCHAR' }] },
    { name: 'item', businessKey: [{ name: 'sku', type: 'VARCHAR' }] },
  ],
  links: [
    { name: 'order_line', hubs: ['order', 'customer', 'item'] },
    // With a dependent child key (the line number): the same item twice in one order is two rows.
    { name: 'order_item_line', hubs: ['order', 'item'], childKey: [{ name: 'line_no', type: 'NUMBER(5,0)' }] },
  ],
  satellites: [
    { name: 'order_details', parent: 'order', attributes: [{ name: 'total', type: 'NUMBER(10,2)' }] },
    { name: 'line_details', parent: 'order_item_line', attributes: [{ name: 'qty', type: 'NUMBER(5,0)' }] },
  ],
  loads: [
    {
      dataset: 'orders',
      unnest: 'lines',
      hubs: ['order', 'customer', 'item'],
      links: ['order_line', 'order_item_line'],
      satellites: ['order_details', 'line_details'],
      elementIndex: 'line_no',
    },
  ],
};

let db: DuckDb;
let d: DerivedModels;
const model = (name: string) => d.models.find((m) => m.spec.name === name)!;
const t = (p: ObjectPath) => duckdbDialect.table(p);
const md5 = (s: string) => createHash('md5').update(s).digest('hex').toUpperCase();

/** The pipe: a file's rows into the bronze of `dataset` and every stream on that bronze. */
async function load(dataset: string, records: unknown[], receivedAt: string, key = `src/${dataset}/f.json`) {
  const m = model(dataset);
  const streams = [
    m.objects.stream,
    ...d.models.filter((x) => x.splitFrom?.parent === dataset).map((x) => x.objects.stream),
    ...(d.vault?.loads.filter((l) => l.dataset.spec.name === dataset).map((l) => l.stream) ?? []),
  ];
  const values = records.map(
    (r, i) =>
      `(${ansiStringLiteral(JSON.stringify(r))}, 'src', ${ansiStringLiteral(key)}, ${i + 1}, TIMESTAMPTZ ${ansiStringLiteral(receivedAt)}, 'stage', ${i + 1}, current_timestamp)`,
  );
  for (const table of [m.objects.bronze, ...streams])
    await db.run(`INSERT INTO ${t(table)} VALUES ${values.join(', ')}`);
}

/** One graph run per dataset with stream rows: MERGE (or routing), then its children. */
async function runGraphs() {
  for (const m of d.models) {
    if (Number(await db.value(`SELECT count(*) FROM ${t(m.objects.stream)}`)) === 0) continue;
    await db.runAll(duckdbTaskRun(m));
    for (const r of graphRuns(d, m.spec.name)) await db.runAll(r.statements);
  }
}

beforeEach(async () => {
  db = await DuckDb.open();
  d = derivedModels({ datasets: EVENTS, vault: VAULT }, SCHEMAS, {
    warehouseDirectory: '/nonexistent',
    martDirectory: '/nonexistent',
  });
  await db.runAll(['RAW', 'CORE'].map((s) => `CREATE SCHEMA "${s}"`));
  for (const m of d.models) {
    await db.run(createTableStatement(bronzeTable(m), duckdbDialect));
    await db.run(createStreamStatement(m, duckdbDialect));
    if (hasSilver(m)) await db.run(createTableStatement(silverTable(m), duckdbDialect));
    if (hasRejects(m)) await db.run(createTableStatement(rejectsTable(m), duckdbDialect));
  }
  await db.runAll(derivedObjectStatements(d));
});
afterEach(() => db.close());

describe('split', () => {
  const file = [
    { on: 'vehicle', at: '2019-06-01T15:00:00Z', data: { id: 'v1' } },
    { on: 'operating_period', event: 'create', at: '2019-06-01T15:00:01Z', data: { id: 'p1' } },
    { on: 'driver', at: '2019-06-01T15:00:02Z', data: { id: 'd1' } },
    { at: '2019-06-01T15:00:03Z', data: { id: 'v2' } },
    { on: 'vehicle', at: '2019-06-01T15:00:04Z', data: {} },
    { on: 'operating_period', event: 'delete', at: '2019-06-01T15:00:05Z', data: { id: 'p1' } },
  ];

  test('GIVEN one file of mixed records WHEN the graphs run THEN each value lands in its target, the rest is rejected with a reason, lineage kept', async () => {
    await load('fleet', file, '2026-01-01T00:00:00Z');
    await runGraphs();
    expect(await db.rows(`SELECT "VEHICLE_ID", "_SOURCE_KEY", "_SOURCE_ROW" FROM "CORE"."VEHICLES"`)).toEqual([
      { VEHICLE_ID: 'v1', _SOURCE_KEY: 'src/fleet/f.json', _SOURCE_ROW: '1' },
    ]);
    // The later event of p1 wins (orderBy at).
    expect(await db.rows(`SELECT "PERIOD_ID", "EVENT", "_SOURCE_ROW" FROM "CORE"."PERIODS"`)).toEqual([
      { PERIOD_ID: 'p1', EVENT: 'delete', _SOURCE_ROW: '6' },
    ]);
    expect(await db.rows(`SELECT "REASON", "SOURCE_ROW" FROM "CORE"."VEHICLES_REJECTS"`)).toEqual([
      { REASON: 'PRIMARY_KEY_MISSING', SOURCE_ROW: '5' },
    ]);
    expect(await db.rows(`SELECT "REASON", "DETAIL", "SOURCE_ROW" FROM "CORE"."FLEET_REJECTS" ORDER BY 3`)).toEqual([
      {
        REASON: 'SPLIT_NO_TARGET',
        DETAIL: 'split field on (path on): value driver has no target dataset (known: vehicle, operating_period)',
        SOURCE_ROW: '3',
      },
      { REASON: 'SPLIT_NO_TARGET', DETAIL: 'split field on (path on) is missing', SOURCE_ROW: '4' },
    ]);
    // Every row of the file is in exactly one place: 1 + 2 (p1 twice: one merged, one superseded) + 1 + 2 = 6.
    for (const s of ['FLEET_STREAM', 'VEHICLES_STREAM', 'PERIODS_STREAM'])
      expect(Number(await db.value(`SELECT count(*) FROM "RAW"."${s}"`))).toBe(0);
  });

  test('GIVEN the same file delivered twice WHEN the graphs run THEN nothing is doubled', async () => {
    await load('fleet', file, '2026-01-01T00:00:00Z');
    await runGraphs();
    await load('fleet', file, '2026-01-01T00:00:00Z');
    await runGraphs();
    expect(Number(await db.value(`SELECT count(*) FROM "CORE"."FLEET_REJECTS"`))).toBe(2);
    expect(Number(await db.value(`SELECT count(*) FROM "CORE"."VEHICLES_REJECTS"`))).toBe(1);
    expect(Number(await db.value(`SELECT count(*) FROM "CORE"."VEHICLES"`))).toBe(1);
  });
});

describe('entities', () => {
  test('GIVEN observations, a correction and a late older one WHEN refreshed THEN one row per key, first/last seen and the latest values', async () => {
    await load(
      'obs',
      [
        { customer_id: 'c1', site: 'a', observed_at: '2026-01-01T10:00', temp: 1 },
        { customer_id: 'c1', site: 'a', observed_at: '2026-01-01T11:00', temp: 2 },
        { customer_id: 'c1', site: 'b', observed_at: '2026-01-01T10:00', temp: 5 },
      ],
      '2026-01-02T00:00:00Z',
    );
    await runGraphs();
    const refreshed = await db.value(`SELECT max("_REFRESHED_AT") FROM "CORE"."OBS_CURRENT"`);
    // A correction of 11:00 (version 2), and an older observation arriving late.
    await load(
      'obs',
      [
        { customer_id: 'c1', site: 'a', observed_at: '2026-01-01T11:00', temp: 2.5, version: 2 },
        { customer_id: 'c1', site: 'a', observed_at: '2026-01-01T08:00', temp: 0 },
      ],
      '2026-01-03T00:00:00Z',
      'src/obs/g.json',
    );
    await runGraphs();
    expect(await db.rows(`SELECT * EXCLUDE ("_REFRESHED_AT") FROM "CORE"."OBS_CURRENT" ORDER BY "SITE"`)).toEqual([
      {
        CUSTOMER_ID: 'c1',
        SITE: 'a',
        OBSERVED_AT: '2026-01-01 11:00:00',
        TEMP: '2.5',
        FIRST_SEEN: '2026-01-01 08:00:00',
        LAST_SEEN: '2026-01-01 11:00:00',
      },
      {
        CUSTOMER_ID: 'c1',
        SITE: 'b',
        OBSERVED_AT: '2026-01-01 10:00:00',
        TEMP: '5.0',
        FIRST_SEEN: '2026-01-01 10:00:00',
        LAST_SEEN: '2026-01-01 10:00:00',
      },
    ]);
    expect(await db.rows(`SELECT "CUSTOMER_ID", "FIRST_SEEN", "LAST_SEEN" FROM "CORE"."OBS_CUSTOMERS"`)).toEqual([
      { CUSTOMER_ID: 'c1', FIRST_SEEN: '2026-01-01 08:00:00', LAST_SEEN: '2026-01-01 11:00:00' },
    ]);
    // Site b did not change: its row was not rewritten.
    expect(await db.value(`SELECT "_REFRESHED_AT" FROM "CORE"."OBS_CURRENT" WHERE "SITE" = 'b'`)).toBe(refreshed);
  });
});

describe('data vault', () => {
  const order = (id: string, customer: string, total: number, skus: string[]) => ({
    order_id: id,
    customer_id: customer,
    total,
    lines: skus.map((sku) => ({ sku })),
  });

  test('GIVEN orders with nested lines WHEN loaded THEN hubs hold each normalised key once with its MD5, links each combination once', async () => {
    await load(
      'orders',
      [order('o1', 'c1', 10, ['A', 'B']), order('o2', ' c1 ', 5, ['A']), order('o3', 'c2', 0, [])],
      '2026-01-01T00:00:00Z',
    );
    await runGraphs();
    expect(await db.rows(`SELECT hex("CUSTOMER_HK") hk, "CUSTOMER_ID" FROM "VAULT"."HUB_CUSTOMER" ORDER BY 2`)).toEqual(
      [
        { hk: md5('C1'), CUSTOMER_ID: 'c1' },
        { hk: md5('C2'), CUSTOMER_ID: 'c2' },
      ],
    );
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."HUB_ITEM"`))).toBe(2);
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."HUB_ORDER"`))).toBe(3);
    expect(
      (await db.rows(`SELECT hex("ORDER_LINE_HK") hk FROM "VAULT"."LINK_ORDER_LINE" ORDER BY 1`)).map((r) => r.hk),
    ).toEqual([md5('O1||C1||A'), md5('O1||C1||B'), md5('O2||C1||A')].sort());
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."SAT_ORDER_DETAILS"`))).toBe(3);
  });

  test('GIVEN a re-delivery, an unchanged and a changed version WHEN loaded THEN a satellite row only for the change', async () => {
    await load('orders', [order('o1', 'c1', 10, ['A']), order('o2', 'c1', 5, ['A'])], '2026-01-01T00:00:00Z');
    await runGraphs();
    await load('orders', [order('o1', 'c1', 10, ['A']), order('o2', 'c1', 5, ['A'])], '2026-01-01T00:00:00Z');
    await runGraphs();
    await load(
      'orders',
      [order('o1', 'c1', 10, ['A']), order('o2', 'c1', 7.5, ['A', 'B'])],
      '2026-01-02T00:00:00Z',
      'src/orders/g.json',
    );
    await runGraphs();
    expect(
      await db.rows(
        `SELECT h."ORDER_ID", s."TOTAL", s."RECORD_SOURCE" FROM "VAULT"."SAT_ORDER_DETAILS" s JOIN "VAULT"."HUB_ORDER" h USING ("ORDER_HK") ORDER BY 1, s."LOAD_DTS"`,
      ),
    ).toEqual([
      { ORDER_ID: 'o1', TOTAL: '10.00', RECORD_SOURCE: 'src/orders/f.json' },
      { ORDER_ID: 'o2', TOTAL: '5.00', RECORD_SOURCE: 'src/orders/f.json' },
      { ORDER_ID: 'o2', TOTAL: '7.50', RECORD_SOURCE: 'src/orders/g.json' },
    ]);
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."HUB_ORDER"`))).toBe(2);
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."LINK_ORDER_LINE"`))).toBe(3);
  });

  test('GIVEN an older file replayed after a newer version WHEN loaded THEN the satellite gains nothing (its rows are already there)', async () => {
    await load('orders', [order('o1', 'c1', 5, ['A'])], '2026-01-01T00:00:00Z', 'src/orders/f.json');
    await runGraphs();
    await load('orders', [order('o1', 'c1', 7.5, ['A'])], '2026-01-02T00:00:00Z', 'src/orders/g.json');
    await runGraphs();
    const before = await db.rows(
      `SELECT "TOTAL", "RECORD_SOURCE" FROM "VAULT"."SAT_ORDER_DETAILS" ORDER BY "LOAD_DTS"`,
    );
    expect(before).toEqual([
      { TOTAL: '5.00', RECORD_SOURCE: 'src/orders/f.json' },
      { TOTAL: '7.50', RECORD_SOURCE: 'src/orders/g.json' },
    ]);
    // The replay carries the original's event time and key (the same lineage): it differs from the latest row
    // (7.50) but is already in the satellite.
    await load('orders', [order('o1', 'c1', 5, ['A'])], '2026-01-01T00:00:00Z', 'src/orders/f.json');
    await runGraphs();
    expect(
      await db.rows(`SELECT "TOTAL", "RECORD_SOURCE" FROM "VAULT"."SAT_ORDER_DETAILS" ORDER BY "LOAD_DTS"`),
    ).toEqual(before);
  });

  test('GIVEN the same item twice in one order WHEN loaded THEN the child-keyed link has a row per line, each with its satellite; a replay adds nothing', async () => {
    const lines = [
      { sku: 'A', qty: 1 },
      { sku: 'A', qty: 2 },
      { sku: 'B', qty: 1 },
    ];
    const record = { order_id: 'o1', customer_id: 'c1', total: 9, lines };
    await load('orders', [record], '2026-01-01T00:00:00Z');
    await runGraphs();
    // Without a child key the two A lines are one relationship; with it, one row per line (hash of keys + line).
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."LINK_ORDER_LINE"`))).toBe(2);
    const expected = lines.map((l, i) => [md5(`O1||${l.sku}||${i + 1}`), String(i + 1), String(l.qty)]);
    const rows = async () =>
      (
        await db.rows(
          `SELECT hex(l."ORDER_ITEM_LINE_HK") hk, l."LINE_NO", s."QTY" FROM "VAULT"."LINK_ORDER_ITEM_LINE" l
           JOIN "VAULT"."SAT_LINE_DETAILS" s USING ("ORDER_ITEM_LINE_HK") ORDER BY l."LINE_NO"`,
        )
      ).map((r) => [r.hk, r.LINE_NO, r.QTY]);
    expect(await rows()).toEqual(expected);
    await load('orders', [record], '2026-01-01T00:00:00Z');
    await runGraphs();
    expect(await rows()).toEqual(expected);
  });

  test('GIVEN two versions of one order in one batch WHEN loaded THEN both changes are kept in order, the hub row once', async () => {
    await load(
      'orders',
      [order('o1', 'c1', 10, ['A']), order('o1', 'c1', 10, ['A']), order('o1', 'c1', 12, ['A'])],
      '2026-01-01T00:00:00Z',
    );
    await runGraphs();
    expect(
      (await db.rows(`SELECT "TOTAL", "SOURCE_ROW" FROM "VAULT"."SAT_ORDER_DETAILS" ORDER BY 2`)).map((r) => [
        r.TOTAL,
        r.SOURCE_ROW,
      ]),
    ).toEqual([
      ['10.00', '1'],
      ['12.00', '3'],
    ]);
    expect(Number(await db.value(`SELECT count(*) FROM "VAULT"."HUB_ORDER"`))).toBe(1);
  });
});
