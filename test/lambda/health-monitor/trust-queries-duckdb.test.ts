/**
 * The semantics of the monitor's trust queries, executed on DuckDB over the real OPS.FILE_LEDGER view and
 * rejects table (snowflake/model, duckdb dialect): which files count as unaccounted after the grace period,
 * and which CAST_FAILED rows fall in the window. Times are relative to the database's clock.
 */
import { DuckDb } from '../../../bin/sandbox/duckdb';
import type { FileManifest } from '../../../contracts/file-manifest';
import { FILE_MANIFEST_VERSION } from '../../../contracts/file-manifest';
import { castFailuresQuery, unaccountedFilesQuery } from '../../../lambda/health-monitor/trust-queries';
import {
  ansiStringLiteral,
  createLedgerViewStatement,
  createTableStatement,
  duckdbDialect,
  manifestsTable,
} from '../../../snowflake/model';
import { SCHEMAS, createDataset, referenceModel } from '../../snowflake/model/duckdb-model';

let db: DuckDb;
const listings = referenceModel('listings');
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function manifest(key: string, receivedMinutesAgo: number, m: Partial<FileManifest> = {}): FileManifest {
  return {
    manifest_version: FILE_MANIFEST_VERSION,
    source: 'src',
    dataset: 'listings',
    source_key: key,
    version_id: null,
    received_at: minutesAgo(receivedMinutesAgo),
    status: 'staged',
    reason: null,
    rows_in: 1,
    rows_staged: 1,
    rows_quarantined: 0,
    stage_objects: [`data/listings/${key}.ndjson.gz`],
    quarantine_objects: [],
    drift: { missing_paths: [], unknown_keys: [], case_mismatches: [] },
    ...m,
  };
}

beforeEach(async () => {
  db = await DuckDb.open();
  await createDataset(db, listings);
  await db.run('CREATE SCHEMA IF NOT EXISTS "OPS"');
  await db.run(createTableStatement(manifestsTable(SCHEMAS), duckdbDialect));
  await db.run(createLedgerViewStatement([listings], SCHEMAS, duckdbDialect));
});
afterEach(() => db.close());

describe('unaccounted files (OPS.FILE_LEDGER)', () => {
  test('GIVEN staged files whose rows never reached silver, one within the grace period, and a quarantined file with its report WHEN queried with a 60-minute grace THEN only the two old staged files count, the oldest named', async () => {
    const files = [
      manifest('src/listings/a.csv', 180),
      manifest('src/listings/b.csv', 120),
      manifest('src/listings/c.csv', 10),
      manifest('src/listings/q.csv', 180, {
        status: 'quarantined',
        reason: 'CORRUPT_GZIP',
        rows_staged: 0,
        stage_objects: [],
        quarantine_objects: ['quarantine/listings/q.file.json'],
      }),
    ];
    for (const m of files)
      await db.run(
        `INSERT INTO "OPS"."FILE_MANIFESTS" VALUES (${ansiStringLiteral(JSON.stringify(m))}, ${ansiStringLiteral(`manifests/${m.source_key}.json.gz`)}, current_timestamp)`,
      );
    const [row] = await db.rows(unaccountedFilesQuery(SCHEMAS, 60, duckdbDialect));
    expect(Number(row.UNACCOUNTED_FILES)).toBe(2);
    expect(row.OLDEST_SOURCE_KEY).toBe('src/listings/a.csv');
    expect(Math.abs(Number(row.OLDEST_SECONDS) - 180 * 60)).toBeLessThan(60);
    // A longer grace than every file's age: nothing to report.
    const [none] = await db.rows(unaccountedFilesQuery(SCHEMAS, 240, duckdbDialect));
    expect({ files: Number(none.UNACCOUNTED_FILES), oldest: Number(none.OLDEST_SECONDS) }).toEqual({
      files: 0,
      oldest: 0,
    });
  });
});

describe('CAST_FAILED rejects in the window', () => {
  test('GIVEN cast failures 2 and 10 minutes ago and a key reject 1 minute ago WHEN queried with a 5-minute window THEN only the two recent cast failures count', async () => {
    const reject = (row: number, reason: string, minutes: number) =>
      `('src', 'src/listings/a.csv', ${row}, TIMESTAMPTZ ${ansiStringLiteral(minutesAgo(200))}, ` +
      `${ansiStringLiteral(reason)}, TIMESTAMPTZ ${ansiStringLiteral(minutesAgo(minutes))})`;
    await db.run(
      `INSERT INTO "CORE"."LISTINGS_REJECTS" ("SOURCE", "SOURCE_KEY", "SOURCE_ROW", "RECEIVED_AT", "REASON", "REJECTED_AT") VALUES ` +
        [
          reject(1, 'CAST_FAILED', 2),
          reject(2, 'CAST_FAILED', 2),
          reject(3, 'CAST_FAILED', 10),
          reject(4, 'PRIMARY_KEY_MISSING', 1),
        ].join(', '),
    );
    const [row] = await db.rows(castFailuresQuery(SCHEMAS, 'listings', 5, duckdbDialect));
    expect(Number(row.CAST_FAILURES)).toBe(2);
    const [wider] = await db.rows(castFailuresQuery(SCHEMAS, 'listings', 15, duckdbDialect));
    expect(Number(wider.CAST_FAILURES)).toBe(3);
  });

  test('GIVEN a window or grace outside 1..10080 minutes WHEN rendered THEN a RangeError names it', () => {
    expect(() => castFailuresQuery(SCHEMAS, 'listings', 0)).toThrow(/windowMinutes 0 must be an integer/);
    expect(() => unaccountedFilesQuery(SCHEMAS, 1.5)).toThrow(/graceMinutes 1.5 must be an integer/);
  });
});
