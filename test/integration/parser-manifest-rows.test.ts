/**
 * `rows_in` of a file quarantined as a whole (contracts/file-manifest.ts): the records read before the
 * error, none staged — here a gzip whose deflate data is complete but whose trailer (CRC, size) is cut off,
 * so every record is read before the decompressor fails at the end.
 */
import { gunzipSync, gzipSync } from 'zlib';
import type { FileManifest } from '../../contracts/file-manifest';
import { startS3Server } from '../support/s3-server';
import type { S3TestServer } from '../support/s3-server';
import { BUCKETS, ParserFixture } from './parser-harness';

const savedEnv = { ...process.env };
let server: S3TestServer;
let fx: ParserFixture;

beforeEach(async () => {
  server = await startS3Server({ buckets: Object.values(BUCKETS) });
  Object.assign(process.env, server.env, { POWERTOOLS_METRICS_DISABLED: 'true' });
  fx = new ParserFixture(server);
});

afterEach(async () => {
  fx.s3.destroy();
  await server.stop();
  process.env = { ...savedEnv };
});

test('GIVEN a gzip CSV of 3000 records with its 8-byte trailer cut off WHEN processed THEN the manifest says quarantined CORRUPT_GZIP, rows_in 3000 (read before the error), rows_staged 0', async () => {
  const records = 3000;
  const gz = gzipSync(Buffer.from('id\n' + Array.from({ length: records }, (_, i) => `${i + 1}\n`).join('')));
  await fx.deliver(await fx.upload('acme/orders/trailer.csv.gz', gz.subarray(0, gz.length - 8)));
  const keys = await server.list(BUCKETS.stage, 'manifests/');
  expect(keys).toHaveLength(1);
  const manifest = JSON.parse(gunzipSync((await server.get(BUCKETS.stage, keys[0]))!).toString('utf8')) as FileManifest;
  expect(manifest).toMatchObject({
    status: 'quarantined',
    reason: 'CORRUPT_GZIP',
    rows_in: records,
    rows_staged: 0,
    rows_quarantined: 0,
    stage_objects: [],
  });
  expect(manifest.quarantine_objects).toHaveLength(1);
  expect(await server.list(BUCKETS.stage, 'data/')).toEqual([]);
});
