/**
 * Versions independent of timing, UTC timestamps and case-insensitive paths, executed on DuckDB through
 * the same generators as the Snowflake task body. Expected values are worked out by hand from the inputs.
 */
import { parseDatasets } from '../../../contracts/config';
import { buildDatasetModel, duckdbDialect, silverWriteStatement, snowflakeDialect } from '../../../snowflake/model';
import type { DatasetModel } from '../../../snowflake/model';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { SCHEMAS, createDataset, loadBatch, referenceModel, runTask, silverRows } from './duckdb-model';
import type { BronzeRow } from './duckdb-model';

let db: DuckDb;
afterEach(() => db.close());

const model = (raw: unknown): DatasetModel => buildDatasetModel(parseDatasets([raw])[0]!, SCHEMAS);

/** Silver without the columns that record processing (when merged / loaded, from which stage file). */
const stable = (m: DatasetModel) =>
  db.rows(
    `SELECT * EXCLUDE ("_MERGED_AT", "_LOADED_AT", "_STAGE_FILE", "_STAGE_ROW") FROM ${duckdbDialect.table(m.objects.silver)} ORDER BY ALL`,
  );

describe('versions independent of timing', () => {
  beforeEach(async () => {
    db = await DuckDb.open();
  });
  const listings = () => referenceModel('listings');
  const base: BronzeRow[] = [
    {
      record: { id: '1', name: 'a v1', price: '100' },
      sourceKey: 'src/listings/a.csv',
      sourceRow: 1,
      receivedAt: '2026-03-01T00:00:00Z',
    },
    {
      record: { id: '2', name: 'b v1', price: 'n/a' },
      sourceKey: 'src/listings/a.csv',
      sourceRow: 2,
      receivedAt: '2026-03-01T00:00:00Z',
    },
  ];
  const update: BronzeRow[] = [
    {
      record: { id: '1', name: 'a v2', price: '238' },
      sourceKey: 'src/listings/b.csv',
      sourceRow: 1,
      receivedAt: '2026-03-02T00:00:00Z',
    },
    {
      record: { id: '2', name: 'b v2', price: '223' },
      sourceKey: 'src/listings/b.csv',
      sourceRow: 2,
      receivedAt: '2026-03-02T00:00:00Z',
    },
  ];

  test('GIVEN newer versions merged WHEN the older range is replayed (same versions re-loaded into bronze) THEN silver and rejects are unchanged, _MERGED_AT included', async () => {
    const m = listings();
    await createDataset(db, m);
    await loadBatch(db, m, base);
    await runTask(db, m);
    await loadBatch(db, m, update);
    await runTask(db, m);
    const silverBefore = await silverRows(db, m, 'ID');
    const rejectsBefore = await db.rows(`SELECT * FROM "CORE"."LISTINGS_REJECTS" ORDER BY ALL`);
    expect(silverBefore.map((r) => [r.ID, r.NAME, r.PRICE])).toEqual([
      ['1', 'a v2', '238.00'],
      ['2', 'b v2', '223.00'],
    ]);
    await loadBatch(db, m, base); // e.g. Snowpipe's load history expired and the stage files loaded again
    await runTask(db, m);
    await loadBatch(db, m, [...update, ...base]);
    await runTask(db, m);
    expect(await silverRows(db, m, 'ID')).toEqual(silverBefore);
    expect(await db.rows(`SELECT * FROM "CORE"."LISTINGS_REJECTS" ORDER BY ALL`)).toEqual(rejectsBefore);
  });

  test('GIVEN the same versions WHEN they arrive in a different order or batching THEN silver is the same', async () => {
    const m = listings();
    await createDataset(db, m);
    await loadBatch(db, m, update);
    await runTask(db, m);
    await loadBatch(db, m, base);
    await runTask(db, m);
    const outOfOrder = await stable(m);
    db.close();
    db = await DuckDb.open();
    await createDataset(db, m);
    await loadBatch(db, m, [...base, ...update]);
    await runTask(db, m);
    expect(await stable(m)).toEqual(outOfOrder);
    expect(outOfOrder.map((r) => r.NAME)).toEqual(['a v2', 'b v2']);
  });

  test('GIVEN equal orderBy and event time WHEN two files hold the key THEN the greater source key wins, then the later row', async () => {
    const m = listings();
    await createDataset(db, m);
    const t = '2026-03-01T00:00:00Z';
    await loadBatch(db, m, [
      { record: { id: '1', name: 'z row 1' }, sourceKey: 'src/listings/z.csv', sourceRow: 1, receivedAt: t },
      { record: { id: '1', name: 'z row 2' }, sourceKey: 'src/listings/z.csv', sourceRow: 2, receivedAt: t },
    ]);
    await runTask(db, m);
    await loadBatch(db, m, [
      { record: { id: '1', name: 'a' }, sourceKey: 'src/listings/a.csv', sourceRow: 9, receivedAt: t },
    ]);
    await runTask(db, m);
    expect((await silverRows(db, m, 'ID')).map((r) => r.NAME)).toEqual(['z row 2']);
  });
});

describe('timestamps in UTC', () => {
  const readings = () =>
    model({
      name: 'readings',
      format: 'json',
      columns: [
        { name: 'observed_at', type: 'TIMESTAMP_NTZ' },
        { name: 'updated_at', type: 'TIMESTAMP_NTZ' },
        { name: 'at_tz', type: 'TIMESTAMP_TZ' },
        { name: 'at_ltz', type: 'TIMESTAMP_LTZ' },
        { name: 'label', type: 'VARCHAR' },
      ],
      primaryKey: ['observed_at'],
      orderBy: 'updated_at',
    });

  test.each(['UTC', 'America/New_York', 'Asia/Kolkata'])(
    'GIVEN offsets, Z and offset-less values WHEN merged with session time zone %s THEN NTZ holds UTC (wallclock kept without offset) and TZ/LTZ read offset-less text as UTC',
    async (timeZone) => {
      db = await DuckDb.open({ timeZone });
      const m = readings();
      await createDataset(db, m);
      const t = '2026-11-20T00:00:00Z';
      await loadBatch(db, m, [
        // 10:00+02:00 is 08:00 UTC: the same key as 08:00Z below. Versions: 09:00Z (row 2) beats 10:00+02:00 = 08:00Z (row 1).
        {
          record: { observed_at: '2026-11-20T10:00:00+02:00', updated_at: '2026-11-20T10:00:00+02:00', label: 'older' },
          sourceRow: 1,
          receivedAt: t,
        },
        {
          record: { observed_at: '2026-11-20T08:00:00Z', updated_at: '2026-11-20T09:00:00Z', label: 'newer' },
          sourceRow: 2,
          receivedAt: '2026-11-19T00:00:00Z',
        },
        {
          record: {
            observed_at: '2026-11-20 10:00:00',
            updated_at: '2026-11-20T10:00:00-0530',
            at_tz: '2026-11-20T10:00:00',
            at_ltz: '2026-11-20T10:00:00+01:00',
            label: 'no offset',
          },
          sourceRow: 3,
          receivedAt: t,
        },
      ]);
      await runTask(db, m);
      const rows = await db.rows(
        `SELECT CAST("OBSERVED_AT" AS VARCHAR) AS o, CAST("UPDATED_AT" AS VARCHAR) AS u, epoch_ms("AT_TZ") AS tz, ` +
          `epoch_ms("AT_LTZ") AS ltz, "LABEL" AS label FROM "CORE"."READINGS" ORDER BY "OBSERVED_AT"`,
      );
      expect(rows).toEqual([
        { o: '2026-11-20 08:00:00', u: '2026-11-20 09:00:00', tz: null, ltz: null, label: 'newer' },
        {
          o: '2026-11-20 10:00:00',
          u: '2026-11-20 15:30:00',
          tz: String(Date.UTC(2026, 10, 20, 10)),
          ltz: String(Date.UTC(2026, 10, 20, 9)),
          label: 'no offset',
        },
      ]);
    },
  );

  test('GIVEN a date without a time, or a value that is no timestamp WHEN cast THEN the date is midnight (its "-20" is no offset) and the rest a CAST_FAILED reject', async () => {
    db = await DuckDb.open({ timeZone: 'Asia/Kolkata' });
    const m = readings();
    await createDataset(db, m);
    await loadBatch(db, m, [
      {
        record: { observed_at: '2026-11-20', at_tz: '2026-11-20', label: 'date' },
        sourceRow: 1,
        receivedAt: '2026-11-20T00:00:00Z',
      },
      { record: { observed_at: '2026-11-21', at_tz: 'soon+02:00' }, sourceRow: 2, receivedAt: '2026-11-20T00:00:00Z' },
    ]);
    await runTask(db, m);
    expect(
      await db.rows(
        `SELECT CAST("OBSERVED_AT" AS VARCHAR) AS o, epoch_ms("AT_TZ") AS tz FROM "CORE"."READINGS" ORDER BY 1`,
      ),
    ).toEqual([
      { o: '2026-11-20 00:00:00', tz: String(Date.UTC(2026, 10, 20)) },
      { o: '2026-11-21 00:00:00', tz: null },
    ]);
    expect(await db.rows(`SELECT "COLUMN_NAME" AS c, "RAW_VALUE" AS v FROM "CORE"."READINGS_REJECTS"`)).toEqual([
      { c: 'at_tz', v: 'soon+02:00' },
    ]);
  });

  test('GIVEN a TIMESTAMP_NTZ column WHEN rendered for Snowflake THEN offset-bearing text goes through CONVERT_TIMEZONE to UTC and nothing reads the session TIMEZONE', () => {
    const sql = silverWriteStatement(readings(), snowflakeDialect);
    expect(sql).toContain(
      `CASE WHEN REGEXP_LIKE(NULLIF("RECORD":"updated_at"::VARCHAR, ''), '.*[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]*)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)') ` +
        `THEN CAST(CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(NULLIF("RECORD":"updated_at"::VARCHAR, ''))) AS TIMESTAMP_NTZ) ` +
        `ELSE TRY_CAST(NULLIF("RECORD":"updated_at"::VARCHAR, '') AS TIMESTAMP_NTZ) END AS "UPDATED_AT"`,
    );
    // Text is never cast straight to TZ/LTZ (that would read an offset-less value in the session's zone).
    expect(sql).not.toMatch(/::VARCHAR, ''\) AS TIMESTAMP_(TZ|LTZ)\)/);
    expect(sql).toMatch(/END AS TIMESTAMP_LTZ\) AS "AT_LTZ"/);
  });
});

describe('pathMatch', () => {
  const people = (pathMatch?: 'exact' | 'case-insensitive') =>
    model({
      name: 'people',
      format: 'json',
      columns: [
        { name: 'id', type: 'NUMBER(38,0)' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'lat', type: 'NUMBER(8,4)', path: 'location.lat' },
      ],
      primaryKey: ['id'],
      ...(pathMatch ? { pathMatch } : {}),
    });
  const batch: BronzeRow[] = [
    { record: { ID: '1', Name: 'upper', Location: { LAT: '1.5' } }, sourceRow: 1, receivedAt: '2026-03-01T00:00:00Z' },
    { record: { id: '2', NAME: 'other', name: 'exact' }, sourceRow: 2, receivedAt: '2026-03-01T00:00:00Z' },
  ];

  test('GIVEN keys that differ only in case WHEN pathMatch is exact (default) THEN they are not read (row 1 has no key)', async () => {
    db = await DuckDb.open();
    const m = people();
    await createDataset(db, m);
    await loadBatch(db, m, batch);
    await runTask(db, m);
    expect((await silverRows(db, m, 'ID')).map((r) => [r.ID, r.NAME])).toEqual([['2', 'exact']]);
    expect(await db.value(`SELECT REASON FROM "CORE"."PEOPLE_REJECTS"`)).toBe('PRIMARY_KEY_MISSING');
  });

  test('GIVEN keys that differ only in case WHEN pathMatch is case-insensitive THEN they are read at every level, and an exact match wins', async () => {
    db = await DuckDb.open();
    const m = people('case-insensitive');
    await createDataset(db, m);
    await loadBatch(db, m, batch);
    await runTask(db, m);
    expect((await silverRows(db, m, 'ID')).map((r) => [r.ID, r.NAME, r.LAT])).toEqual([
      ['1', 'upper', '1.5000'],
      ['2', 'exact', null],
    ]);
    expect(Number(await db.value(`SELECT count(*) FROM "CORE"."PEOPLE_REJECTS"`))).toBe(0);
  });

  test('GIVEN pathMatch case-insensitive WHEN rendered for Snowflake THEN every key step is GET_IGNORE_CASE', () => {
    const sql = silverWriteStatement(people('case-insensitive'), snowflakeDialect);
    expect(sql).toContain(
      `TRY_CAST(NULLIF(GET_IGNORE_CASE(GET_IGNORE_CASE("RECORD", 'location'), 'lat')::VARCHAR, '') AS NUMBER(8,4)) AS "LAT"`,
    );
    expect(sql).toContain(`GET_IGNORE_CASE("RECORD", 'name')::VARCHAR AS "NAME"`);
  });
});
