/**
 * `rows_in` of a file quarantined as a whole (contracts/file-manifest.ts): the records read before the
 * error, none staged — here a gzip whose deflate data is complete but whose trailer (CRC, size) is cut off,
 * so every record is read before the decompressor fails at the end.
 */
import { gunzipSync, gzipSync } from 'zlib';
import type { FileManifest } from '../../contracts/file-manifest';
import { BUCKETS, useParserBed } from './parser-harness';

const bed = useParserBed();

test('GIVEN a gzip CSV of 3000 records with its 8-byte trailer cut off WHEN processed THEN the manifest says quarantined CORRUPT_GZIP, rows_in 3000 (read before the error), rows_staged 0', async () => {
  const records = 3000;
  const gz = gzipSync(Buffer.from('id\n' + Array.from({ length: records }, (_, i) => `${i + 1}\n`).join('')));
  await bed.fx.deliver(await bed.fx.upload('acme/orders/trailer.csv.gz', gz.subarray(0, gz.length - 8)));
  const keys = await bed.server.list(BUCKETS.stage, 'manifests/');
  expect(keys).toHaveLength(1);
  const manifest = JSON.parse(
    gunzipSync((await bed.server.get(BUCKETS.stage, keys[0]))!).toString('utf8'),
  ) as FileManifest;
  expect(manifest).toMatchObject({
    status: 'quarantined',
    reason: 'CORRUPT_GZIP',
    rows_in: records,
    rows_staged: 0,
    rows_quarantined: 0,
    stage_objects: [],
  });
  expect(manifest.quarantine_objects).toHaveLength(1);
  expect(await bed.server.list(BUCKETS.stage, 'data/')).toEqual([]);
});
