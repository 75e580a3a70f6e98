/**
 * OPS.FILE_LEDGER for a split dataset on DuckDB: one file of mixed records fans out to several targets (each
 * with its own silver, key and rejects) and SPLIT_NO_TARGET rejects. The file is one input object version of the
 * split dataset: it is `accounted` when every row is in exactly one target's silver (merged or superseded) or in
 * some rejects table. Expected counts are worked out by hand from the records below.
 */
import type { FileManifest } from '../../../contracts/file-manifest';
import { FILE_MANIFEST_VERSION } from '../../../contracts/file-manifest';
import { parseDatasets } from '../../../contracts/config';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import {
  ansiStringLiteral,
  bronzeTable,
  buildDatasetModels,
  createLedgerViewStatement,
  createStreamStatement,
  createTableStatement,
  duckdbDialect,
  duckdbTaskRun,
  hasSilver,
  manifestsTable,
  ownTables,
  rejectsTable,
  silverTable,
} from '../../../snowflake/model';
import type { DatasetModel } from '../../../snowflake/model';
import { SCHEMAS } from './duckdb-model';

const SPECS = parseDatasets([
  {
    name: 'fleet',
    format: 'ndjson',
    columns: [{ name: 'on', type: 'VARCHAR' }],
    split: { field: 'on', into: { vehicle: 'vehicles', operating_period: 'periods', trip: 'trips' } },
  },
  {
    name: 'vehicles',
    format: 'ndjson',
    columns: [
      { name: 'vehicle_id', type: 'VARCHAR', path: 'data.id' },
      { name: 'at', type: 'TIMESTAMP_TZ' },
      { name: 'battery', type: 'NUMBER(3,0)', path: 'data.battery' },
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
  // An insert-only target: every routed row is merged.
  { name: 'trips', format: 'ndjson', columns: [{ name: 'km', type: 'NUMBER(6,1)', path: 'data.km' }] },
]);

let db: DuckDb;
let models: DatasetModel[];
const model = (name: string) => models.find((m) => m.spec.name === name)!;

beforeEach(async () => {
  db = await DuckDb.open();
  models = buildDatasetModels(SPECS, SCHEMAS);
  await db.runAll(['RAW', 'CORE', 'OPS'].map((s) => `CREATE SCHEMA "${s}"`));
  for (const m of models) {
    if (!m.splitFrom) await db.run(createTableStatement(bronzeTable(m), duckdbDialect));
    await db.run(createStreamStatement(m, duckdbDialect));
    if (hasSilver(m)) await db.run(createTableStatement(silverTable(m), duckdbDialect));
    await db.run(createTableStatement(rejectsTable(m), duckdbDialect));
  }
  await db.run(createTableStatement(manifestsTable(SCHEMAS), duckdbDialect));
  await db.run(createLedgerViewStatement(models, SCHEMAS, duckdbDialect));
});
afterEach(() => db.close());

/** The pipe: a file's rows into the split dataset's bronze and every stream on it (its own and each target's). */
async function load(key: string, records: unknown[], receivedAt: string) {
  const values = records.map(
    (r, i) =>
      `(${ansiStringLiteral(JSON.stringify(r))}, 'src', ${ansiStringLiteral(key)}, ${i + 1}, ` +
      `TIMESTAMPTZ ${ansiStringLiteral(receivedAt)}, ${ansiStringLiteral(`data/fleet/${i}.ndjson.gz`)}, ${i + 1}, current_timestamp)`,
  );
  for (const m of models.filter((x) => x.spec.name === 'fleet' || x.splitFrom?.parent === 'fleet'))
    await db.run(`INSERT INTO ${duckdbDialect.table(m.objects.stream)} VALUES ${values.join(', ')}`);
  await db.run(`INSERT INTO ${duckdbDialect.table(model('fleet').objects.bronze)} VALUES ${values.join(', ')}`);
}

async function runTasks() {
  for (const m of models) await db.runAll(duckdbTaskRun(m));
}

async function manifest(key: string, receivedAt: string, rowsIn: number) {
  const m: FileManifest = {
    manifest_version: FILE_MANIFEST_VERSION,
    source_key: key,
    version_id: null,
    source: 'src',
    dataset: 'fleet',
    received_at: receivedAt,
    status: 'staged',
    reason: null,
    rows_in: rowsIn,
    rows_staged: rowsIn,
    rows_quarantined: 0,
    stage_objects: [],
    quarantine_objects: [],
    drift: { missing_paths: [], unknown_keys: [], case_mismatches: [] },
  };
  await db.run(
    `INSERT INTO "OPS"."FILE_MANIFESTS" VALUES (${ansiStringLiteral(JSON.stringify(m))}, 'manifests/m.json.gz', current_timestamp)`,
  );
}

async function ledger() {
  const rows = await db.rows(`SELECT * FROM "OPS"."FILE_LEDGER" ORDER BY "SOURCE_KEY"`);
  return new Map(
    rows.map((r) => [
      String(r.SOURCE_KEY),
      [r.DATASET, r.ROWS_LOADED, r.ROWS_MERGED, r.ROWS_SUPERSEDED, r.ROWS_REJECTED, r.CAST_FAILURES, r.ACCOUNTED].map(
        String,
      ),
    ]),
  );
}

const T1 = '2026-01-01T00:00:00.000Z';
const T2 = '2026-01-02T00:00:00.000Z';
const FILE_A = [
  { on: 'vehicle', at: '2019-06-01T15:00:00Z', data: { id: 'v1', battery: 80 } }, // 1 merged (vehicles)
  { on: 'operating_period', event: 'create', at: '2019-06-01T15:00:01Z', data: { id: 'p1' } }, // 2 superseded by row 6
  { on: 'driver', at: '2019-06-01T15:00:02Z', data: { id: 'd1' } }, // 3 SPLIT_NO_TARGET
  { at: '2019-06-01T15:00:03Z', data: { id: 'v2' } }, // 4 SPLIT_NO_TARGET (field missing)
  { on: 'vehicle', at: '2019-06-01T15:00:04Z', data: {} }, // 5 PRIMARY_KEY_MISSING (vehicles)
  { on: 'operating_period', event: 'delete', at: '2019-06-01T15:00:05Z', data: { id: 'p1' } }, // 6 merged (periods)
  { on: 'vehicle', at: '2019-06-01T15:00:06Z', data: { id: 'v3', battery: 'full' } }, // 7 merged, battery CAST_FAILED
  { on: 'trip', data: { km: 12.5 } }, // 8 merged (trips, insert-only)
];
// A later upload whose period event is OLDER (orderBy at) than the merged one: superseded; v9 merged.
const FILE_B = [
  { on: 'operating_period', event: 'update', at: '2019-06-01T15:00:02Z', data: { id: 'p1' } },
  { on: 'vehicle', at: '2019-06-02T00:00:00Z', data: { id: 'v9' } },
];

describe('OPS.FILE_LEDGER for a split dataset', () => {
  test('GIVEN a file fanned out to three targets and SPLIT_NO_TARGET rejects WHEN the ledger is read THEN every row is counted once across the targets and the file is accounted', async () => {
    await load('src/fleet/a.ndjson', FILE_A, T1);
    await load('src/fleet/b.ndjson', FILE_B, T2);
    await runTasks();
    await manifest('src/fleet/a.ndjson', T1, FILE_A.length);
    await manifest('src/fleet/b.ndjson', T2, FILE_B.length);
    const view = await ledger();
    // dataset, loaded, merged (1, 6, 7, 8), superseded (2), rejected (3, 4, 5), cast failures (7), accounted
    expect(view.get('src/fleet/a.ndjson')).toEqual(['fleet', '8', '4', '1', '3', '1', 'true']);
    expect(view.get('src/fleet/b.ndjson')).toEqual(['fleet', '2', '1', '1', '0', '0', 'true']);
    // Targets have no files of their own: one ledger row per input object version.
    expect(view.size).toBe(2);
  });

  test('GIVEN a routed row not merged yet and a manifest counting more rows than arrived WHEN the ledger is read THEN the file is not accounted', async () => {
    await load('src/fleet/a.ndjson', FILE_A, T1);
    // Only the split dataset's own run: the targets' MERGEs have not run yet.
    await db.runAll(duckdbTaskRun(model('fleet')));
    await manifest('src/fleet/a.ndjson', T1, FILE_A.length);
    expect(await ledger()).toEqual(new Map([['src/fleet/a.ndjson', ['fleet', '8', '0', '0', '2', '0', 'false']]]));
    await runTasks();
    expect((await ledger()).get('src/fleet/a.ndjson')?.[6]).toBe('true');
    // A file whose manifest says 3 rows while 2 were loaded is not accounted.
    await load('src/fleet/c.ndjson', FILE_B, T2);
    await runTasks();
    await manifest('src/fleet/c.ndjson', T2, 3);
    expect((await ledger()).get('src/fleet/c.ndjson')).toEqual(['fleet', '2', '1', '1', '0', '0', 'false']);
  });

  test('GIVEN the split models WHEN their tables are listed THEN the split dataset owns bronze and rejects, each target silver and rejects', () => {
    expect(ownTables(model('fleet')).map((p) => p.join('.'))).toEqual([
      'INGEST.RAW.FLEET',
      'INGEST.CORE.FLEET_REJECTS',
    ]);
    expect(ownTables(model('trips')).map((p) => p.join('.'))).toEqual([
      'INGEST.CORE.TRIPS',
      'INGEST.CORE.TRIPS_REJECTS',
    ]);
  });
});
