/**
 * End to end: `bin/sandbox.ts` on the bundled examples, in a temporary state directory — real
 * local S3 and SQS servers, the real parser, DuckDB — then the warehouse it leaves behind is
 * opened and checked: silver row counts, deduplication, rejects, quarantine and gold views.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { DuckDb } from '../../bin/sandbox/duckdb';
import type { Summary } from '../../bin/sandbox/summary';
import { ROOT, runCli } from './sandbox-support';
import type { CliResult } from './sandbox-support';

const EXAMPLES = join(ROOT, 'examples');
const readJson = <T>(relative: string): T => JSON.parse(readFileSync(join(EXAMPLES, relative), 'utf8')) as T;

describe('sandbox on the examples', () => {
  let state: string;
  let first: CliResult;
  let summary: Summary;
  let db: DuckDb;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
    // GIVEN the bundled examples and an empty state directory
    // WHEN the sandbox runs once
    first = await runCli('bin/sandbox.ts', ['--state', state, '--summary-json', join(state, 'summary.json')]);
    summary = JSON.parse(readFileSync(join(state, 'summary.json'), 'utf8')) as Summary;
    db = await DuckDb.open({ path: join(state, 'warehouse.duckdb') });
  }, 90_000);

  afterAll(() => {
    db?.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('exits 0 with a first status line saying what was rejected, every file accounted for, and nothing in the DLQ', () => {
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    // The examples carry deliberate bad rows and one truncated JSON file: never reported as plain OK.
    // Rows kept out of silver by the MERGE: one key reject each in events, listings, retail_users and weather, and
    // in the fleet files (test/integration/models-examples.test.ts reads them) 2 SPLIT_NO_TARGET (`on` = driver,
    // `on` missing) + 1 vehicle event without its key.
    const statusLine =
      'COMPLETED WITH REJECTS: 1 file(s) quarantined, 4 row(s) quarantined by the parser, ' +
      '7 row(s) rejected by the MERGE, 1 value(s) failed their cast (details below)';
    const lines = first.stdout.split('\n');
    expect(lines[lines.indexOf('') + 1]).toBe(statusLine);
    expect(first.stdout).not.toContain('OK: every file');
    expect(summary.status).toBe('COMPLETED WITH REJECTS');
    expect(summary.statusLine).toBe(statusLine);
    expect(summary.quarantinedFiles).toEqual([
      {
        sourceKey: 'weather/weather/cust-003/2026-11-22.json',
        reason: 'NOT_PARSEABLE',
        message: expect.stringMatching(
          /^not parseable as JSON: the file ends inside the value that starts at line \d+, column \d+/,
        ),
        report: expect.stringMatching(/^s3:\/\/sandbox-stage\/quarantine\/weather\/.+\.file\.json$/),
      },
    ]);
    expect(summary.problems).toEqual([]);
    expect(summary.input.uploaded).toBe(20);
    expect(summary.delivery).toMatchObject({ messages: 20, failures: 0, dlq: 0 });
    expect(summary.parser).toMatchObject({ archived: 20, leftInInbound: 0 });
  });

  it('types and deduplicates every reference dataset into silver', async () => {
    const counts = await db.rows(
      `SELECT 'listings' t, count(*) n FROM core.listings UNION ALL SELECT 'weather', count(*) FROM core.weather
       UNION ALL SELECT 'events', count(*) FROM core.events UNION ALL SELECT 'retail_users', count(*) FROM core.retail_users
       UNION ALL SELECT 'retail_transactions', count(*) FROM core.retail_transactions
       UNION ALL SELECT 'insurance_customers', count(*) FROM core.insurance_customers
       UNION ALL SELECT 'insurance_products', count(*) FROM core.insurance_products
       UNION ALL SELECT 'insurance_transactions', count(*) FROM core.insurance_transactions`,
    );
    expect(Object.fromEntries(counts.map((r) => [r.t, Number(r.n)]))).toEqual({
      listings: 299, // 300 rows + 1 ragged (quarantined) - 1 key reject; the 20 re-exported rows are updates
      weather: 215, // 3 customers × 2 locations × 36 hours - 1 key reject; corrections update
      events: 350, // 200 + 150 events; the retried event is an update, the null-id event a reject
      retail_users: 204, // 200 - 1 key reject + 5 new (the ragged row is quarantined)
      retail_transactions: 300,
      insurance_customers: 150,
      insurance_products: 12,
      insurance_transactions: 250,
    });
  });

  it('keeps the newest version of a key: later files win, and orderBy beats arrival order', async () => {
    // listings (no orderBy): the re-export a week later raised the price by 15.
    expect(await db.value(`SELECT price FROM core.listings WHERE id = 1000000`)).toBe('238.00');
    // retail_users (orderBy updated_at): the incremental file's late, OLDER version of 50001 lost.
    const u = await db.rows(
      `SELECT user_id, country, email, updated_at FROM core.retail_users WHERE user_id IN (50001, 50002) ORDER BY 1`,
    );
    expect(u[0].COUNTRY).not.toBe('XX');
    expect(u[1]).toMatchObject({ EMAIL: 'zoe.kim.50002@mail.example.org', UPDATED_AT: '2026-11-14 09:30:00' });
    expect(await db.value(`SELECT monthly_premium FROM core.insurance_products WHERE product_id = 'P-CAR-COMP'`)).toBe(
      '64.00',
    );
    expect(await db.value(`SELECT amount FROM core.retail_transactions WHERE transaction_id = 'T00700004'`)).toBe(
      '0.00',
    );
    expect(
      await db.value(
        `SELECT json_array_length(basket) FROM core.insurance_transactions WHERE transaction_id = 'TX-000010'`,
      ),
    ).toBe(
      String(
        readJson<{ basket: unknown[] }[]>('insurance/insurance_transactions/2026-11-11/amendments.json')[0].basket
          .length,
      ),
    );
    // A non-key value that cannot be cast is NULL in silver, not a reject.
    expect(await db.value(`SELECT amount FROM core.retail_transactions WHERE transaction_id = 'T00700034'`)).toBeNull();
  });

  it('rejects rows whose primary key is missing or cannot be cast, with the reason', async () => {
    const rejects = await db.rows(
      `SELECT 'listings' t, "REASON" r, "SOURCE_ROW" n FROM core.listings_rejects
       UNION ALL SELECT 'weather', "REASON", "SOURCE_ROW" FROM core.weather_rejects
       UNION ALL SELECT 'events', "REASON", "SOURCE_ROW" FROM core.events_rejects
       UNION ALL SELECT 'retail_users', "REASON", "SOURCE_ROW" FROM core.retail_users_rejects ORDER BY 1`,
    );
    expect(rejects.map((r) => [r.t, r.r, Number(r.n)])).toEqual([
      ['events', 'PRIMARY_KEY_MISSING', 121],
      ['listings', 'PRIMARY_KEY_INVALID', 43],
      ['retail_users', 'PRIMARY_KEY_INVALID', 79],
      ['weather', 'PRIMARY_KEY_INVALID', 6],
    ]);
  });

  it('quarantines the ragged CSV rows, the malformed NDJSON line and the truncated JSON file', () => {
    expect(summary.parser.quarantineByReason).toEqual({
      'row:RAGGED_ROW': 3,
      'row:MALFORMED_JSON': 1,
      'file:NOT_PARSEABLE': 1,
    });
    // + the fleet files' 56 rows: 49 vehicle events + 2 periods in silver, 2 SPLIT_NO_TARGET + 1 key reject
    // (test/integration/models-examples.test.ts checks them against the files); + 1 CAST_FAILED (amount "12,50").
    expect(summary.rows).toEqual({ in: 1889, staged: 1885, quarantined: 4, out: 1831, rejected: 8 });
    // Per dataset and reason, with where to read them: the S3 rejects objects and the rejects tables.
    expect(summary.rejectedRows.map((r) => [r.dataset, r.stage, r.reason, r.rows])).toEqual([
      ['events', 'merge', 'PRIMARY_KEY_MISSING', 1],
      ['events', 'parser', 'MALFORMED_JSON', 1],
      ['fleet_events', 'merge', 'SPLIT_NO_TARGET', 2],
      ['insurance_customers', 'parser', 'RAGGED_ROW', 1],
      ['listings', 'merge', 'PRIMARY_KEY_INVALID', 1],
      ['listings', 'parser', 'RAGGED_ROW', 1],
      ['retail_transactions', 'merge', 'CAST_FAILED', 1],
      ['retail_users', 'merge', 'PRIMARY_KEY_INVALID', 1],
      ['retail_users', 'parser', 'RAGGED_ROW', 1],
      ['vehicle_events', 'merge', 'PRIMARY_KEY_MISSING', 1],
      ['weather', 'merge', 'PRIMARY_KEY_INVALID', 1],
    ]);
    expect(summary.rejectedRows.find((r) => r.dataset === 'listings' && r.stage === 'merge')?.where).toEqual([
      'CORE.LISTINGS_REJECTS',
    ]);
    expect(summary.rejectedRows.find((r) => r.dataset === 'listings' && r.stage === 'parser')?.where).toEqual([
      expect.stringMatching(/^s3:\/\/sandbox-stage\/quarantine\/listings\/.+\.rejects\.ndjson$/),
    ]);
  });

  it('records a present value that cannot be cast as CAST_FAILED with its column and raw value, and keeps the row', async () => {
    const rows = await db.rows(
      `SELECT "SOURCE_ROW" n, "COLUMN_NAME" c, "RAW_VALUE" v, "ROW_REJECTED" r FROM core.retail_transactions_rejects WHERE "REASON" = 'CAST_FAILED'`,
    );
    expect(rows.map((r) => [Number(r.n), r.c, r.v, r.r])).toEqual([[34, 'amount', '12,50', false]]);
    expect(
      await db.value(
        `SELECT count(*) FROM core.retail_transactions WHERE "_SOURCE_ROW" = 34 AND "AMOUNT" IS NULL AND "_SOURCE_KEY" LIKE '%2026-11-14/transactions.json'`,
      ),
    ).toBe('1');
  });

  it('creates the gold views; latest weather is the last observation of each customer and location', async () => {
    expect(summary.gold.created).toEqual(expect.arrayContaining(['GOLD.LATEST_WEATHER', 'GOLD.RETAIL_USER_SPEND']));
    type Obs = { customer_id: string; latitude: number; current_weather: { time: string; temperature: number } };
    const expected = ['cust-001', 'cust-002', 'cust-003'].flatMap((c) => {
      const obs = readJson<Obs[]>(`weather/weather/${c}/2026-11-20.json`);
      const last = new Map(obs.map((o) => [o.latitude, o]));
      return [...last.values()].map((o) => [
        c,
        o.latitude.toFixed(6),
        `${o.current_weather.time.replace('T', ' ')}:00`,
        o.current_weather.temperature.toFixed(1),
      ]);
    });
    const rows = await db.rows(
      `SELECT customer_id, latitude, observed_at, temperature_c FROM gold.latest_weather ORDER BY 1, 2`,
    );
    expect(rows.map((r) => [r.CUSTOMER_ID, r.LATITUDE, r.OBSERVED_AT, r.TEMPERATURE_C])).toEqual(
      expected.sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`)),
    );
  });

  it('computes spend per retail user from the deduplicated transactions', async () => {
    type Tx = { transaction_id: string; user_id: number; amount: number | string; currency: string };
    const txs = new Map<string, Tx>();
    for (const file of ['2026-11-14/transactions.json', '2026-11-15/refunds.json']) {
      for (const t of readJson<Tx[]>(`retail/retail_transactions/${file}`)) txs.set(t.transaction_id, t);
    }
    const cents = new Map<string, number>();
    for (const t of txs.values()) {
      if (typeof t.amount !== 'number') continue;
      const key = `${t.user_id}/${t.currency}`;
      cents.set(key, (cents.get(key) ?? 0) + Math.round(t.amount * 100));
    }
    const rows = await db.rows<{ USER_ID: string; CURRENCY: string | null; total_spend: string }>(
      `SELECT user_id, currency, total_spend FROM gold.retail_user_spend WHERE currency IS NOT NULL`,
    );
    expect(rows.length).toBeGreaterThan(150);
    for (const r of rows)
      expect([`${r.USER_ID}/${r.CURRENCY}`, r.total_spend]).toEqual([
        `${r.USER_ID}/${r.CURRENCY}`,
        ((cents.get(`${r.USER_ID}/${r.CURRENCY}`) ?? 0) / 100).toFixed(2),
      ]);
  });

  it('loads nothing twice when run again on the same state (upload log + load history)', async () => {
    const bronze = async (d: DuckDb) => Number(await d.value(`SELECT count(*) FROM raw.listings`));
    const before = await bronze(db);
    db.close();
    // WHEN the sandbox runs again on the same state directory
    const again = await runCli('bin/sandbox.ts', ['--state', state]);
    db = await DuckDb.open({ path: join(state, 'warehouse.duckdb') });
    // THEN nothing is re-sent or re-loaded, and it still exits 0
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('upload  0 file(s)');
    expect(again.stdout).toContain('pipe       0 stage file(s) loaded this run');
    // and its last line says how to query this state's warehouse (runCli runs from the project root)
    expect(again.stdout.trimEnd().split('\n').at(-1)).toBe(
      `query it: npm run sql -- --state ${JSON.stringify(relative(ROOT, state))} "SELECT * FROM core.<dataset> LIMIT 5"`,
    );
    expect(await bronze(db)).toBe(before);
    expect(Number(await db.value(`SELECT count(*) FROM core.listings`))).toBe(299);
  }, 60_000);

  it('evolves silver when a spec gains a column (--config), and reports removed ones', async () => {
    db.close();
    // GIVEN the project config with listings gaining `license` and losing `availability_365`
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = JSON.parse(JSON.stringify(require('../../config/pipeline').default));
    const listings = config.datasets.find((d: { name: string }) => d.name === 'listings');
    listings.columns = [
      ...listings.columns.filter((c: { name: string }) => c.name !== 'availability_365'),
      { name: 'license', type: 'VARCHAR' },
    ];
    writeFileSync(join(state, 'evolved.json'), JSON.stringify(config));
    // WHEN the sandbox runs with it on the existing state
    const run = await runCli('bin/sandbox.ts', ['--state', state, '--config', join(state, 'evolved.json')]);
    db = await DuckDb.open({ path: join(state, 'warehouse.duckdb') });
    // THEN the column is added (existing rows NULL) and the removed one is kept and reported
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('schema  CORE.LISTINGS: added column LICENSE VARCHAR');
    expect(run.stdout).toContain('schema  CORE.LISTINGS: column AVAILABILITY_365 is no longer in the spec; kept');
    expect(await db.value(`SELECT count(*) FROM core.listings WHERE "LICENSE" IS NULL`)).toBe('299');
  }, 60_000);

  it('--reset starts over from an empty state', async () => {
    db.close();
    const empty = mkdtempSync(join(tmpdir(), 'sandbox-empty-'));
    const reset = await runCli('bin/sandbox.ts', ['--state', state, '--reset', '--data', empty]);
    db = await DuckDb.open({ path: join(state, 'warehouse.duckdb') });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`reset   removed ${state}`);
    expect(Number(await db.value(`SELECT count(*) FROM raw.listings`))).toBe(0);
    expect(Number(await db.value(`SELECT count(*) FROM "SANDBOX"."LOAD_HISTORY"`))).toBe(0);
    rmSync(empty, { recursive: true });
  }, 60_000);
});
