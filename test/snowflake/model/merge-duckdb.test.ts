/**
 * The MERGE's semantics, executed on a real SQL engine: the DuckDB dialect of the same generator
 * that renders the Snowflake task body.
 */
import { parseDatasets } from '../../../contracts/config';
import { buildDatasetModel, duckdbDialect } from '../../../snowflake/model';
import type { DatasetModel } from '../../../snowflake/model';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { NESTED_WEATHER, SCHEMAS, createDataset, loadBatch, referenceModel, runTask, silverRows } from './duckdb-model';

let db: DuckDb;
beforeEach(async () => {
  db = await DuckDb.open();
});
afterEach(() => db.close());

const count = async (model: DatasetModel, table: 'silver' | 'rejects' | 'stream' | 'bronze') =>
  Number(await db.value(`SELECT count(*) FROM ${duckdbDialect.table(model.objects[table])}`));

describe('dedupe within a batch', () => {
  test('GIVEN two versions of a key in one batch WHEN the task runs THEN the one with the latest orderBy wins, even if received earlier', async () => {
    const users = referenceModel('retail_users');
    await createDataset(db, users);
    await loadBatch(db, users, [
      {
        record: { user_id: '1', name: 'Ann v2', updated_at: '2024-01-02T00:00:00' },
        sourceRow: 1,
        receivedAt: '2024-03-01T10:00:00Z',
      },
      {
        record: { user_id: '1', name: 'Ann v1', updated_at: '2024-01-01T00:00:00' },
        sourceRow: 2,
        receivedAt: '2024-03-01T11:00:00Z',
      },
      {
        record: { user_id: '2', name: 'Bob', updated_at: '2024-01-01T00:00:00' },
        sourceRow: 3,
        receivedAt: '2024-03-01T10:00:00Z',
      },
    ]);
    await runTask(db, users);
    const rows = await silverRows(db, users, 'USER_ID');
    expect(rows.map((r) => [r.USER_ID, r.NAME, r._SOURCE_ROW])).toEqual([
      ['1', 'Ann v2', '1'],
      ['2', 'Bob', '3'],
    ]);
    expect(await count(users, 'stream')).toBe(0);
  });

  test('GIVEN no orderBy and equal received times WHEN the task runs THEN the later row of the file wins (SOURCE_ROW)', async () => {
    const listings = referenceModel('listings');
    await createDataset(db, listings);
    await loadBatch(db, listings, [
      { record: { id: '7', name: 'first', price: '10' }, sourceRow: 1, receivedAt: '2024-03-01T10:00:00Z' },
      { record: { id: '7', name: 'second', price: '20' }, sourceRow: 2, receivedAt: '2024-03-01T10:00:00Z' },
    ]);
    await runTask(db, listings);
    expect((await silverRows(db, listings, 'ID')).map((r) => [r.ID, r.NAME, r.PRICE])).toEqual([
      ['7', 'second', '20.00'],
    ]);
  });
});

describe('late arrivals', () => {
  test('GIVEN a newer version already in silver WHEN an older version arrives later THEN silver keeps the newer one; a newer one still updates', async () => {
    const users = referenceModel('retail_users');
    await createDataset(db, users);
    await loadBatch(db, users, [
      {
        record: { user_id: '1', name: 'new', updated_at: '2024-01-05T00:00:00' },
        sourceRow: 1,
        receivedAt: '2024-03-01T10:00:00Z',
      },
    ]);
    await runTask(db, users);
    await loadBatch(db, users, [
      {
        record: { user_id: '1', name: 'old', updated_at: '2024-01-03T00:00:00' },
        sourceRow: 1,
        receivedAt: '2024-03-02T10:00:00Z',
      },
    ]);
    await runTask(db, users);
    expect((await silverRows(db, users, 'USER_ID')).map((r) => r.NAME)).toEqual(['new']);

    await loadBatch(db, users, [
      {
        record: { user_id: '1', name: 'newest', updated_at: '2024-01-07T00:00:00' },
        sourceRow: 1,
        receivedAt: '2024-03-03T10:00:00Z',
      },
    ]);
    await runTask(db, users);
    const [row] = await silverRows(db, users, 'USER_ID');
    expect([row?.NAME, row?.UPDATED_AT, row?._RECEIVED_AT]).toEqual([
      'newest',
      '2024-01-07 00:00:00',
      '2024-03-03 10:00:00+00',
    ]);
  });

  test('GIVEN no orderBy WHEN a version received earlier is delivered after a later one THEN it does not overwrite it', async () => {
    const listings = referenceModel('listings');
    await createDataset(db, listings);
    await loadBatch(db, listings, [
      { record: { id: '1', name: 'later' }, sourceRow: 1, receivedAt: '2024-03-02T00:00:00Z' },
    ]);
    await runTask(db, listings);
    await loadBatch(db, listings, [
      { record: { id: '1', name: 'earlier' }, sourceRow: 1, receivedAt: '2024-03-01T00:00:00Z' },
    ]);
    await runTask(db, listings);
    expect((await silverRows(db, listings, 'ID')).map((r) => r.NAME)).toEqual(['later']);
  });

  test('GIVEN a version with a missing orderBy value WHEN a version with a value exists THEN the valued version wins (NULL is oldest)', async () => {
    const users = referenceModel('retail_users');
    await createDataset(db, users);
    await loadBatch(db, users, [
      {
        record: { user_id: '1', name: 'dated', updated_at: '2024-01-01T00:00:00' },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await runTask(db, users);
    await loadBatch(db, users, [
      { record: { user_id: '1', name: 'undated' }, sourceRow: 1, receivedAt: '2024-03-05T00:00:00Z' },
    ]);
    await runTask(db, users);
    expect((await silverRows(db, users, 'USER_ID')).map((r) => r.NAME)).toEqual(['dated']);
  });
});

describe('idempotence', () => {
  test('GIVEN a batch already merged WHEN the same rows are loaded and merged again THEN silver and rejects are unchanged', async () => {
    const listings = referenceModel('listings');
    await createDataset(db, listings);
    const batch = [
      { record: { id: '1', name: 'a', price: '100.5' }, sourceRow: 1, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { id: 'x1', name: 'bad key' }, sourceRow: 2, receivedAt: '2024-03-01T00:00:00Z' },
    ];
    await loadBatch(db, listings, batch);
    await runTask(db, listings);
    const before = await silverRows(db, listings, 'ID');
    await loadBatch(db, listings, batch);
    await runTask(db, listings);
    expect(await silverRows(db, listings, 'ID')).toEqual(before);
    expect(await count(listings, 'rejects')).toBe(1);
    expect(await count(listings, 'bronze')).toBe(4);
  });
});

describe('insert-only datasets', () => {
  const spec = parseDatasets([
    {
      name: 'clicks',
      format: 'ndjson',
      columns: [
        { name: 'page', type: 'VARCHAR' },
        { name: 'at', type: 'TIMESTAMP_TZ' },
      ],
    },
  ])[0];

  test('GIVEN no primary key WHEN batches are merged THEN every record is inserted once, identical content included, re-loads skipped', async () => {
    const clicks = buildDatasetModel(spec!, SCHEMAS);
    await createDataset(db, clicks);
    const batch = [
      { record: { page: '/a', at: '2024-03-01T10:00:00+02:00' }, sourceRow: 1, receivedAt: '2024-03-01T09:00:00Z' },
      { record: { page: '/a', at: '2024-03-01T10:00:00+02:00' }, sourceRow: 2, receivedAt: '2024-03-01T09:00:00Z' },
    ];
    await loadBatch(db, clicks, batch);
    await runTask(db, clicks);
    await loadBatch(db, clicks, batch); // the same file re-loaded (e.g. pipe recreated and refreshed)
    await loadBatch(db, clicks, [{ ...batch[0]!, sourceRow: 3 }]);
    await runTask(db, clicks);
    const rows = await silverRows(db, clicks, '_SOURCE_ROW');
    expect(rows.map((r) => [r.PAGE, r.AT, r._SOURCE_ROW])).toEqual([
      ['/a', '2024-03-01 08:00:00+00', '1'],
      ['/a', '2024-03-01 08:00:00+00', '2'],
      ['/a', '2024-03-01 08:00:00+00', '3'],
    ]);
  });
});

describe('rejects', () => {
  test('GIVEN keys that are missing, empty, null or not castable WHEN the task runs THEN those rows land in rejects with the reason and the rest merge', async () => {
    const listings = referenceModel('listings');
    await createDataset(db, listings);
    await loadBatch(db, listings, [
      { record: { id: '1', name: 'ok' }, sourceRow: 1, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { name: 'no id' }, sourceRow: 2, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { id: '', name: 'empty id' }, sourceRow: 3, receivedAt: '2024-03-01T00:00:00Z' },
      { record: '{"id": null, "name": "null id"}', sourceRow: 4, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { id: '12ab', name: 'bad id' }, sourceRow: 5, receivedAt: '2024-03-01T00:00:00Z' },
    ]);
    await runTask(db, listings);
    expect((await silverRows(db, listings, 'ID')).map((r) => r.NAME)).toEqual(['ok']);
    const rejects = await db.rows(
      `SELECT SOURCE_ROW, REASON, DETAIL, RECORD FROM "CORE"."LISTINGS_REJECTS" ORDER BY SOURCE_ROW`,
    );
    expect(rejects.map((r) => [r.SOURCE_ROW, r.REASON])).toEqual([
      ['2', 'PRIMARY_KEY_MISSING'],
      ['3', 'PRIMARY_KEY_MISSING'],
      ['4', 'PRIMARY_KEY_MISSING'],
      ['5', 'PRIMARY_KEY_INVALID'],
    ]);
    expect(rejects[3]?.DETAIL).toBe('primary key column id (path id): value 12ab is not a valid NUMBER(38,0)');
    expect(JSON.parse(String(rejects[3]?.RECORD))).toEqual({ id: '12ab', name: 'bad id' });
    expect(await count(listings, 'stream')).toBe(0);
  });

  test('GIVEN number keys with a fraction WHEN the task runs THEN 2.00 is key 2 but 1.5 is rejected instead of rounding into key 2', async () => {
    const listings = referenceModel('listings');
    await createDataset(db, listings);
    await loadBatch(db, listings, [
      { record: '{"id": 1.5, "name": "fraction"}', sourceRow: 1, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { id: '2.00', name: 'two' }, sourceRow: 2, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { id: '-7', name: 'minus seven' }, sourceRow: 3, receivedAt: '2024-03-01T00:00:00Z' },
    ]);
    await runTask(db, listings);
    expect((await silverRows(db, listings, 'ID')).map((r) => [r.ID, r.NAME])).toEqual([
      ['-7', 'minus seven'],
      ['2', 'two'],
    ]);
    expect(await db.rows(`SELECT REASON, DETAIL FROM "CORE"."LISTINGS_REJECTS"`)).toEqual([
      {
        REASON: 'PRIMARY_KEY_INVALID',
        DETAIL: 'primary key column id (path id): value 1.5 is not a valid NUMBER(38,0)',
      },
    ]);
  });

  test('GIVEN a composite key with one bad part WHEN the task runs THEN the reject names that column', async () => {
    const weather = buildDatasetModel(NESTED_WEATHER, SCHEMAS);
    await createDataset(db, weather);
    await loadBatch(db, weather, [
      {
        record: { customer_id: 'c1', location: { name: 'Oslo' }, observed_at: 'yesterday' },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await runTask(db, weather);
    expect(await db.rows(`SELECT REASON, DETAIL FROM "CORE"."WEATHER_REJECTS"`)).toEqual([
      {
        REASON: 'PRIMARY_KEY_INVALID',
        DETAIL: 'primary key column observed_at (path observed_at): value yesterday is not a valid TIMESTAMP_NTZ',
      },
    ]);
  });

  test('GIVEN the MERGE fails WHEN the task runs THEN the rejects insert is rolled back and the stream keeps its rows', async () => {
    const listings = referenceModel('listings');
    await createDataset(db, listings);
    await loadBatch(db, listings, [
      { record: { id: 'bad' }, sourceRow: 1, receivedAt: '2024-03-01T00:00:00Z' },
      { record: { id: '1' }, sourceRow: 2, receivedAt: '2024-03-01T00:00:00Z' },
    ]);
    await db.run('DROP TABLE "CORE"."LISTINGS"');
    await expect(runTask(db, listings)).rejects.toThrow(/LISTINGS/);
    expect(await count(listings, 'rejects')).toBe(0);
    expect(await count(listings, 'stream')).toBe(2);
  });
});

describe('typed values', () => {
  test('GIVEN JSON and CSV-style values WHEN merged THEN numbers keep exact digits, dates/timestamps parse, nested paths, arrays and variants are kept', async () => {
    const tx = referenceModel('retail_transactions');
    const events = referenceModel('events');
    const weather = buildDatasetModel(NESTED_WEATHER, SCHEMAS);
    const insurance = referenceModel('insurance_transactions');
    const users = referenceModel('retail_users');
    for (const m of [tx, events, weather, insurance, users]) await createDataset(db, m);
    await loadBatch(db, tx, [
      {
        record:
          '{"transaction_id":"t1","user_id":12345678901234567890123456789012345678,"amount":"19.999","currency":"EUR","created_at":"2024-02-29 23:59:59.123"}',
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
      {
        record: '{"transaction_id":"t2","user_id":"n/a","amount":"","currency":"EUR"}',
        sourceRow: 2,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await loadBatch(db, events, [
      {
        record: {
          event_id: 'e1',
          organization_id: 'o1',
          type: 'click',
          timestamp: '2024-03-01T12:30:00+01:00',
          properties: { button: 'buy', n: [1, 2] },
        },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await loadBatch(db, weather, [
      {
        record: {
          customer_id: 'c1',
          location: { name: 'Oslo', lat: 59.9139, lon: 10.7522 },
          observed_at: '2024-03-01T06:00:00',
          main: { temp: -3.25, humidity: 81 },
          weather: [{ description: 'snow' }, { description: 'wind' }],
        },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await loadBatch(db, insurance, [
      {
        record: { transaction_id: 'i1', customer_id: 'c1', basket: [{ product_id: 'P1' }, 'P2'], total: 12.5 },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
      { record: { transaction_id: 'i2', basket: '["P3"]' }, sourceRow: 2, receivedAt: '2024-03-01T00:00:00Z' },
      {
        record: { transaction_id: 'i3', basket: { not: 'an array' } },
        sourceRow: 3,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await loadBatch(db, users, [
      {
        record: { user_id: '5', country: 'USA', signup_date: '2024-02-30' },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
      {
        record: { user_id: '6', country: 'NO', signup_date: '2023-12-31' },
        sourceRow: 2,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    for (const m of [tx, events, weather, insurance, users]) await runTask(db, m);

    expect((await silverRows(db, tx, 'TRANSACTION_ID')).map((r) => [r.USER_ID, r.AMOUNT, r.CREATED_AT])).toEqual([
      ['12345678901234567890123456789012345678', '20.00', '2024-02-29 23:59:59.123'],
      [null, null, null],
    ]);
    const [event] = await silverRows(db, events, 'EVENT_ID');
    expect([event?.EVENT_TYPE, event?.OCCURRED_AT]).toEqual(['click', '2024-03-01 11:30:00+00']);
    expect(JSON.parse(String(event?.PROPERTIES))).toEqual({ button: 'buy', n: [1, 2] });
    const [obs] = await silverRows(db, weather, 'CUSTOMER_ID');
    expect([obs?.LOCATION, obs?.LATITUDE, obs?.TEMPERATURE_C, obs?.HUMIDITY, obs?.CONDITIONS]).toEqual([
      'Oslo',
      '59.913900',
      '-3.25',
      '81.00',
      'snow',
    ]);
    const baskets = await silverRows(db, insurance, 'TRANSACTION_ID');
    expect(baskets.map((r) => (r.BASKET === null ? null : JSON.parse(String(r.BASKET))))).toEqual([
      [{ product_id: 'P1' }, 'P2'],
      ['P3'],
      null,
    ]);
    expect((await silverRows(db, users, 'USER_ID')).map((r) => [r.COUNTRY, r.SIGNUP_DATE])).toEqual([
      [null, null], // 'USA' is longer than VARCHAR(2); 2024-02-30 is not a date: NULL, bronze keeps the original
      ['NO', '2023-12-31'],
    ]);
  });

  test('GIVEN decimals written as text (CSV) WHEN merged into NUMBER(38,s) THEN all 38 digits are exact and extra scale is rounded', async () => {
    const [spec] = parseDatasets([
      {
        name: 'ledger',
        format: 'csv',
        columns: [
          { name: 'id', type: 'NUMBER(38,0)' },
          { name: 'amount', type: 'NUMBER(38,2)' },
          { name: 'ok', type: 'BOOLEAN' },
          { name: 'at', type: 'TIME' },
        ],
        primaryKey: ['id'],
      },
    ]);
    const ledger = buildDatasetModel(spec!, SCHEMAS);
    await createDataset(db, ledger);
    await loadBatch(db, ledger, [
      {
        record: {
          id: '99999999999999999999999999999999999999',
          amount: '123456789012345678901234567890123456.78',
          ok: 'true',
          at: '23:59:58',
        },
        sourceRow: 1,
        receivedAt: '2024-03-01T00:00:00Z',
      },
      {
        record: { id: '1', amount: '0.005', ok: 'maybe', at: '25:00' },
        sourceRow: 2,
        receivedAt: '2024-03-01T00:00:00Z',
      },
    ]);
    await runTask(db, ledger);
    expect((await silverRows(db, ledger, 'ID')).map((r) => [r.ID, r.AMOUNT, r.OK, r.AT])).toEqual([
      ['1', '0.01', null, null],
      ['99999999999999999999999999999999999999', '123456789012345678901234567890123456.78', true, '23:59:58'],
    ]);
  });
});
