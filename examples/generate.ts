/**
 * Generates the sandbox's example data: one folder per reference scenario, laid out like the
 * inbound bucket (`<source>/<dataset>/<any path>`), matching config/pipeline.ts.
 *
 *   npx tsx examples/generate.ts            # rewrites examples/<source>/... byte for byte
 *
 * Deterministic: a seeded PRNG, fixed dates and gzip without a timestamp, so a re-run produces
 * identical bytes (the sandbox test's expected counts depend on it). Every scenario carries a
 * few deliberately bad rows; examples/README.md lists them and the counts they lead to.
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { gzipSync } from 'zlib';

const ROOT = __dirname;
const SOURCES = ['airbnb', 'weather', 'webapp', 'fleet', 'retail', 'insurance'];

/** mulberry32: small, fast, seedable. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
    round: (value: number, digits: number) => Number(value.toFixed(digits)),
  };
}
type Rng = ReturnType<typeof prng>;

const FIRST = ['Ana', 'Ben', 'Chloé', 'David', 'Emma', 'Farid', 'Grace', 'Hiro', 'Inès', 'Jonas', 'Kofi', 'Lena'];
const FIRST2 = ['Mateo', 'Nora', 'Oskar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Zoë'];
const LAST = ['García', 'Smith', 'Müller', 'Rossi', 'Dubois', 'Novak', 'Kim', 'Okafor', 'Silva', 'Jensen', 'Patel'];
const firstName = (r: Rng) => r.pick([...FIRST, ...FIRST2]);
const fullName = (r: Rng) => `${firstName(r)} ${r.pick(LAST)}`;
const ascii = (s: string) => s.normalize('NFD').replace(/[^\x20-\x7e]/g, '');
const email = (name: string, n: number) => `${ascii(name).toLowerCase().replace(/\W+/g, '.')}.${n}@example.com`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const iso = (ms: number) => new Date(ms).toISOString();
const isoNoMs = (ms: number) => iso(ms).replace(/\.\d{3}Z$/, 'Z');
const day = (ms: number) => iso(ms).slice(0, 10);
const BASE = Date.UTC(2026, 10, 1); // 2026-11-01
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** RFC 4180: quote a field holding the delimiter, a quote or a line break; double embedded quotes. */
function csvField(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
const csv = (header: string[], rows: (string | number | null)[][]) =>
  [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';

const written: { path: string; bytes: number }[] = [];
function write(relative: string, content: string | Buffer): void {
  const path = join(ROOT, relative);
  mkdirSync(dirname(path), { recursive: true });
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  writeFileSync(path, bytes);
  written.push({ path: relative, bytes: bytes.length });
}
/** Deterministic gzip: Node writes mtime 0 and a fixed OS byte. */
const gzip = (text: string) => gzipSync(Buffer.from(text, 'utf8'), { level: 9 });

// ---------------------------------------------------------------- airbnb / listings (CSV)
function listings(): void {
  const r = prng(1);
  const boroughs: Record<string, string[]> = {
    Manhattan: ['Harlem', 'East Village', 'Upper West Side', 'Chelsea', "Hell's Kitchen", 'SoHo'],
    Brooklyn: ['Williamsburg', 'Bushwick', 'Bedford-Stuyvesant', 'Park Slope', 'Greenpoint'],
    Queens: ['Astoria', 'Long Island City', 'Flushing', 'Ridgewood'],
    Bronx: ['Mott Haven', 'Fordham'],
    'Staten Island': ['St. George'],
  };
  const center: Record<string, [number, number]> = {
    Manhattan: [40.7831, -73.9712],
    Brooklyn: [40.6782, -73.9442],
    Queens: [40.7282, -73.7949],
    Bronx: [40.8448, -73.8648],
    'Staten Island': [40.5795, -74.1502],
  };
  const rooms = ['Entire home/apt', 'Entire home/apt', 'Private room', 'Private room', 'Shared room', 'Hotel room'];
  const adjectives = ['Sunny', 'Cozy', 'Spacious', 'Modern', 'Charming', 'Quiet', 'Bright', 'Stylish'];
  const header = [
    'id',
    'name',
    'host_id',
    'host_name',
    'neighbourhood_group',
    'neighbourhood',
    'latitude',
    'longitude',
    'room_type',
    'price',
    'minimum_nights',
    'number_of_reviews',
    'last_review',
    'reviews_per_month',
    'calculated_host_listings_count',
    'availability_365',
    'number_of_reviews_ltm',
    'license',
  ];
  type Row = (string | number | null)[];
  const rows: Row[] = [];
  const hosts = Array.from({ length: 120 }, (_, i) => ({ id: 2_100_000 + i * 137, name: firstName(r) }));
  for (let i = 0; i < 300; i++) {
    const group = r.pick(Object.keys(boroughs));
    const hood = r.pick(boroughs[group]);
    const room = r.pick(rooms);
    const host = r.pick(hosts);
    const reviews = r.chance(0.15) ? 0 : r.int(1, 480);
    const bedrooms = r.int(1, 3);
    const base = room === 'Shared room' ? 45 : room === 'Private room' ? 85 : room === 'Hotel room' ? 190 : 160;
    const price = r.round(base * (group === 'Manhattan' ? 1.6 : 1) * (0.6 + r.next()) + bedrooms * 20, 0);
    let name = `${r.pick(adjectives)} ${room === 'Entire home/apt' ? `${bedrooms}BR` : 'room'} in ${hood}`;
    if (i === 7) name = 'Café-level espresso, "artist" loft, SoHo'; // quotes, commas and non-ASCII
    if (i === 11) name = 'Garden studio\nwith private entrance'; // a line break inside a quoted field
    rows.push([
      // One key that is not a number (a legacy export id): the silver MERGE rejects it.
      i === 42 ? 'LST-0042' : 1_000_000 + i * 97,
      name,
      host.id,
      host.name,
      group,
      hood,
      r.round(center[group][0] + (r.next() - 0.5) * 0.08, 5),
      r.round(center[group][1] + (r.next() - 0.5) * 0.08, 5),
      room,
      price,
      r.pick([1, 1, 2, 3, 30]),
      reviews,
      reviews === 0 ? '' : day(BASE - r.int(1, 900) * DAY),
      reviews === 0 ? '' : r.round(r.next() * 4, 2),
      r.int(1, 12),
      r.int(0, 365),
      reviews === 0 ? 0 : r.int(0, 40),
      r.chance(0.3) ? '' : `OSE-STRREG-${pad(r.int(1, 99999), 7)}`,
    ]);
  }
  const text = csv(header, rows);
  // A ragged row (the export was cut mid-line): 5 fields instead of 18. The parser quarantines it.
  const lines = text.split('\r\n');
  lines.splice(151, 0, '1999999,Loft near the park,2100137,Maria,Manhattan');
  write('airbnb/listings/2026-11-01/listings.csv', lines.join('\r\n'));

  // A week later: 20 listings re-exported with new prices (newer versions of existing keys).
  const updates = rows.slice(0, 40).filter((_, i) => i % 2 === 0);
  write(
    'airbnb/listings/2026-11-08/listings-changes.csv',
    csv(
      header,
      updates.map((row) => row.map((v, c) => (c === 9 ? Number(v) + 15 : v))),
    ),
  );
}

// ---------------------------------------------------------------- weather / weather (OpenMeteo responses per customer)
/**
 * What the on-premises collector uploads: one JSON array per customer and day holding the OpenMeteo
 * `current_weather` response of each location and hour, with the customer id from its config.ini.
 */
function weather(): void {
  const r = prng(2);
  const customers = [
    {
      id: 'cust-001',
      locations: [
        [38.7223, -9.1393, 'Europe/Lisbon', 'WET', 45.0],
        [41.1579, -8.6291, 'Europe/Lisbon', 'WET', 94.0],
      ],
    },
    {
      id: 'cust-002',
      locations: [
        [52.52, 13.405, 'Europe/Berlin', 'CET', 38.0],
        [53.5511, 9.9937, 'Europe/Berlin', 'CET', 6.0],
      ],
    },
    {
      id: 'cust-003',
      locations: [
        [59.9139, 10.7522, 'Europe/Oslo', 'CET', 23.0],
        [60.3913, 5.3221, 'Europe/Oslo', 'CET', 12.0],
      ],
    },
  ] as const;
  const codes = [0, 1, 2, 3, 45, 61, 63, 80];
  const units = {
    time: 'iso8601',
    interval: 'seconds',
    temperature: '°C',
    windspeed: 'km/h',
    winddirection: '°',
    is_day: '',
    weathercode: 'wmo code',
  };
  const start = BASE + 19 * DAY; // 2026-11-20
  const response = (
    customer: string,
    [lat, lon, timezone, abbreviation, elevation]: readonly [number, number, string, string, number],
    at: number,
    temperature: number,
  ) => ({
    customer_id: customer,
    latitude: lat,
    longitude: lon,
    generationtime_ms: r.round(0.02 + r.next() * 0.1, 6),
    utc_offset_seconds: 0,
    timezone,
    timezone_abbreviation: abbreviation,
    elevation,
    current_weather_units: units,
    current_weather: {
      time: iso(at).slice(0, 16),
      interval: 900,
      temperature,
      windspeed: r.round(r.next() * 30, 1),
      winddirection: r.int(0, 359),
      is_day: new Date(at).getUTCHours() >= 7 && new Date(at).getUTCHours() < 17 ? 1 : 0,
      weathercode: r.pick(codes),
    },
  });
  for (const customer of customers) {
    const responses: Record<string, unknown>[] = [];
    for (const location of customer.locations) {
      const baseTemp = location[2] === 'Europe/Oslo' ? 1 : location[2] === 'Europe/Berlin' ? 5 : 14;
      for (let h = 0; h < 36; h++) {
        const temp = r.round(baseTemp + 4 * Math.sin(((h - 9) / 24) * 2 * Math.PI) + (r.next() - 0.5) * 2, 1);
        responses.push(response(customer.id, location, start + h * HOUR, temp));
      }
    }
    if (customer.id === 'cust-002') {
      // A sensor glitch: an observation time that is not a timestamp (part of the key → rejected).
      (responses[5] as { current_weather: { time: string } }).current_weather.time = 'yesterday 14:00';
    }
    write(`weather/weather/${customer.id}/2026-11-20.json`, JSON.stringify(responses, null, 1) + '\n');
    if (customer.id === 'cust-001') {
      // Corrections of 3 observations: version 2 wins over the original whatever the upload order
      // (this file's name sorts, and uploads, before the original's).
      const corrected = responses.slice(10, 13).map((o) => {
        const cw = o.current_weather as { temperature: number };
        return { ...o, current_weather: { ...cw, temperature: r.round(cw.temperature + 0.5, 1) }, version: 2 };
      });
      write(`weather/weather/${customer.id}/2026-11-20-corrections.json`, JSON.stringify(corrected) + '\n');
    }
  }
  // A file cut off mid-upload: not parseable JSON. The whole file is quarantined, nothing staged.
  const truncated = JSON.stringify([
    response('cust-003', customers[2].locations[0], start + 48 * HOUR, 0.5),
    response('cust-003', customers[2].locations[0], start + 49 * HOUR, 0.4),
  ]);
  write('weather/weather/cust-003/2026-11-22.json', truncated.slice(0, truncated.length - 40));
}

// ---------------------------------------------------------------- fleet / fleet_events (records told apart by `on`)
/**
 * Hourly event files in the shape of the reference scenario: NDJSON lines `{event, on, at, data,
 * organization_id}`, `on` = `vehicle` (register / update with a location / deregister) or
 * `operating_period` (create / delete), fanned out to vehicle_events and operating_periods.
 */
function fleet(): void {
  const r = prng(6);
  const org = 'org-fleet-1';
  const t0 = Date.UTC(2019, 5, 1, 15);
  const at = (seconds: number) => iso(t0 + seconds * 1000);
  const vehicles = Array.from({ length: 8 }, (_, i) => `v-${pad(i + 1, 2)}`);
  const location = (seconds: number) => ({
    lat: r.round(52.45 + r.next() * 0.1, 6),
    lng: r.round(13.35 + r.next() * 0.1, 6),
    at: at(seconds),
  });
  const period = (id: string, event: string, seconds: number) => ({
    event,
    on: 'operating_period',
    at: at(seconds),
    data: { id, start: at(0), finish: iso(t0 + 6 * HOUR) },
    organization_id: org,
  });
  const vehicle = (id: string, event: string, seconds: number, withLocation: boolean) => ({
    event,
    on: 'vehicle',
    at: at(seconds),
    data: withLocation ? { id, location: location(seconds) } : { id },
    organization_id: org,
  });
  const first: Record<string, unknown>[] = [period('op-1', 'create', 0), period('op-2', 'create', 1)];
  vehicles.forEach((v, i) => first.push(vehicle(v, 'register', 2 + i, false)));
  for (let round = 0; round < 3; round++)
    vehicles.forEach((v, i) => first.push(vehicle(v, 'update', 10 + round * 15 + i, true)));
  // Records with no target: a type the config does not route, and one without `on` at all.
  first.splice(12, 0, { event: 'update', on: 'driver', at: at(20), data: { id: 'd-1' }, organization_id: org });
  const noOn = { event: 'update', at: at(21), data: { id: 'v-01' }, organization_id: org };
  first.splice(20, 0, noOn);
  // A vehicle update without its id: routed to vehicle_events, rejected there (key missing).
  first.push({ event: 'update', on: 'vehicle', at: at(59), data: { location: location(59) }, organization_id: org });
  const second: Record<string, unknown>[] = [];
  for (let round = 0; round < 2; round++)
    vehicles.forEach((v, i) => second.push(vehicle(v, 'update', 60 + round * 15 + i, true)));
  second.push(vehicle('v-08', 'deregister', 100, false), period('op-2', 'delete', 101));
  second.push(first[5]); // re-sent: the same vehicle event again (deduplicated by its key)
  const ndjson = (lines: Record<string, unknown>[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  write('fleet/fleet_events/2019/06/01/2019-06-01-15-00-events.json', ndjson(first));
  write('fleet/fleet_events/2019/06/01/2019-06-01-15-01-events.json', ndjson(second));
}

// ---------------------------------------------------------------- webapp / events (NDJSON, one gzipped)
function events(): void {
  const r = prng(3);
  const orgs = Array.from({ length: 6 }, (_, i) => `org_${pad(i + 1, 3)}`);
  const users = Array.from({ length: 40 }, (_, i) => ({ id: `usr_${pad(i + 1, 4)}`, org: orgs[i % orgs.length] }));
  const types = ['page_view', 'page_view', 'page_view', 'login', 'feature_used', 'checkout_started', 'purchase'];
  const pages = ['/', '/pricing', '/docs/getting-started', '/dashboard', '/settings/billing'];
  const offsets = ['+00:00', '+01:00', '-05:00', '+05:30'];
  let seq = 0;
  const event = (at: number) => {
    const user = r.pick(users);
    const type = r.pick(types);
    const offset = r.pick(offsets);
    const sign = offset.startsWith('-') ? -1 : 1;
    const shift = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000;
    const local = iso(at + shift).replace('Z', offset);
    const properties: Record<string, unknown> =
      type === 'page_view'
        ? { path: r.pick(pages), referrer: r.pick(['google', 'newsletter', 'direct']) }
        : type === 'purchase'
          ? { plan: r.pick(['team', 'business']), amount_cents: r.int(1900, 49900), currency: 'EUR' }
          : type === 'feature_used'
            ? { feature: r.pick(['export_csv', 'dark_mode', 'sso', 'api_keys']) }
            : {};
    seq++;
    return {
      event_id: `evt_${pad(seq, 6)}_${Math.floor(r.next() * 0xffffff).toString(16)}`,
      organization_id: user.org,
      user_id: user.id,
      type,
      timestamp: local,
      properties,
      context: { app_version: r.pick(['4.2.0', '4.2.1', '4.3.0']), os: r.pick(['macOS', 'Windows', 'iOS', 'Android']) },
    };
  };
  const day1 = BASE + 19 * DAY + 8 * HOUR;
  const first = Array.from({ length: 200 }, (_, i) => event(day1 + i * 97_000));
  const second = Array.from({ length: 150 }, (_, i) => event(day1 + 6 * HOUR + i * 131_000));
  // The shipper retried a batch: the first event arrives again, enriched (a newer version of its key).
  second.push({ ...first[0], properties: { ...first[0].properties, retried: true } });
  const firstLines = first.map((e) => JSON.stringify(e));
  // A malformed line (truncated JSON) and an event without an id (a null key → rejected).
  firstLines.splice(100, 0, '{"event_id":"evt_broken","organization_id":"org_001","type":"page_vi');
  firstLines.splice(120, 0, JSON.stringify({ ...event(day1 + 3 * HOUR), event_id: null }));
  write('webapp/events/2026/11/20/events-0800.ndjson', firstLines.join('\n') + '\n');
  write('webapp/events/2026/11/20/events-1400.ndjson.gz', gzip(second.map((e) => JSON.stringify(e)).join('\n') + '\n'));
}

// ---------------------------------------------------------------- retail / retail_users (CSV) + retail_transactions (JSON)
function retail(): void {
  const r = prng(4);
  const countries = ['DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE', 'GB'];
  const header = ['user_id', 'name', 'email', 'country', 'signup_date', 'updated_at', 'marketing_opt_in'];
  const users = Array.from({ length: 200 }, (_, i) => {
    const name = fullName(r);
    const signup = BASE - r.int(30, 900) * DAY;
    return {
      id: 50_001 + i,
      name,
      email: email(name, 50_001 + i),
      country: r.pick(countries),
      signup: day(signup),
      updated: isoNoMs(BASE - r.int(1, 20) * DAY + r.int(0, 86_399) * 1000).replace('Z', ''),
      optIn: r.chance(0.4) ? 'true' : 'false',
    };
  });
  const row = (u: (typeof users)[number]) => [u.id, u.name, u.email, u.country, u.signup, u.updated, u.optIn];
  const full = users.map(row);
  // A key that cannot be cast to NUMBER (a typo in the export: letter O for zero): rejected.
  full[77][0] = '5OO78';
  const fullText = csv(header, full).split('\r\n');
  // A ragged row: an extra, unquoted comma in the name gives 8 fields instead of 7 → quarantined.
  fullText.splice(60, 0, '59999,Doe, Jane,jane.doe@example.com,FR,2025-02-01,2026-10-30T10:00:00,false');
  write('retail/retail_users/full/users-2026-11-01.csv', fullText.join('\r\n'));

  // Incremental export: 15 changed users (newer updated_at), 5 new ones and one late, OLDER version of
  // user 50001 (its updated_at predates the full export's): orderBy updated_at keeps the newer one.
  const changed = users.slice(1, 16).map((u) => ({
    ...u,
    email: email(u.name, u.id).replace('@example.com', '@mail.example.org'),
    updated: '2026-11-14T09:30:00',
  }));
  const added = Array.from({ length: 5 }, (_, i) => {
    const name = fullName(r);
    return {
      id: 50_201 + i,
      name,
      email: email(name, 50_201 + i),
      country: r.pick(countries),
      signup: '2026-11-12',
      updated: '2026-11-12T12:00:00',
      optIn: 'true',
    };
  });
  const late = { ...users[0], country: 'XX', updated: '2025-01-01T00:00:00' };
  write('retail/retail_users/incremental/users-2026-11-15.csv', csv(header, [...changed, ...added, late].map(row)));

  const channels = ['web', 'app', 'store'];
  const currencies = ['EUR', 'EUR', 'EUR', 'GBP', 'SEK'];
  const skus = ['SKU-1001', 'SKU-1002', 'SKU-2001', 'SKU-2002', 'SKU-3001'];
  const transactions = Array.from({ length: 300 }, (_, i) => {
    const items = Array.from({ length: r.int(1, 3) }, () => ({ sku: r.pick(skus), quantity: r.int(1, 3) }));
    return {
      transaction_id: `T${pad(700_001 + i, 8)}`,
      user_id: 50_001 + r.int(0, 199),
      amount: r.round(5 + r.next() * 240, 2),
      currency: r.pick(currencies),
      created_at: isoNoMs(BASE + r.int(0, 13 * 86_400) * 1000).replace('Z', ''),
      channel: r.pick(channels),
      items,
    };
  });
  // An amount in a European format: not a number. Not a key, so the row stays with amount NULL.
  (transactions[33] as { amount: number | string }).amount = '12,50';
  write('retail/retail_transactions/2026-11-14/transactions.json', JSON.stringify(transactions, null, 1) + '\n');
  // Two refunds re-export existing transactions with corrected amounts (newer versions).
  const refunds = [transactions[3], transactions[4]].map((t) => ({ ...t, amount: 0, refunded: true }));
  write('retail/retail_transactions/2026-11-15/refunds.json', JSON.stringify(refunds, null, 1) + '\n');
}

// ---------------------------------------------------------------- insurance (customers / products CSV, transactions JSON)
function insurance(): void {
  const r = prng(5);
  const regions = ['North', 'South', 'East', 'West', 'Central'];
  const customers = Array.from({ length: 150 }, (_, i) => {
    const first = firstName(r);
    const last = r.pick(LAST);
    const id = `CUST-${pad(i + 1, 5)}`;
    return [
      id,
      first,
      last,
      email(`${first} ${last}`, i + 1),
      day(Date.UTC(1950, 0, 1) + r.int(0, 50 * 365) * DAY),
      r.pick(regions),
    ];
  });
  const customerText = csv(
    ['customer_id', 'first_name', 'last_name', 'email', 'date_of_birth', 'region'],
    customers,
  ).split('\r\n');
  // A ragged row: the date of birth and region are missing.
  customerText.splice(90, 0, 'CUST-09999,Sam,Lee,sam.lee@example.com');
  write('insurance/insurance_customers/customers.csv', customerText.join('\r\n'));

  const catalogue = [
    ['P-HOME-BASIC', 'Home Basic', 'home', 18.5],
    ['P-HOME-PLUS', 'Home Plus', 'home', 29.9],
    ['P-CAR-TP', 'Car Third Party', 'motor', 34.0],
    ['P-CAR-COMP', 'Car Comprehensive', 'motor', 61.25],
    ['P-TRAVEL-EU', 'Travel Europe', 'travel', 6.9],
    ['P-TRAVEL-WW', 'Travel Worldwide', 'travel', 12.4],
    ['P-PET-CAT', 'Pet Cat', 'pet', 11.0],
    ['P-PET-DOG', 'Pet Dog', 'pet', 16.75],
    ['P-LIFE-10', 'Term Life 10y', 'life', 22.0],
    ['P-LIFE-20', 'Term Life 20y', 'life', 31.5],
    ['P-HEALTH-DENT', 'Dental', 'health', 9.8],
    ['P-HEALTH-OPT', 'Optical', 'health', 4.5],
  ] as const;
  const productHeader = ['product_id', 'name', 'category', 'monthly_premium'];
  write(
    'insurance/insurance_products/2026-11-01/products.csv',
    csv(
      productHeader,
      catalogue.map((p) => [...p]),
    ),
  );
  // A later price list: two products change premium (newer versions of existing keys).
  write(
    'insurance/insurance_products/2026-11-10/products.csv',
    csv(productHeader, [
      ['P-CAR-COMP', 'Car Comprehensive', 'motor', 64.0],
      ['P-PET-DOG', 'Pet Dog', 'pet', 17.5],
    ]),
  );

  const transactions = Array.from({ length: 250 }, (_, i) => {
    const basket = Array.from({ length: r.int(1, 3) }, () => {
      const [productId, , , premium] = r.pick(catalogue);
      const quantity = r.int(1, 2);
      return { product_id: productId, quantity, price: premium * quantity };
    });
    return {
      transaction_id: `TX-${pad(i + 1, 6)}`,
      customer_id: customers[r.int(0, customers.length - 1)][0],
      transaction_at: isoNoMs(BASE + r.int(0, 9 * 86_400) * 1000).replace('Z', ''),
      basket,
      total: r.round(
        basket.reduce((sum, b) => sum + b.price, 0),
        2,
      ),
      payment: { method: r.pick(['card', 'sepa', 'paypal']), status: 'settled' },
    };
  });
  write('insurance/insurance_transactions/2026-11-10/transactions.json', JSON.stringify(transactions, null, 1) + '\n');
  // An amended purchase: a product added to the basket later (newer version of TX-000010).
  const amended = {
    ...transactions[9],
    basket: [...transactions[9].basket, { product_id: 'P-TRAVEL-EU', quantity: 1, price: 6.9 }],
  };
  amended.total = r.round(amended.total + 6.9, 2);
  write('insurance/insurance_transactions/2026-11-11/amendments.json', JSON.stringify([amended], null, 1) + '\n');
}

for (const source of SOURCES) rmSync(join(ROOT, source), { recursive: true, force: true });
listings();
weather();
events();
fleet();
retail();
insurance();
const total = written.reduce((sum, f) => sum + f.bytes, 0);
for (const f of written) console.log(`${String(f.bytes).padStart(8)}  examples/${f.path}`);
console.log(`${String(total).padStart(8)}  total bytes in ${written.length} files`);
