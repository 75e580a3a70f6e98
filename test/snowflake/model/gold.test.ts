import { join } from 'node:path';
import {
  DependencyCycleError,
  SqlFileError,
  createViewStatement,
  duckdbDialect,
  planGoldViews,
  readerRoleStatements,
  snowflakeDialect,
  withoutMissingDatasets,
} from '../../../snowflake/model';
import type { GoldViewSource } from '../../../snowflake/model';
import { loadGoldViews } from '../../../lib/sql-loader';
import { schemaNames } from '../../../snowflake/names';
import { DuckDb } from '../../../bin/sandbox/duckdb';
import { REFERENCE_DATASETS, SCHEMAS, createDataset, loadBatch, referenceModel, runTask } from './duckdb-model';

const GOLD_DIR = join(__dirname, '../../../snowflake/gold');
const DATASETS = REFERENCE_DATASETS.map((d) => d.name);
const src = (name: string, sql: string): GoldViewSource => ({ name, file: `gold/${name}.sql`, sql });

describe('planning', () => {
  test('GIVEN the shipped gold views WHEN planned THEN there is one per reference scenario, each reading only known datasets', () => {
    const views = planGoldViews(loadGoldViews(GOLD_DIR), DATASETS, SCHEMAS);
    expect(Object.fromEntries(views.map((v) => [v.name, v.datasets]))).toEqual({
      avg_price_by_neighbourhood: ['listings'],
      events_per_organization_hour: ['events'],
      insurance_basket: ['insurance_customers', 'insurance_products', 'insurance_transactions'],
      latest_weather: ['weather'],
      retail_user_spend: ['retail_transactions', 'retail_users'],
    });
    expect(views.every((v) => 'sql' in v.duckdb)).toBe(true);
  });

  test('GIVEN views reading each other WHEN planned THEN dependencies come first; references are rewritten outside strings and comments', () => {
    const views = planGoldViews(
      [
        src('top', "SELECT * FROM gold.middle WHERE x <> 'core.nope' -- gold.ignored"),
        src('middle', 'SELECT * FROM GOLD . base'),
        src('base', 'SELECT id FROM core.listings'),
      ],
      DATASETS,
      schemaNames('ANALYTICS', { core: 'SILVER', gold: 'MARTS' }),
    );
    expect(views.map((v) => v.name)).toEqual(['base', 'middle', 'top']);
    const top = views[2]!;
    expect(createViewStatement(top, snowflakeDialect)).toBe(
      `CREATE OR REPLACE VIEW "ANALYTICS"."MARTS"."TOP" COPY GRANTS COMMENT = 'Gold view from gold/top.sql (managed by the pipeline).' AS\n` +
        `SELECT * FROM "ANALYTICS"."MARTS"."MIDDLE" WHERE x <> 'core.nope' -- gold.ignored`,
    );
    expect(createViewStatement(views[0]!, duckdbDialect)).toBe(
      'CREATE OR REPLACE VIEW "MARTS"."BASE" AS\nSELECT id FROM "SILVER"."LISTINGS"',
    );
  });

  test('GIVEN unknown references, cycles, several statements or non-SELECT bodies WHEN planned THEN the error names the file', () => {
    expect(() => planGoldViews([src('v', 'SELECT * FROM core.orders')], DATASETS, SCHEMAS)).toThrow(
      new SqlFileError('gold/v.sql', `references core.orders, which is not a dataset (have: ${DATASETS.join(', ')})`),
    );
    expect(() => planGoldViews([src('v', 'SELECT * FROM gold.w')], DATASETS, SCHEMAS)).toThrow(
      'gold/v.sql: references gold.w, which is not a gold view',
    );
    expect(() =>
      planGoldViews([src('a', 'SELECT * FROM gold.b'), src('b', 'SELECT * FROM gold.a')], DATASETS, SCHEMAS),
    ).toThrow(new DependencyCycleError('gold views', ['a', 'b', 'a']));
    expect(() => planGoldViews([src('v', 'SELECT 1; DROP TABLE core.listings')], DATASETS, SCHEMAS)).toThrow(
      'gold/v.sql: must hold exactly one statement',
    );
    expect(() => planGoldViews([src('v', 'DELETE FROM core.listings')], DATASETS, SCHEMAS)).toThrow(
      'gold/v.sql: must be a single SELECT',
    );
    expect(() => planGoldViews([src('Bad', 'SELECT 1')], DATASETS, SCHEMAS)).toThrow(
      'gold/Bad.sql: view name (file name) must match',
    );
  });

  test('GIVEN Snowflake-only syntax without a translation WHEN planned THEN the view is skipped on DuckDB with the reason', () => {
    const [flat, marked] = planGoldViews(
      [
        src(
          'flat',
          'SELECT f.value:id::VARCHAR AS id FROM core.events AS e, LATERAL FLATTEN(input => e.properties) AS f',
        ),
        src('marked', '-- duckdb: skip needs GEOGRAPHY\nSELECT 1 AS x'),
      ],
      DATASETS,
      SCHEMAS,
    );
    expect(flat!.duckdb).toEqual({ skipped: 'uses Snowflake-only syntax: FLATTEN' });
    expect(marked!.duckdb).toEqual({ skipped: 'needs GEOGRAPHY' });
    expect(createViewStatement(flat!, duckdbDialect)).toBeUndefined();
  });
});

describe('reader role', () => {
  test('GIVEN the schemas WHEN the reader role is rendered THEN it gets USAGE on database and gold and SELECT on current and future gold views only', () => {
    expect(readerRoleStatements(SCHEMAS, 'ingest_reader')).toEqual([
      `CREATE ROLE IF NOT EXISTS "INGEST_READER" COMMENT = 'Read-only access to INGEST.GOLD (managed by the pipeline).'`,
      'GRANT USAGE ON DATABASE "INGEST" TO ROLE "INGEST_READER"',
      'GRANT USAGE ON SCHEMA "INGEST"."GOLD" TO ROLE "INGEST_READER"',
      'GRANT SELECT ON ALL VIEWS IN SCHEMA "INGEST"."GOLD" TO ROLE "INGEST_READER"',
      'GRANT SELECT ON FUTURE VIEWS IN SCHEMA "INGEST"."GOLD" TO ROLE "INGEST_READER"',
      'GRANT ROLE "INGEST_READER" TO ROLE "SYSADMIN"',
    ]);
    expect(readerRoleStatements(SCHEMAS, 'r', { grantTo: null })).toHaveLength(5);
    expect(() => readerRoleStatements(SCHEMAS, 'r"; DROP')).toThrow('Invalid Snowflake identifier for reader role');
  });
});

describe('gold views on DuckDB', () => {
  let db: DuckDb;
  /** Rows with upper-case keys, as Snowflake names unquoted columns (DuckDB keeps the written case). */
  const query = async (sql: string) =>
    (await db.rows(sql)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v])));
  beforeAll(async () => {
    db = await DuckDb.open();
    const at = '2024-03-01T00:00:00Z';
    const data: Record<string, Record<string, unknown>[]> = {
      listings: [
        { id: '1', neighbourhood_group: 'Manhattan', neighbourhood: 'Harlem', room_type: 'Private room', price: '100' },
        { id: '2', neighbourhood_group: 'Manhattan', neighbourhood: 'Harlem', room_type: 'Private room', price: '151' },
        {
          id: '3',
          neighbourhood_group: 'Manhattan',
          neighbourhood: 'Harlem',
          room_type: 'Entire home/apt',
          price: '300',
        },
        { id: '4', neighbourhood_group: 'Brooklyn', neighbourhood: 'Bushwick', room_type: 'Private room', price: '' },
      ],
      weather: [
        // OpenMeteo responses (the collector adds customer_id); a location is its latitude / longitude.
        {
          customer_id: 'c1',
          latitude: 59.91,
          longitude: 10.75,
          current_weather: { time: '2024-03-01T06:00', temperature: -3 },
        },
        {
          customer_id: 'c1',
          latitude: 59.91,
          longitude: 10.75,
          current_weather: { time: '2024-03-01T09:00', temperature: 1.5 },
        },
        {
          customer_id: 'c1',
          latitude: 60.39,
          longitude: 5.32,
          current_weather: { time: '2024-03-01T07:00', temperature: 4 },
        },
      ],
      events: [
        { event_id: 'e1', organization_id: 'o1', user_id: 'u1', timestamp: '2024-03-01T10:05:00Z' },
        { event_id: 'e2', organization_id: 'o1', user_id: 'u1', timestamp: '2024-03-01T10:55:00Z' },
        { event_id: 'e3', organization_id: 'o1', user_id: 'u2', timestamp: '2024-03-01T10:59:59Z' },
        { event_id: 'e4', organization_id: 'o1', user_id: 'u2', timestamp: '2024-03-01T11:00:00Z' },
      ],
      retail_users: [
        { user_id: '1', name: 'Ann', country: 'NO' },
        { user_id: '2', name: 'Bob', country: 'SE' },
      ],
      retail_transactions: [
        { transaction_id: 't1', user_id: '1', amount: '10.50', currency: 'EUR' },
        { transaction_id: 't2', user_id: '1', amount: '4.25', currency: 'EUR' },
      ],
      insurance_customers: [{ customer_id: 'c1', first_name: 'Ann', last_name: 'Lee', region: 'North' }],
      insurance_products: [
        { product_id: 'P1', name: 'Home', category: 'property', monthly_premium: '20.00' },
        { product_id: 'P2', name: 'Car', category: 'motor', monthly_premium: '35.50' },
      ],
      insurance_transactions: [
        { transaction_id: 'i1', customer_id: 'c1', basket: [{ product_id: 'P1', quantity: 2 }, 'P2'] },
      ],
    };
    for (const [name, records] of Object.entries(data)) {
      const model = referenceModel(name);
      await createDataset(db, model);
      await loadBatch(
        db,
        model,
        records.map((record, i) => ({ record, sourceRow: i + 1, receivedAt: at })),
      );
      await runTask(db, model);
    }
    for (const view of planGoldViews(loadGoldViews(GOLD_DIR), DATASETS, SCHEMAS)) {
      const sql = createViewStatement(view, duckdbDialect);
      if (sql) await db.run(sql);
    }
  });
  afterAll(() => db.close());

  test('GIVEN listings WHEN avg_price_by_neighbourhood is queried THEN it averages priced listings per neighbourhood and room type', async () => {
    const rows = await query('SELECT * FROM "GOLD"."AVG_PRICE_BY_NEIGHBOURHOOD" ORDER BY neighbourhood, room_type');
    expect(rows.map((r) => [r.NEIGHBOURHOOD, r.ROOM_TYPE, Number(r.LISTINGS), Number(r.AVG_PRICE)])).toEqual([
      ['Harlem', 'Entire home/apt', 1, 300],
      ['Harlem', 'Private room', 2, 125.5],
    ]);
  });

  test('GIVEN observations WHEN latest_weather is queried THEN it returns the latest one per customer and location', async () => {
    const rows = await query(
      'SELECT latitude, observed_at, temperature_c FROM "GOLD"."LATEST_WEATHER" ORDER BY latitude',
    );
    expect(rows).toEqual([
      { LATITUDE: '59.910000', OBSERVED_AT: '2024-03-01 09:00:00', TEMPERATURE_C: '1.5' },
      { LATITUDE: '60.390000', OBSERVED_AT: '2024-03-01 07:00:00', TEMPERATURE_C: '4.0' },
    ]);
  });

  test('GIVEN events WHEN events_per_organization_hour is queried THEN it counts events and users per hour', async () => {
    const rows = await query(
      'SELECT event_hour, events, users FROM "GOLD"."EVENTS_PER_ORGANIZATION_HOUR" ORDER BY event_hour',
    );
    expect(rows.map((r) => [r.EVENT_HOUR, Number(r.EVENTS), Number(r.USERS)])).toEqual([
      ['2024-03-01 10:00:00+00', 3, 2],
      ['2024-03-01 11:00:00+00', 1, 1],
    ]);
  });

  test('GIVEN users and transactions WHEN retail_user_spend is queried THEN it sums spend per user, zero for users without purchases', async () => {
    const rows = await query(
      'SELECT name, currency, transactions, total_spend FROM "GOLD"."RETAIL_USER_SPEND" ORDER BY name',
    );
    expect(rows.map((r) => [r.NAME, r.CURRENCY, Number(r.TRANSACTIONS), Number(r.TOTAL_SPEND)])).toEqual([
      ['Ann', 'EUR', 2, 14.75],
      ['Bob', null, 0, 0],
    ]);
  });

  test('GIVEN a basket WHEN insurance_basket (DuckDB translation) is queried THEN each product is a row joined to product and customer', async () => {
    const rows = await query(
      'SELECT line, product_id, product_name, quantity, monthly_premium_total, last_name FROM "GOLD"."INSURANCE_BASKET" ORDER BY line',
    );
    expect(
      rows.map((r) => [
        Number(r.LINE),
        r.PRODUCT_ID,
        r.PRODUCT_NAME,
        Number(r.QUANTITY),
        Number(r.MONTHLY_PREMIUM_TOTAL),
        r.LAST_NAME,
      ]),
    ).toEqual([
      [0, 'P1', 'Home', 2, 40, 'Lee'],
      [1, 'P2', 'Car', 1, 35.5, 'Lee'],
    ]);
  });
});

describe('views of datasets a config does not have', () => {
  test('GIVEN views reading a missing dataset and a view reading such a view WHEN filtered THEN both are skipped naming why, the others kept and plannable', () => {
    const sources = [
      src('a', 'SELECT id FROM core.orders'),
      src('b', 'SELECT * FROM core.listings JOIN core.orders USING (id)'),
      src('c', 'SELECT * FROM gold.b'),
      src('d', "SELECT 'core.listings' AS text_only FROM core.orders"),
    ];
    const { kept, skipped } = withoutMissingDatasets(sources, ['orders']);
    expect(kept.map((k) => k.name)).toEqual(['a', 'd']);
    expect(skipped).toEqual([
      { name: 'b', file: 'gold/b.sql', reason: 'references core.listings, not a dataset of this config' },
      { name: 'c', file: 'gold/c.sql', reason: 'reads gold.b, which is skipped' },
    ]);
    expect(planGoldViews(kept, ['orders'], SCHEMAS).map((v) => v.name)).toEqual(['a', 'd']);
    expect(() => planGoldViews(sources, ['orders'], SCHEMAS)).toThrow(SqlFileError);
  });
});
