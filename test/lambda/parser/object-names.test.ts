import type { DatasetSpec } from '../../../contracts/config';
import { objectNames, routeKey } from '../../../lambda/parser/object-names';
import type { ObjectVersion } from '../../../lambda/parser/object-names';
import { resolveFormat } from '../../../lambda/parser/formats';

const orders: DatasetSpec = { name: 'orders', format: 'auto', columns: [{ name: 'id', type: 'VARCHAR' }] };
const datasets = new Map([['orders', orders]]);
const version: ObjectVersion = {
  bucket: 'in',
  key: 'acme/orders/2024/05/file one.csv.gz',
  size: 1,
  eTag: 'e1',
  sequencer: '0A',
  receivedAt: '2024-05-06T23:59:59.999Z',
};

describe('routing and names', () => {
  test.each([
    ['acme/orders/x.csv', { ok: true, source: 'acme', rest: 'x.csv' }],
    ['acme/orders/a/b/x.csv', { ok: true, source: 'acme', rest: 'a/b/x.csv' }],
    ['acme/x.csv', { ok: false, reason: 'NO_DATASET_SEGMENT', source: 'acme' }],
    ['acme/orders/', { ok: false, reason: 'NO_DATASET_SEGMENT' }],
    ['acme//x.csv', { ok: false, reason: 'NO_DATASET_SEGMENT' }],
    ['ACME/orders/x.csv', { ok: false, reason: 'UNKNOWN_SOURCE' }],
    ['acme/other/x.csv', { ok: false, reason: 'UNKNOWN_DATASET', source: 'acme' }],
  ])('GIVEN key %j WHEN routed THEN %j', (key, expected) => {
    expect(routeKey(key, datasets, undefined)).toMatchObject(expected);
  });

  test('GIVEN a known-sources list WHEN the source is not in it THEN UNKNOWN_SOURCE', () => {
    expect(routeKey('beta/orders/x.csv', datasets, new Map([['acme', '*' as const]]))).toMatchObject({
      ok: false,
      reason: 'UNKNOWN_SOURCE',
    });
  });

  test('GIVEN dataset allowlists WHEN a source writes a dataset outside its list THEN DATASET_NOT_ALLOWED; inside or "*" THEN routed', () => {
    const withEvents = new Map([...datasets, ['events', { ...orders, name: 'events' }]]);
    const sources = new Map<string, ReadonlySet<string> | '*'>([
      ['acme', new Set(['orders'])],
      ['beta', '*'],
    ]);
    expect(routeKey('acme/events/x.csv', withEvents, sources)).toEqual({
      ok: false,
      reason: 'DATASET_NOT_ALLOWED',
      message: 'source "acme" may not write dataset "events"',
      source: 'acme',
    });
    expect(routeKey('acme/orders/x.csv', withEvents, sources)).toMatchObject({ ok: true, source: 'acme' });
    expect(routeKey('beta/events/x.csv', withEvents, sources)).toMatchObject({ ok: true, source: 'beta' });
    // An unknown dataset stays UNKNOWN_DATASET, whatever the allowlist says.
    expect(routeKey('acme/nope/x.csv', withEvents, sources)).toMatchObject({ ok: false, reason: 'UNKNOWN_DATASET' });
  });

  test('GIVEN a routed version WHEN named THEN stage, quarantine and archive keys follow the documented layout', () => {
    const names = objectNames(version, routeKey(version.key, datasets, undefined));
    expect(names.versionTag).toBe('e1-0A');
    expect(names.stageKey(0)).toMatch(
      /^data\/orders\/2024-05-06\/acme\/2024_05_file_one\.csv-[0-9a-f]{16}\.ndjson\.gz$/,
    );
    expect(names.stageKey(1)).toBe(names.stageKey(0).replace('.ndjson.gz', '.part-0002.ndjson.gz'));
    expect(names.rejectsKey).toMatch(
      /^quarantine\/orders\/2024-05-06\/acme\/2024_05_file_one\.csv-[0-9a-f]{16}\.rejects\.ndjson$/,
    );
    expect(names.archiveKey).toBe('acme/orders/dt=2024-05-06/e1-0A/2024/05/file one.csv.gz');
  });

  test('GIVEN another sequencer or a version id WHEN named THEN different names; the same version THEN the same names', () => {
    const route = routeKey(version.key, datasets, undefined);
    const a = objectNames(version, route);
    expect(objectNames({ ...version }, route).stageKey(0)).toBe(a.stageKey(0));
    expect(objectNames({ ...version, sequencer: '0B' }, route).stageKey(0)).not.toBe(a.stageKey(0));
    const versioned = objectNames({ ...version, versionId: 'abc.DEF_1' }, route);
    expect(versioned.archiveKey).toBe('acme/orders/dt=2024-05-06/abc.DEF_1/2024/05/file one.csv.gz');
    // The version id alone names the version: eTag and sequencer do not change its names.
    expect(objectNames({ ...version, versionId: 'abc.DEF_1', sequencer: '0B' }, route).stageKey(0)).toBe(
      versioned.stageKey(0),
    );
    // S3 version ids may hold `+` and `/`: never an extra path segment.
    expect(objectNames({ ...version, versionId: 'a+b/c' }, route).versionTag).toBe('a_b_c');
  });

  test('GIVEN an unroutable key WHEN named THEN _unrouted archive and quarantine prefixes', () => {
    const v = { ...version, key: 'x.csv' };
    const names = objectNames(v, routeKey(v.key, datasets, undefined));
    expect(names.archiveKey).toBe('_unrouted/dt=2024-05-06/e1-0A/x.csv');
    expect(names.fileReportKey).toMatch(
      /^quarantine\/_unrouted\/2024-05-06\/_unknown\/x\.csv-[0-9a-f]{16}\.file\.json$/,
    );
  });
});

describe('format sniffing (auto)', () => {
  test.each([
    ['  [{"a":1}]', 'json'],
    ['{"a":1}\n{"a":2}\n', 'ndjson'],
    ['{\n  "a": 1\n}\n', 'json'],
    ['a\tb\tc\n1\t2\t3\n', 'tsv'],
    ['a,b\tc\n', 'csv'],
    ['a,b,c\n', 'csv'],
  ])('GIVEN %j WHEN sniffed THEN %s', (sample, format) => {
    expect(resolveFormat(orders, sample, true)).toBe(format);
  });

  test('GIVEN an incomplete first line WHEN more may follow THEN undecided; a fixed format never sniffs', () => {
    expect(resolveFormat(orders, 'a,b', false)).toBeUndefined();
    expect(resolveFormat(orders, '{"a":', false)).toBeUndefined();
    expect(resolveFormat({ ...orders, format: 'ndjson' }, 'a,b', false)).toBe('ndjson');
  });
});
