/**
 * Schema drift of nested column paths through the real parser handler against a real local S3
 * server (issue 10, finding 6): a dataset reads its key from `device.id`; a producer that writes
 * `{"device":{"ID":…}}` makes that column NULL in every row, and the file manifest must say why.
 */
import { gunzipSync } from 'zlib';
import type { DatasetSpec } from '../../contracts/config';
import type { FileManifest } from '../../contracts/file-manifest';
import { BUCKETS, useParserBed } from './parser-harness';

const DEVICES: DatasetSpec[] = [
  {
    name: 'devices',
    format: 'ndjson',
    columns: [
      { name: 'device_id', type: 'VARCHAR', path: 'device.id' },
      { name: 'temp', type: 'NUMBER(6,2)', path: 'reading.value' },
      { name: 'site', type: 'VARCHAR' },
    ],
    primaryKey: ['device_id'],
  },
  {
    name: 'flat',
    format: 'csv',
    columns: [{ name: 'device_id', type: 'VARCHAR', path: 'device.id' }],
  },
];

const bed = useParserBed({ env: { DATASETS: JSON.stringify(DEVICES) } });

async function onlyManifest(): Promise<FileManifest> {
  const keys = await bed.server.list(BUCKETS.stage, 'manifests/');
  expect(keys).toHaveLength(1);
  const bytes = (await bed.server.get(BUCKETS.stage, keys[0]))!;
  return JSON.parse(gunzipSync(bytes).toString('utf8')) as FileManifest;
}

describe('parser: schema drift of nested column paths', () => {
  test('GIVEN NDJSON records with device.ID for the key path device.id WHEN processed THEN the manifest drift names device.id / device.ID', async () => {
    const body =
      '{"device":{"ID":"s1"},"reading":{"value":20.5},"site":"a"}\n{"device":{"ID":"s2"},"reading":{"value":21},"site":"b"}\n';
    expect(await bed.fx.deliver(await bed.fx.upload('acme/devices/d.ndjson', body))).toEqual({ batchItemFailures: [] });
    const manifest = await onlyManifest();
    expect(manifest).toMatchObject({ status: 'staged', rows_in: 2, rows_staged: 2, rows_quarantined: 0 });
    expect(manifest.drift).toEqual({
      missing_paths: [],
      unknown_keys: [],
      case_mismatches: [{ path: 'device.id', seen: 'device.ID' }],
    });
    // The stage lines are unchanged: the records as written.
    expect((await bed.fx.stageLines()).map((l) => l.record)).toEqual([
      { device: { ID: 's1' }, reading: { value: 20.5 }, site: 'a' },
      { device: { ID: 's2' }, reading: { value: 21 }, site: 'b' },
    ]);
  });

  test('GIVEN NDJSON records whose nested field was renamed WHEN processed THEN the manifest lists the nested path as missing', async () => {
    const body = '{"device":{"id":"s1"},"reading":{"val":20.5},"site":"a"}\n';
    await bed.fx.deliver(await bed.fx.upload('acme/devices/r.ndjson', body));
    expect((await onlyManifest()).drift).toEqual({
      missing_paths: ['reading.value'],
      unknown_keys: [],
      case_mismatches: [],
    });
  });

  test('GIVEN a CSV whose header has the top-level name WHEN processed THEN headers are flat: no nested check', async () => {
    await bed.fx.deliver(await bed.fx.upload('acme/flat/f.csv', 'device\nx\n'));
    expect((await onlyManifest()).drift).toEqual({ missing_paths: [], unknown_keys: [], case_mismatches: [] });
  });
});
