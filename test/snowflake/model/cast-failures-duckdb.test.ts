/**
 * CAST_FAILED rejects and onCastError, executed on DuckDB through the same generators as the Snowflake
 * task body. Expected rows are written out by hand from the inputs.
 */
import { parseDatasets } from '../../../contracts/config';
import type { DatasetSpec } from '../../../contracts/config';
import { buildDatasetModel, duckdbDialect } from '../../../snowflake/model';
import type { DatasetModel } from '../../../snowflake/model';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { SCHEMAS, createDataset, loadBatch, runTask, silverRows } from './duckdb-model';

let db: DuckDb;
beforeEach(async () => {
  db = await DuckDb.open();
});
afterEach(() => db.close());

function orders(extra: Partial<DatasetSpec> = {}, priceOnCastError?: 'null' | 'reject'): DatasetModel {
  const [spec] = parseDatasets([
    {
      name: 'orders',
      format: 'json',
      columns: [
        { name: 'id', type: 'NUMBER(38,0)' },
        { name: 'price', type: 'NUMBER(12,2)', ...(priceOnCastError ? { onCastError: priceOnCastError } : {}) },
        { name: 'amount', type: 'NUMBER(10,2)' },
        { name: 'placed', type: 'DATE' },
        { name: 'code', type: 'VARCHAR(3)' },
        { name: 'note', type: 'VARCHAR' },
      ],
      primaryKey: ['id'],
      ...extra,
    },
  ]);
  return buildDatasetModel(spec!, SCHEMAS);
}

const at = '2026-03-01T00:00:00Z';

async function rejects(model: DatasetModel): Promise<unknown[][]> {
  const rows = await db.rows(
    `SELECT SOURCE_ROW, REASON, COLUMN_NAME, RAW_VALUE, ROW_REJECTED, DETAIL FROM ${duckdbDialect.table(model.objects.rejects)} ` +
      `ORDER BY SOURCE_ROW, REASON DESC, COLUMN_NAME`,
  );
  return rows.map((r) => [r.SOURCE_ROW, r.REASON, r.COLUMN_NAME, r.RAW_VALUE, r.ROW_REJECTED, r.DETAIL]);
}

describe('CAST_FAILED with onCastError null (default)', () => {
  test('GIVEN present values that cannot be cast WHEN the task runs THEN one CAST_FAILED reject per value names column and raw value, and the row stays in silver with NULL there', async () => {
    const model = orders();
    await createDataset(db, model);
    await loadBatch(db, model, [
      {
        record: { id: '1', price: '$150', amount: '12,50', placed: '2026-01-02', code: 'ABC' },
        sourceRow: 1,
        receivedAt: at,
      },
      { record: '{"id": "2", "price": "", "amount": null, "code": "ABCD", "note": ""}', sourceRow: 2, receivedAt: at },
      { record: { id: 'x', price: 'oops', note: 'bad key' }, sourceRow: 3, receivedAt: at },
    ]);
    await runTask(db, model);
    expect(await rejects(model)).toEqual([
      [
        '1',
        'CAST_FAILED',
        'amount',
        '12,50',
        false,
        'column amount (path amount): value 12,50 is not a valid NUMBER(10,2); NULL in silver',
      ],
      [
        '1',
        'CAST_FAILED',
        'price',
        '$150',
        false,
        'column price (path price): value $150 is not a valid NUMBER(12,2); NULL in silver',
      ],
      [
        '2',
        'CAST_FAILED',
        'code',
        'ABCD',
        false,
        'column code (path code): value ABCD is not a valid VARCHAR(3); NULL in silver',
      ],
      [
        '3',
        'PRIMARY_KEY_INVALID',
        'id',
        'x',
        true,
        'primary key column id (path id): value x is not a valid NUMBER(38,0)',
      ],
      [
        '3',
        'CAST_FAILED',
        'price',
        'oops',
        true,
        'column price (path price): value oops is not a valid NUMBER(12,2); row not merged',
      ],
    ]);
    const silver = await silverRows(db, model, 'ID');
    expect(silver.map((r) => [r.ID, r.PRICE, r.AMOUNT, r.PLACED, r.CODE, r.NOTE])).toEqual([
      ['1', null, null, '2026-01-02', 'ABC', null],
      ['2', null, null, null, null, ''],
    ]);
  });
});

describe('onCastError reject', () => {
  test('GIVEN price with onCastError reject WHEN a newer version has a bad price THEN the row stays out of silver (the older version is kept) and every failure is a row reject', async () => {
    const model = orders({}, 'reject');
    await createDataset(db, model);
    await loadBatch(db, model, [{ record: { id: '1', price: '10', amount: '1' }, sourceRow: 1, receivedAt: at }]);
    await runTask(db, model);
    await loadBatch(db, model, [
      { record: { id: '1', price: 'ten', amount: 'one' }, sourceRow: 1, receivedAt: '2026-03-02T00:00:00Z' },
      { record: { id: '4', price: '5', amount: 'x' }, sourceRow: 2, receivedAt: '2026-03-02T00:00:00Z' },
    ]);
    await runTask(db, model);
    expect((await silverRows(db, model, 'ID')).map((r) => [r.ID, r.PRICE, r.AMOUNT, r._RECEIVED_AT])).toEqual([
      ['1', '10.00', '1.00', '2026-03-01 00:00:00+00'],
      ['4', '5.00', null, '2026-03-02 00:00:00+00'],
    ]);
    expect((await rejects(model)).map((r) => r.slice(0, 5))).toEqual([
      ['1', 'CAST_FAILED', 'amount', 'one', true],
      ['1', 'CAST_FAILED', 'price', 'ten', true],
      ['2', 'CAST_FAILED', 'amount', 'x', false],
    ]);
  });

  test('GIVEN onCastError reject for the whole dataset WHEN any column fails THEN the row is not merged', async () => {
    const model = orders({ onCastError: 'reject' });
    await createDataset(db, model);
    await loadBatch(db, model, [
      { record: { id: '1', placed: '2026-02-30' }, sourceRow: 1, receivedAt: at },
      { record: { id: '2', placed: '2026-02-28' }, sourceRow: 2, receivedAt: at },
    ]);
    await runTask(db, model);
    expect((await silverRows(db, model, 'ID')).map((r) => r.ID)).toEqual(['2']);
    expect((await rejects(model)).map((r) => r.slice(0, 5))).toEqual([
      ['1', 'CAST_FAILED', 'placed', '2026-02-30', true],
    ]);
  });
});

describe('insert-only datasets', () => {
  const clicks = (onCastError?: 'null' | 'reject') =>
    buildDatasetModel(
      parseDatasets([
        {
          name: 'clicks',
          format: 'csv',
          columns: [
            { name: 'page', type: 'VARCHAR' },
            { name: 'ms', type: 'NUMBER(10,0)' },
          ],
          ...(onCastError ? { onCastError } : {}),
        },
      ])[0]!,
      SCHEMAS,
    );

  test.each([
    [
      'null',
      [
        ['/a', null, '1'],
        ['/b', '7', '2'],
      ],
      false,
    ],
    ['reject', [['/b', '7', '2']], true],
  ] as const)(
    'GIVEN no primary key and onCastError %s WHEN a value fails THEN a CAST_FAILED reject is written once, even when the file is loaded twice',
    async (mode, expectedSilver, rowRejected) => {
      const model = clicks(mode);
      await createDataset(db, model);
      const batch = [
        { record: { page: '/a', ms: '1.5s' }, sourceRow: 1, receivedAt: at },
        { record: { page: '/b', ms: '7' }, sourceRow: 2, receivedAt: at },
      ];
      await loadBatch(db, model, batch);
      await runTask(db, model);
      await loadBatch(db, model, batch);
      await runTask(db, model);
      const silver = await silverRows(db, model, '_SOURCE_ROW');
      expect(silver.map((r) => [r.PAGE, r.MS, r._SOURCE_ROW])).toEqual(expectedSilver);
      expect((await rejects(model)).map((r) => r.slice(0, 5))).toEqual([
        ['1', 'CAST_FAILED', 'ms', '1.5s', rowRejected],
      ]);
    },
  );
});

describe('idempotence of rejects', () => {
  test('GIVEN a batch with key rejects and cast failures WHEN the same bronze rows arrive again (twice in one batch, then again) THEN rejects and silver are unchanged, _MERGED_AT included', async () => {
    const model = orders();
    await createDataset(db, model);
    const batch = [
      { record: { id: '1', price: 'bad' }, sourceRow: 1, receivedAt: at },
      { record: { id: '', price: 'worse' }, sourceRow: 2, receivedAt: at },
    ];
    await loadBatch(db, model, [...batch, ...batch]);
    await runTask(db, model);
    const all = `SELECT * EXCLUDE (REJECTED_AT) FROM ${duckdbDialect.table(model.objects.rejects)} ORDER BY ALL`;
    const rejectsBefore = await db.rows(all);
    const silverBefore = await silverRows(db, model, 'ID');
    expect(rejectsBefore).toHaveLength(3); // price of row 1, key of row 2, price of row 2
    await loadBatch(db, model, batch);
    await runTask(db, model);
    expect(await db.rows(all)).toEqual(rejectsBefore);
    expect(await silverRows(db, model, 'ID')).toEqual(silverBefore);
  });
});
