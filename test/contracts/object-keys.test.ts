import { parseArchiveKey, routedArchiveKey, unroutedArchiveKey } from '../../contracts/archive-keys';
import {
  manifestDirectory,
  parseQuarantineKey,
  parseStageKey,
  quarantineDirectory,
  stageDatasetPrefix,
  stageDirectory,
  stagePipeDataset,
} from '../../contracts/object-keys';
import { objectNames, routeKey, type ObjectVersion } from '../../lambda/parser/object-names';
import type { DatasetSpec } from '../../contracts/config';

describe('stage and quarantine key layout (one module builds and parses it)', () => {
  test('GIVEN a dataset, date and source WHEN the directories are built THEN they follow the documented layout', () => {
    expect(stageDatasetPrefix('orders')).toBe('data/orders/');
    expect(stageDirectory('orders', '2024-05-06', 'acme')).toBe('data/orders/2024-05-06/acme/');
    expect(quarantineDirectory('orders', '2024-05-06', 'acme')).toBe('quarantine/orders/2024-05-06/acme/');
    expect(manifestDirectory('orders', '2024-05-06', 'acme')).toBe('manifests/orders/2024-05-06/acme/');
  });

  test('GIVEN any object under a dataset prefix WHEN asked which pipe loads it THEN that dataset, as Snowpipe reads the whole prefix', () => {
    expect(stagePipeDataset('data/orders/a.ndjson.gz')).toBe('orders');
    expect(stagePipeDataset('data/orders/2024-05-06/acme/x.ndjson.gz')).toBe('orders');
    expect(stagePipeDataset('data/orders/')).toBeUndefined();
    expect(stagePipeDataset('quarantine/orders/a.json')).toBeUndefined();
  });

  test('GIVEN keys the parser writes WHEN parsed THEN dataset, date, source and name come back', () => {
    expect(parseStageKey('data/orders/2024-05-06/acme/x-0123.part-0002.ndjson.gz')).toEqual({
      dataset: 'orders',
      date: '2024-05-06',
      source: 'acme',
      name: 'x-0123.part-0002.ndjson.gz',
    });
    expect(parseQuarantineKey('quarantine/_unrouted/2024-05-06/_unknown/y.file.json')).toEqual({
      dataset: '_unrouted',
      date: '2024-05-06',
      source: '_unknown',
      name: 'y.file.json',
    });
  });

  test.each([
    'quarantine/orders/2024-05-06/acme/x.json', // wrong prefix for a stage key
    'data/orders/x.ndjson.gz', // no date, no source
    'data/orders/2024-5-6/acme/x.ndjson.gz', // not YYYY-MM-DD
    'data/orders/2024-05-06/acme/', // no file name
  ])('GIVEN %j WHEN parsed as a stage key THEN it is not one', (key) => {
    expect(parseStageKey(key)).toBeUndefined();
  });

  test('GIVEN the parser’s names for an upload WHEN parsed back THEN they name the same upload', () => {
    const orders: DatasetSpec = { name: 'orders', format: 'csv', columns: [{ name: 'id', type: 'VARCHAR' }] };
    const v: ObjectVersion = {
      bucket: 'in',
      key: 'acme/orders/2024/05/x.csv',
      size: 1,
      eTag: 'e1',
      sequencer: '0A',
      receivedAt: '2024-05-06T10:00:00.000Z',
    };
    const names = objectNames(v, routeKey(v.key, new Map([['orders', orders]]), undefined));
    expect(parseStageKey(names.stageKey(0))).toMatchObject({ dataset: 'orders', date: '2024-05-06', source: 'acme' });
    expect(parseQuarantineKey(names.rejectsKey)).toMatchObject({ dataset: 'orders', source: 'acme' });
    expect(parseArchiveKey(names.archiveKey)).toMatchObject({
      source: 'acme',
      dataset: 'orders',
      date: '2024-05-06',
      inboundKey: 'acme/orders/2024/05/x.csv',
      unrouted: false,
    });
  });
});

describe('archive key layout', () => {
  test('GIVEN routed and unroutable uploads WHEN their archive keys are built and parsed THEN the original key comes back', () => {
    const routed = routedArchiveKey('acme', 'orders', '2024-05-06', 'v1', 'a/b.csv');
    expect(routed).toBe('acme/orders/dt=2024-05-06/v1/a/b.csv');
    expect(parseArchiveKey(routed)).toMatchObject({ inboundKey: 'acme/orders/a/b.csv', versionTag: 'v1' });
    const unrouted = unroutedArchiveKey('2024-05-06', 'v2', 'beta/nope/c.csv');
    expect(unrouted).toBe('_unrouted/dt=2024-05-06/v2/beta/nope/c.csv');
    expect(parseArchiveKey(unrouted)).toMatchObject({ inboundKey: 'beta/nope/c.csv', unrouted: true, source: 'beta' });
  });
});
