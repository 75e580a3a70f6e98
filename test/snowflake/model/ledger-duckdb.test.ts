/**
 * OPS.FILE_LEDGER on DuckDB: hand-made manifests (following contracts/file-manifest.ts) and bronze rows,
 * the real MERGE, then the view. Expected counts are worked out by hand per file.
 */
import type { FileManifest } from '../../../contracts/file-manifest';
import { FILE_MANIFEST_VERSION } from '../../../contracts/file-manifest';
import { parseDatasets } from '../../../contracts/config';
import {
  ansiStringLiteral,
  buildDatasetModel,
  createLedgerViewStatement,
  createTableStatement,
  duckdbDialect,
  ledgerViewQuery,
  manifestsCopyStatement,
  manifestsTable,
  snowflakeDialect,
} from '../../../snowflake/model';
import type { DatasetModel } from '../../../snowflake/model';
import { LEDGER_COLUMNS } from '../../../snowflake/names';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { SCHEMAS, createDataset, loadBatch, referenceModel, runTask } from './duckdb-model';
import type { BronzeRow } from './duckdb-model';

let db: DuckDb;
beforeEach(async () => {
  db = await DuckDb.open();
  await db.run('CREATE SCHEMA IF NOT EXISTS "OPS"');
  await db.run(createTableStatement(manifestsTable(SCHEMAS), duckdbDialect));
});
afterEach(() => db.close());

const T1 = '2026-03-01T10:00:00.000Z';
const T2 = '2026-03-02T10:00:00.000Z';
const T3 = '2026-03-03T10:00:00.000Z';

function manifest(m: Partial<FileManifest> & Pick<FileManifest, 'source_key' | 'received_at'>): FileManifest {
  return {
    manifest_version: FILE_MANIFEST_VERSION,
    source: 'src',
    dataset: 'listings',
    version_id: null,
    status: 'staged',
    reason: null,
    rows_in: 0,
    rows_staged: 0,
    rows_quarantined: 0,
    stage_objects: [],
    quarantine_objects: [],
    drift: { missing_paths: [], unknown_keys: [], case_mismatches: [] },
    ...m,
  };
}

async function loadManifest(m: FileManifest, stageFile = `manifests/${m.source_key}.json.gz`): Promise<void> {
  await db.run(
    `INSERT INTO "OPS"."FILE_MANIFESTS" VALUES (${ansiStringLiteral(JSON.stringify(m))}, ${ansiStringLiteral(stageFile)}, current_timestamp)`,
  );
}

const clicks = (): DatasetModel =>
  buildDatasetModel(
    parseDatasets([
      {
        name: 'clicks',
        format: 'csv',
        columns: [
          { name: 'page', type: 'VARCHAR' },
          { name: 'ms', type: 'NUMBER(10,0)' },
        ],
      },
    ])[0]!,
    SCHEMAS,
  );

const row = (key: string, sourceRow: number, receivedAt: string, record: Record<string, unknown>): BronzeRow => ({
  record,
  sourceKey: key,
  sourceRow,
  receivedAt,
});

async function ledger(models: readonly DatasetModel[]) {
  await db.run(createLedgerViewStatement(models, SCHEMAS, duckdbDialect));
  const rows = await db.rows(`SELECT * FROM "OPS"."FILE_LEDGER" ORDER BY "SOURCE_KEY"`);
  return new Map(rows.map((r) => [String(r.SOURCE_KEY), r]));
}

const counts = (r: Record<string, unknown> | undefined) =>
  r && [r.ROWS_LOADED, r.ROWS_MERGED, r.ROWS_SUPERSEDED, r.ROWS_REJECTED, r.CAST_FAILURES, r.ACCOUNTED].map(String);

describe('OPS.FILE_LEDGER', () => {
  test('GIVEN staged, partly quarantined, unloaded, quarantined and superseded versions WHEN the ledger is read THEN each row is counted in exactly one outcome and accounted says whether all are', async () => {
    const listings = referenceModel('listings');
    const weather = referenceModel('weather'); // configured, never receives a row
    const c = clicks();
    for (const m of [listings, weather, c]) await createDataset(db, m);
    const a = [
      row('src/listings/a.csv', 1, T1, { id: '1', name: 'v1' }),
      row('src/listings/a.csv', 2, T1, { id: '2', price: '$150' }),
      row('src/listings/a.csv', 3, T1, { id: 'x' }),
    ];
    await loadBatch(db, listings, [...a, ...a]); // the stage file loaded twice (e.g. load history expired)
    await loadBatch(db, listings, [row('src/listings/b.csv', 1, T2, { id: '1', name: 'v2' })]);
    await loadBatch(db, listings, [row('src/listings/c.csv', 1, T3, { id: '3' })]); // c.csv row 2 never loaded
    await loadBatch(db, c, [
      row('src/clicks/d.csv', 1, T1, { page: '/a', ms: '1.5s' }),
      row('src/clicks/d.csv', 2, T1, { page: '/b', ms: '7' }),
    ]);
    for (const m of [listings, weather, c]) await runTask(db, m);

    const aManifest = manifest({ source_key: 'src/listings/a.csv', received_at: T1, rows_in: 3, rows_staged: 3 });
    await loadManifest(aManifest);
    await loadManifest(aManifest, 'manifests/again.json.gz'); // the same manifest loaded twice counts once
    await loadManifest(
      manifest({
        source_key: 'src/listings/b.csv',
        received_at: T2,
        rows_in: 2,
        rows_staged: 1,
        rows_quarantined: 1,
        quarantine_objects: ['quarantine/listings/b.rejects.json'],
      }),
    );
    await loadManifest(manifest({ source_key: 'src/listings/c.csv', received_at: T3, rows_in: 2, rows_staged: 2 }));
    await loadManifest(
      manifest({
        source_key: 'src/listings/e.csv',
        received_at: T1,
        rows_in: 2,
        rows_staged: 1,
        rows_quarantined: 1,
      }),
    ); // a row quarantined without its report, and the staged row never arrived
    await loadManifest(
      manifest({
        source_key: 'src/listings/f.csv.gz',
        received_at: T1,
        status: 'quarantined',
        reason: 'CORRUPT_COMPRESSION',
        quarantine_objects: ['quarantine/listings/f.report.json'],
        drift: null,
      }),
    );
    await loadManifest(
      manifest({
        source_key: 'src/nope/g.csv',
        dataset: null,
        received_at: T1,
        status: 'quarantined',
        reason: 'UNKNOWN_DATASET',
        drift: null,
      }),
    );
    await loadManifest(
      manifest({ source_key: 'src/listings/h.csv', received_at: T2, status: 'superseded', reason: 'SUPERSEDED' }),
    );
    await loadManifest(
      manifest({
        source_key: 'src/clicks/d.csv',
        dataset: 'clicks',
        received_at: T1,
        rows_in: 2,
        rows_staged: 2,
        drift: { missing_paths: [], unknown_keys: ['Referrer'], case_mismatches: [] },
      }),
    );

    const view = await ledger([listings, weather, c]);
    expect([...view.keys()]).toEqual([
      'src/clicks/d.csv',
      'src/listings/a.csv',
      'src/listings/b.csv',
      'src/listings/c.csv',
      'src/listings/e.csv',
      'src/listings/f.csv.gz',
      'src/listings/h.csv',
      'src/nope/g.csv',
    ]);
    // loaded, merged, superseded, rejected, cast failures, accounted
    expect(counts(view.get('src/listings/a.csv'))).toEqual(['6', '1', '1', '1', '1', 'true']);
    expect(counts(view.get('src/listings/b.csv'))).toEqual(['1', '1', '0', '0', '0', 'true']);
    expect(counts(view.get('src/listings/c.csv'))).toEqual(['1', '1', '0', '0', '0', 'false']);
    expect(counts(view.get('src/listings/e.csv'))).toEqual(['0', '0', '0', '0', '0', 'false']);
    expect(counts(view.get('src/listings/f.csv.gz'))).toEqual(['0', '0', '0', '0', '0', 'true']);
    expect(counts(view.get('src/nope/g.csv'))).toEqual(['0', '0', '0', '0', '0', 'false']);
    expect(counts(view.get('src/listings/h.csv'))).toEqual(['0', '0', '0', '0', '0', 'true']);
    expect(counts(view.get('src/clicks/d.csv'))).toEqual(['2', '2', '0', '0', '1', 'true']);
    expect(view.get('src/clicks/d.csv')?.DRIFT_DETECTED).toBe(true);
    expect(JSON.parse(String(view.get('src/clicks/d.csv')?.DRIFT))).toEqual({
      missing_paths: [],
      unknown_keys: ['Referrer'],
      case_mismatches: [],
    });
    expect(view.get('src/listings/a.csv')?.DRIFT_DETECTED).toBe(false);
    expect(view.get('src/listings/f.csv.gz')?.DRIFT_DETECTED).toBe(false);
    expect(view.get('src/listings/f.csv.gz')?.REASON).toBe('CORRUPT_COMPRESSION');
  });

  test('GIVEN no datasets and no manifests WHEN the ledger is created and read THEN it has the contract columns and no rows', async () => {
    await db.run(createLedgerViewStatement([], SCHEMAS, duckdbDialect));
    const cols = await db.rows(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'OPS' AND table_name = 'FILE_LEDGER' ORDER BY ordinal_position`,
    );
    expect(cols.map((c) => c.column_name)).toEqual([...LEDGER_COLUMNS]);
    expect(await db.rows(`SELECT * FROM "OPS"."FILE_LEDGER"`)).toEqual([]);
  });

  test('GIVEN the Snowflake dialect WHEN rendered THEN manifests are read as VARIANT paths, received_at as a UTC TIMESTAMP_TZ, and the pipe COPY fills MANIFEST_COLUMNS', () => {
    const sql = ledgerViewQuery([referenceModel('listings')], SCHEMAS, snowflakeDialect);
    expect(sql).toMatch(/^WITH manifests AS \(/);
    expect(sql).toContain(`m."MANIFEST":"source_key"::VARCHAR AS "SOURCE_KEY"`);
    expect(sql).toContain(`FROM "INGEST"."OPS"."FILE_MANIFESTS" AS m`);
    expect(sql).toContain(`LEFT JOIN "INGEST"."CORE"."LISTINGS" AS k0 ON k0."ID" = r."_KEY_0_0"`);
    expect(sql).toContain(`COALESCE(ARRAY_SIZE(v."DRIFT":"missing_paths"), 0)`);
    expect(manifestsCopyStatement(SCHEMAS)).toBe(
      `COPY INTO "INGEST"."OPS"."FILE_MANIFESTS" ("MANIFEST", "STAGE_FILE", "LOADED_AT") ` +
        `FROM (SELECT $1, METADATA$FILENAME, METADATA$START_SCAN_TIME FROM @"INGEST"."RAW"."PIPELINE_STAGE"/manifests/) ` +
        `FILE_FORMAT = (FORMAT_NAME = 'INGEST.RAW.STAGE_NDJSON_GZ')`,
    );
  });
});
