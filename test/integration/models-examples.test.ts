/**
 * End to end on the scenarios' real shapes: `bin/sandbox.ts` on the bundled examples, then on held-out
 * files written here; the final layers (entity tables, split targets, the vault's mart) are compared
 * with values computed from the input files themselves, never from the pipeline's output.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { DuckDb } from '../../bin/sandbox/duckdb';
import { ROOT, runCli } from './sandbox-support';
import type { CliResult } from './sandbox-support';

const EXAMPLES = join(ROOT, 'examples');
const read = (relative: string) => readFileSync(join(EXAMPLES, relative), 'utf8');

interface OpenMeteo {
  customer_id: string;
  latitude: number;
  longitude: number;
  timezone: string;
  current_weather: { time: string; temperature: number };
  version?: number;
}
interface FleetLine {
  event: string;
  on?: string;
  at: string;
  data: { id?: string };
}
interface Purchase {
  transaction_id: string;
  customer_id: string;
  total: number;
  basket: { product_id: string }[];
}

const ts = (t: string) => `${t.replace('T', ' ')}:00`;
const WEATHER_FILES = ['cust-001/2026-11-20.json', 'cust-002/2026-11-20.json', 'cust-003/2026-11-20.json'];
/** Valid observations (a key that is not a timestamp is rejected) of the parseable weather files. */
function observations(): OpenMeteo[] {
  return WEATHER_FILES.flatMap((f) => JSON.parse(read(`weather/weather/${f}`)) as OpenMeteo[]).filter((o) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(o.current_weather.time),
  );
}
function linesOf(file: string): FleetLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FleetLine);
}
function fleetLines(dir = join(EXAMPLES, 'fleet/fleet_events/2019/06/01')): FleetLine[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => linesOf(join(dir, f)));
}

describe('models on the examples and on held-out files', () => {
  let state: string;
  let heldOut: string;
  let first: CliResult;
  let second: CliResult;
  let db: DuckDb;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'models-test-'));
    heldOut = mkdtempSync(join(tmpdir(), 'models-heldout-'));
    // GIVEN the bundled examples WHEN the sandbox runs
    first = await runCli('bin/sandbox.ts', ['--state', state], 90_000);
  }, 120_000);

  afterAll(() => {
    db?.close();
    rmSync(state, { recursive: true, force: true });
    rmSync(heldOut, { recursive: true, force: true });
  });

  const open = async () => (db ??= await DuckDb.open({ path: join(state, 'warehouse.duckdb') }));

  it('exits 0 and ends with one line per scenario naming its final tables and views', () => {
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    const scenarios = lines.filter((l) => l.includes('scenario '));
    expect(scenarios.map((l) => /scenario (\S+):/.exec(l)?.[1])).toEqual([
      'airbnb',
      'weather',
      'webapp',
      'fleet',
      'retail',
      'insurance',
    ]);
    expect(scenarios[1]).toContain('CORE.CUSTOMERS 3, CORE.LOCATIONS 6, CORE.CURRENT_WEATHER 6');
  });

  it('weather (001): customers, locations and current weather, one row per key, from the OpenMeteo responses', async () => {
    db = await open();
    const obs = observations();
    const byCustomer = new Map<string, string[]>();
    for (const o of obs)
      byCustomer.set(o.customer_id, [...(byCustomer.get(o.customer_id) ?? []), o.current_weather.time]);
    const customers = [...byCustomer].map(([c, times]) => [c, ts(times.sort()[0]!), ts(times.sort().at(-1)!)]);
    const rows = await db.rows(`SELECT customer_id, first_seen, last_seen FROM core.customers ORDER BY 1`);
    expect(rows.map((r) => [r.CUSTOMER_ID, r.FIRST_SEEN, r.LAST_SEEN])).toEqual(customers.sort());

    const latest = new Map<string, OpenMeteo>();
    for (const o of obs) {
      const k = `${o.customer_id}|${o.latitude.toFixed(6)}`;
      if ((latest.get(k)?.current_weather.time ?? '') < o.current_weather.time) latest.set(k, o);
    }
    const current = await db.rows(
      `SELECT customer_id, latitude, observed_at, temperature_c FROM core.current_weather ORDER BY 1, 2`,
    );
    expect(current.map((r) => [r.CUSTOMER_ID, r.LATITUDE, r.OBSERVED_AT, r.TEMPERATURE_C])).toEqual(
      [...latest.values()]
        .map((o) => [
          o.customer_id,
          o.latitude.toFixed(6),
          ts(o.current_weather.time),
          o.current_weather.temperature.toFixed(1),
        ])
        .sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`)),
    );
    const locations = await db.rows(`SELECT customer_id, latitude, timezone FROM core.locations ORDER BY 1, 2`);
    expect(locations).toHaveLength(latest.size);
  });

  it('weather corrections (version) win although their file is uploaded before the original', async () => {
    db = await open();
    const corrections = JSON.parse(read('weather/weather/cust-001/2026-11-20-corrections.json')) as OpenMeteo[];
    for (const c of corrections) {
      const t = await db.value(
        `SELECT temperature_c FROM core.weather WHERE customer_id = '${c.customer_id}' AND latitude = ${c.latitude} AND observed_at = TIMESTAMP '${ts(c.current_weather.time)}'`,
      );
      expect(t).toBe(c.current_weather.temperature.toFixed(1));
    }
  });

  it('fleet (002): records fanned out by `on`, unrouted values rejected with a reason', async () => {
    db = await open();
    const lines = fleetLines();
    const vehicles = new Set(
      lines.filter((l) => l.on === 'vehicle' && l.data.id).map((l) => `${l.data.id}|${l.at}|${l.event}`),
    );
    expect(Number(await db.value(`SELECT count(*) FROM core.vehicle_events`))).toBe(vehicles.size);
    const periods = new Map<string, FleetLine>();
    for (const l of lines.filter((x) => x.on === 'operating_period'))
      if ((periods.get(l.data.id!)?.at ?? '') < l.at) periods.set(l.data.id!, l);
    const rows = await db.rows(`SELECT period_id, event FROM core.operating_periods ORDER BY 1`);
    expect(rows.map((r) => [r.PERIOD_ID, r.EVENT])).toEqual([...periods].map(([id, l]) => [id, l.event]).sort());
    const unrouted = lines.filter((l) => l.on !== 'vehicle' && l.on !== 'operating_period').length;
    expect(await db.rows(`SELECT DISTINCT "REASON" FROM core.fleet_events_rejects`)).toEqual([
      { REASON: 'SPLIT_NO_TARGET' },
    ]);
    expect(Number(await db.value(`SELECT count(*) FROM core.fleet_events_rejects`))).toBe(unrouted);
    expect(Number(await db.value(`SELECT count(*) FROM core.vehicle_events_rejects`))).toBe(
      lines.filter((l) => l.on === 'vehicle' && !l.data.id).length,
    );
    // The file ledger: each fleet file is one input object of fleet_events, accounted across both targets. Its
    // rejected rows are the unrouted ones and the vehicle events without a key; every other row is merged or
    // superseded in its target, and the merged rows of all files are the targets' silver rows.
    const dir = join(EXAMPLES, 'fleet/fleet_events/2019/06/01');
    const ledger = await db.rows(
      `SELECT "SOURCE_KEY", "ROWS_IN", "ROWS_MERGED", "ROWS_SUPERSEDED", "ROWS_REJECTED", "ACCOUNTED"
       FROM ops.file_ledger WHERE "DATASET" = 'fleet_events' ORDER BY 1`,
    );
    const files = readdirSync(dir).sort();
    expect(ledger.map((r) => r.SOURCE_KEY)).toEqual(files.map((f) => `fleet/fleet_events/2019/06/01/${f}`));
    files.forEach((f, i) => {
      const own = linesOf(join(dir, f));
      const rejected = own.filter(
        (l) => (l.on !== 'vehicle' && l.on !== 'operating_period') || (l.on === 'vehicle' && !l.data.id),
      ).length;
      const r = ledger[i]!;
      expect([Number(r.ROWS_IN), Number(r.ROWS_REJECTED), r.ACCOUNTED]).toEqual([own.length, rejected, true]);
      expect(Number(r.ROWS_MERGED) + Number(r.ROWS_SUPERSEDED)).toBe(own.length - rejected);
    });
    expect(ledger.reduce((n, r) => n + Number(r.ROWS_MERGED), 0)).toBe(vehicles.size + periods.size);
  });

  it('insurance (004): the mart computed through vault and warehouse matches the files', async () => {
    db = await open();
    const tx = [
      ...(JSON.parse(read('insurance/insurance_transactions/2026-11-10/transactions.json')) as Purchase[]),
      ...(JSON.parse(read('insurance/insurance_transactions/2026-11-11/amendments.json')) as Purchase[]),
    ];
    const latest = new Map(tx.map((t) => [t.transaction_id, t])); // later file = later version
    const spend = new Map<string, { n: number; total: number }>();
    for (const t of latest.values()) {
      const s = spend.get(t.customer_id) ?? { n: 0, total: 0 };
      spend.set(t.customer_id, { n: s.n + 1, total: s.total + t.total });
    }
    const rows = await db.rows(`SELECT customer_id, purchases, total_spend FROM mart.customer_value ORDER BY 1`);
    const csvCustomers = read('insurance/insurance_customers/customers.csv')
      .split('\r\n')
      .slice(1)
      .filter((l) => l.split(',').length === 6)
      .map((l) => l.split(',')[0]!);
    const ids = [...new Set([...csvCustomers, ...spend.keys()])].sort();
    expect(rows.map((r) => [r.customer_id, Number(r.purchases), Number(r.total_spend)])).toEqual(
      ids.map((id) => [id, spend.get(id)?.n ?? 0, Math.round((spend.get(id)?.total ?? 0) * 100) / 100]),
    );
    const buyers = new Map<string, Set<string>>();
    for (const t of tx)
      for (const b of t.basket) buyers.set(b.product_id, (buyers.get(b.product_id) ?? new Set()).add(t.transaction_id));
    const popularity = await db.rows(`SELECT product_id, purchases FROM mart.product_popularity ORDER BY 1`);
    expect(popularity.map((r) => [r.product_id, Number(r.purchases)])).toEqual(
      [...buyers].map(([p, s]) => [p, s.size]).sort(),
    );
    // The purchase link's keys come from two levels: the transaction and customer of the record, the product and
    // line number (dependent child key) of each basket element. One link row per distinct (transaction, customer,
    // product, line) over every version — a product twice in a basket is two rows; hubs hold each key once.
    const norm = (k: string) => k.trim().toUpperCase();
    const triples = new Set(
      tx.flatMap((t) =>
        t.basket.map((b, i) => [...[t.transaction_id, t.customer_id, b.product_id].map(norm), i + 1].join('|')),
      ),
    );
    expect(tx.some((t) => new Set(t.basket.map((b) => b.product_id)).size < t.basket.length)).toBe(true);
    expect(Number(await db.value(`SELECT count(*) FROM vault.link_purchase`))).toBe(triples.size);
    expect(Number(await db.value(`SELECT count(*) FROM vault.hub_transaction`))).toBe(
      new Set(tx.map((t) => norm(t.transaction_id))).size,
    );
    expect(
      Number(
        await db.value(
          `SELECT count(*) FROM vault.link_purchase l JOIN vault.hub_product p USING ("PRODUCT_HK") JOIN vault.hub_customer c USING ("CUSTOMER_HK")`,
        ),
      ),
    ).toBe(triples.size);
  });

  it('held-out files in the scenarios’ shapes land in the right tables', async () => {
    db?.close();
    db = undefined as unknown as DuckDb;
    const put = (relative: string, text: string) => {
      mkdirSync(dirname(join(heldOut, relative)), { recursive: true });
      writeFileSync(join(heldOut, relative), text);
    };
    const meteo = (time: string, temperature: number) => ({
      customer_id: 'cust-004',
      latitude: 64.1466,
      longitude: -21.9426,
      timezone: 'Atlantic/Reykjavik',
      elevation: 20,
      current_weather: { time, temperature, windspeed: 20.1, winddirection: 10, is_day: 0, weathercode: 3 },
    });
    put(
      'weather/weather/cust-004/2026-12-01.json',
      JSON.stringify([meteo('2026-12-01T00:00', -1), meteo('2026-12-01T01:00', -2)]),
    );
    const fleet = [
      { event: 'register', on: 'vehicle', at: '2019-06-02T10:00:00.000Z', data: { id: 'v-99' }, organization_id: 'o' },
      { event: 'update', on: 'scooter', at: '2019-06-02T10:00:01.000Z', data: { id: 's-1' }, organization_id: 'o' },
    ];
    put('fleet/fleet_events/2019/06/02/2019-06-02-10-00-events.json', fleet.map((l) => JSON.stringify(l)).join('\n'));
    put(
      'insurance/insurance_customers/new.csv',
      'customer_id,first_name,last_name,email,date_of_birth,region\r\nCUST-77777,Ada,Byron,ada@example.com,1990-01-01,North\r\n',
    );
    put(
      'insurance/insurance_transactions/2026-12-01/tx.json',
      JSON.stringify([
        {
          transaction_id: 'TX-900001',
          customer_id: 'CUST-77777',
          transaction_at: '2026-12-01T10:00:00',
          basket: [{ product_id: 'P-PET-CAT', quantity: 1, price: 11 }],
          total: 11,
          payment: { method: 'card' },
        },
      ]),
    );
    // The scenarios without derived models, in their real shapes too: a listings export (a new listing and a
    // later version of an example one), an incremental users file, an events NDJSON file.
    const listingsHeader = read('airbnb/listings/2026-11-01/listings.csv').split('\n')[0]!.trim();
    put(
      'airbnb/listings/2026-12-01/listings.csv',
      `${listingsHeader}\n` +
        '9000001,Held-out loft,42,Ada,Brooklyn,Bushwick,40.69,-73.92,Entire home/apt,150,2,0,,,1,100,0,\n' +
        '1000000,Spacious 2BR in Fordham,2101507,Lena,Bronx,Fordham,40.87556,-73.87982,Entire home/apt,999,30,0,,,11,231,0,\n',
    );
    const usersHeader = read('retail/retail_users/full/users-2026-11-01.csv').split('\n')[0]!.trim();
    put(
      'retail/retail_users/incremental/users-2026-12-01.csv',
      `${usersHeader}\n59999,Held Out,held.out@example.com,IS,2026-12-01,2026-12-01T08:00:00,true\n`,
    );
    put(
      'webapp/events/2026/12/01/events-0900.ndjson',
      JSON.stringify({
        event_id: 'evt_heldout_1',
        organization_id: 'org_999',
        user_id: 'usr_1',
        type: 'login',
        timestamp: '2026-12-01T09:00:00.000+01:00',
        properties: {},
      }) + '\n',
    );
    // WHEN the sandbox ingests them into the same state
    second = await runCli('bin/sandbox.ts', ['--state', state, '--data', heldOut], 90_000);
    expect(second.code).toBe(0);
    db = await open();
    expect(await db.rows(`SELECT first_seen, last_seen FROM core.customers WHERE customer_id = 'cust-004'`)).toEqual([
      { FIRST_SEEN: '2026-12-01 00:00:00', LAST_SEEN: '2026-12-01 01:00:00' },
    ]);
    expect(await db.value(`SELECT temperature_c FROM core.current_weather WHERE customer_id = 'cust-004'`)).toBe(
      '-2.0',
    );
    expect(Number(await db.value(`SELECT count(*) FROM core.vehicle_events WHERE vehicle_id = 'v-99'`))).toBe(1);
    expect(
      await db.rows(`SELECT "SOURCE_KEY" FROM core.fleet_events_rejects WHERE "SOURCE_KEY" LIKE '%2019-06-02%'`),
    ).toEqual([{ SOURCE_KEY: 'fleet/fleet_events/2019/06/02/2019-06-02-10-00-events.json' }]);
    // The held-out fleet file is accounted: v-99 merged into vehicle_events, the scooter line rejected.
    expect(
      await db.rows(
        `SELECT "ROWS_IN", "ROWS_MERGED", "ROWS_SUPERSEDED", "ROWS_REJECTED", "ACCOUNTED" FROM ops.file_ledger
         WHERE "SOURCE_KEY" = 'fleet/fleet_events/2019/06/02/2019-06-02-10-00-events.json'`,
      ),
    ).toEqual([{ ROWS_IN: '2', ROWS_MERGED: '1', ROWS_SUPERSEDED: '0', ROWS_REJECTED: '1', ACCOUNTED: true }]);
    expect(
      await db.rows(`SELECT region, purchases, total_spend FROM mart.customer_value WHERE customer_id = 'CUST-77777'`),
    ).toEqual([{ region: 'North', purchases: '1', total_spend: '11.00' }]);
    expect(await db.rows(`SELECT id, price FROM core.listings WHERE id IN (9000001, 1000000) ORDER BY 1`)).toEqual([
      { ID: '1000000', PRICE: '999.00' }, // the later export wins (listings have no orderBy)
      { ID: '9000001', PRICE: '150.00' },
    ]);
    expect(await db.rows(`SELECT country FROM core.retail_users WHERE user_id = 59999`)).toEqual([{ COUNTRY: 'IS' }]);
    expect(
      await db.rows(
        `SELECT organization_id, CAST(occurred_at AS VARCHAR) AS t FROM core.events WHERE event_id = 'evt_heldout_1'`,
      ),
    ).toEqual([{ ORGANIZATION_ID: 'org_999', t: '2026-12-01 08:00:00+00' }]);
  }, 120_000);
});
