/**
 * Generated benchmark inputs (never committed): CSV shaped like the Airbnb `listings.csv`
 * (quoted free text with commas, doubled quotes and line breaks, JSON-ish amenities, URLs, numbers,
 * dates) and NDJSON product events (nested objects, arrays, big integers, decimals).
 */
import { createWriteStream } from 'fs';
import { once } from 'events';

/** Small deterministic PRNG (mulberry32), so every run generates the same bytes (the parser tests' random inputs too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'cozy bright spacious quiet central modern charming loft studio garden view walk metro beach park cafe ' +
  'restaurants family friendly historic renovated balcony terrace sunny private room entire home apartment ' +
  'near downtown perfect couples business travellers fast wifi kitchen washer parking café naïve Zürich'.split(' ');
const AMENITIES = [
  'Wifi',
  'Kitchen',
  'Washer',
  'Hair dryer',
  'Heating',
  'Dedicated workspace',
  'TV',
  'Iron',
  'Essentials',
];
const NEIGHBOURHOODS = ['Centrum-West', 'De Pijp - Rivierenbuurt', 'Oud-Oost', 'Westerpark', 'Zuid', 'Bos en Lommer'];

function words(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (i ? ' ' : '') + WORDS[Math.floor(r() * WORDS.length)];
  return s;
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const LISTING_HEADER = [
  'id',
  'listing_url',
  'scrape_id',
  'last_scraped',
  'name',
  'description',
  'neighborhood_overview',
  'picture_url',
  'host_id',
  'host_name',
  'host_since',
  'host_location',
  'host_about',
  'host_response_rate',
  'host_is_superhost',
  'neighbourhood_cleansed',
  'latitude',
  'longitude',
  'property_type',
  'room_type',
  'accommodates',
  'bathrooms_text',
  'bedrooms',
  'beds',
  'amenities',
  'price',
  'minimum_nights',
  'maximum_nights',
  'availability_365',
  'number_of_reviews',
  'first_review',
  'last_review',
  'review_scores_rating',
  'license',
  'instant_bookable',
  'calculated_host_listings_count',
  'reviews_per_month',
];

function listingRow(r: () => number, i: number): string {
  const id = String(10_000_000_000_000_000n + BigInt(i) * 7919n);
  const hostId = 1000 + Math.floor(r() * 5_000_000);
  const amenities = JSON.stringify(AMENITIES.filter(() => r() < 0.6));
  const f = [
    id,
    `https://www.airbnb.com/rooms/${id}`,
    '20240315023451',
    '2024-03-15',
    `${words(r, 3)}, ${words(r, 2)} "${words(r, 1)}"`,
    `${words(r, 25)}.\n\nThe space: ${words(r, 20)}, ${words(r, 10)}.`,
    r() < 0.3 ? '' : `${words(r, 15)}<br />${words(r, 8)}`,
    `https://a0.muscache.com/pictures/${hostId}/${Math.floor(r() * 1e9)}.jpg`,
    String(hostId),
    words(r, 1),
    `20${10 + Math.floor(r() * 14)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    'Amsterdam, Netherlands',
    r() < 0.5 ? '' : words(r, 30),
    `${Math.floor(r() * 100)}%`,
    r() < 0.3 ? 't' : 'f',
    NEIGHBOURHOODS[Math.floor(r() * NEIGHBOURHOODS.length)],
    (52.3 + r() * 0.1).toFixed(5),
    (4.8 + r() * 0.15).toFixed(5),
    'Entire rental unit',
    r() < 0.7 ? 'Entire home/apt' : 'Private room',
    String(1 + Math.floor(r() * 6)),
    `${1 + Math.floor(r() * 2)} bath`,
    String(1 + Math.floor(r() * 3)),
    String(1 + Math.floor(r() * 4)),
    amenities,
    `$${(50 + r() * 400).toFixed(2)}`,
    String(1 + Math.floor(r() * 5)),
    String(30 + Math.floor(r() * 1095)),
    String(Math.floor(r() * 365)),
    String(Math.floor(r() * 600)),
    '2019-05-12',
    '2024-02-28',
    (3 + r() * 2).toFixed(2),
    `0363 ${Math.floor(r() * 1e4)} ${Math.floor(r() * 1e4)}`,
    r() < 0.5 ? 't' : 'f',
    String(1 + Math.floor(r() * 3)),
    (r() * 5).toFixed(2),
  ];
  return f.map(csvField).join(',') + '\r\n';
}

function eventLine(r: () => number, i: number): string {
  const event = {
    event_id: `evt_${i.toString(36)}_${Math.floor(r() * 1e12).toString(36)}`,
    event_type: ['page_view', 'add_to_cart', 'purchase', 'search'][Math.floor(r() * 4)],
    occurred_at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    user: { id: 1_000_000 + Math.floor(r() * 9_000_000), country: 'NL', agent: `Mozilla/5.0 ${words(r, 4)}` },
    session: { id: Math.floor(r() * 1e15).toString(16), page: `/p/${words(r, 2).replace(/ /g, '-')}` },
    items: Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
      sku: `SKU-${Math.floor(r() * 1e6)}`,
      qty: 1 + Math.floor(r() * 3),
      price: Number((r() * 200).toFixed(2)),
    })),
    search: r() < 0.3 ? words(r, 3) : null,
  };
  // A raw big integer (> 2^53) and a decimal with trailing zero: must survive digit for digit.
  return (
    JSON.stringify(event).replace(
      /^\{/,
      `{"order_ref":${90071992547409930n + BigInt(i)},"amount":${(r() * 1000).toFixed(2)}0,`,
    ) + '\n'
  );
}

/** Writes about `megabytes` MB of generated input to `path`; returns its exact size. */
export async function generateInput(kind: 'csv' | 'ndjson', path: string, megabytes: number): Promise<number> {
  const r = rng(42);
  const out = createWriteStream(path);
  const target = megabytes * 1024 * 1024;
  let size = 0;
  let i = 0;
  let buf = kind === 'csv' ? LISTING_HEADER.join(',') + '\r\n' : '';
  while (size + buf.length < target) {
    buf += kind === 'csv' ? listingRow(r, i++) : eventLine(r, i++);
    if (buf.length > 4 * 1024 * 1024) {
      const bytes = Buffer.from(buf, 'utf8');
      size += bytes.length;
      if (!out.write(bytes)) await once(out, 'drain');
      buf = '';
    }
  }
  const bytes = Buffer.from(buf, 'utf8');
  size += bytes.length;
  out.end(bytes);
  await once(out, 'finish');
  return size;
}
