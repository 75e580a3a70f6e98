/**
 * File manifests written by the real parser against a real local S3 server: one per finished
 * object version (staged, quarantined, superseded), one gzip JSON line under `manifests/` in the
 * stage bucket, with deterministic key and bytes, and schema drift of the file.
 */
import { gunzipSync, gzipSync } from 'zlib';
import type { FileManifest } from '../../contracts/file-manifest';
import { BUCKETS, injectFailure, useParserBed } from './parser-harness';

const bed = useParserBed();

async function manifests(): Promise<{ key: string; bytes: Buffer; manifest: FileManifest }[]> {
  const out = [];
  for (const key of await bed.server.list(BUCKETS.stage, 'manifests/')) {
    const bytes = (await bed.server.get(BUCKETS.stage, key))!;
    const lines = gunzipSync(bytes).toString('utf8').split('\n');
    expect(lines).toHaveLength(2); // one JSON line, then the final newline
    expect(lines[1]).toBe('');
    out.push({ key, bytes, manifest: JSON.parse(lines[0]) as FileManifest });
  }
  return out;
}

const eventOf = (message: { Records: unknown[] }) =>
  message.Records[0] as { eventTime: string; s3: { object: { eTag: string; sequencer: string } } };

describe('parser: file manifests', () => {
  test('GIVEN a CSV with a ragged row, a key in the wrong case and an extra column WHEN processed THEN one manifest counts every row, lists its objects and reports the drift', async () => {
    const message = await bed.fx.upload('acme/orders/2026/a.csv', 'ID,extra\n1,x\n2\n3,y\n');
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });

    const [m, ...more] = await manifests();
    expect(more).toEqual([]);
    const date = new Date(eventOf(message).eventTime).toISOString();
    expect(m.key).toMatch(
      new RegExp(`^manifests/orders/${date.slice(0, 10)}/acme/2026_a\\.csv-[0-9a-f]{16}\\.manifest\\.json\\.gz$`),
    );
    const stage = await bed.server.list(BUCKETS.stage, 'data/');
    const quarantine = await bed.server.list(BUCKETS.quarantine);
    // Same name stem as the stage object: one layout for every output of a version.
    expect(m.key.replace('manifests/', '').replace('.manifest.json.gz', '')).toBe(
      stage[0].replace('data/', '').replace('.ndjson.gz', ''),
    );
    expect(m.manifest).toEqual({
      manifest_version: 1,
      source: 'acme',
      dataset: 'orders',
      source_key: 'acme/orders/2026/a.csv',
      version_id: null,
      received_at: date,
      status: 'staged',
      reason: null,
      rows_in: 3,
      rows_staged: 2,
      rows_quarantined: 1,
      stage_objects: stage,
      quarantine_objects: quarantine,
      drift: { missing_paths: [], unknown_keys: ['extra'], case_mismatches: [{ path: 'id', seen: 'ID' }] },
    });
  });

  test('GIVEN NDJSON records whose keys vary WHEN processed THEN the drift lists every top-level key any record had beyond the spec', async () => {
    await bed.fx.deliver(await bed.fx.upload('acme/events/e.ndjson', '{"id":1,"b":{"id":2}}\n{"id":2,"a":1}\n'));
    const [{ manifest }] = await manifests();
    expect(manifest.drift).toEqual({ missing_paths: [], unknown_keys: ['a', 'b'], case_mismatches: [] });
    expect(manifest).toMatchObject({ status: 'staged', rows_in: 2, rows_staged: 2, rows_quarantined: 0 });
  });

  test('GIVEN a file for an unknown dataset WHEN processed THEN its manifest says quarantined with the reason and the report, and no drift', async () => {
    await bed.fx.deliver(await bed.fx.upload('acme/nope/x.csv', 'id\n1\n'));
    const [{ key, manifest }] = await manifests();
    expect(key).toMatch(/^manifests\/_unrouted\/\d{4}-\d{2}-\d{2}\/acme\//);
    expect(manifest).toMatchObject({
      source: 'acme',
      dataset: null,
      status: 'quarantined',
      reason: 'UNKNOWN_DATASET',
      rows_in: 0,
      rows_staged: 0,
      stage_objects: [],
      quarantine_objects: await bed.server.list(BUCKETS.quarantine),
      drift: null,
    });
    expect(manifest.quarantine_objects[0]).toMatch(/\.file\.json$/);
  });

  test('GIVEN a truncated gzip WHEN processed THEN the manifest says quarantined CORRUPT_GZIP with nothing staged', async () => {
    const gz = gzipSync(Buffer.from('id\n' + '1\n'.repeat(5000)));
    await bed.fx.deliver(await bed.fx.upload('acme/orders/t.csv.gz', gz.subarray(0, gz.length - 20)));
    const [{ manifest }] = await manifests();
    expect(manifest).toMatchObject({
      status: 'quarantined',
      reason: 'CORRUPT_GZIP',
      rows_staged: 0,
      stage_objects: [],
    });
    expect(await bed.server.list(BUCKETS.stage, 'data/')).toEqual([]);
  });

  test('GIVEN a processed file WHEN its event is delivered again THEN the manifest object is byte-identical and still alone', async () => {
    const message = await bed.fx.upload('acme/orders/b.csv', 'id\n1\n2\n');
    await bed.fx.deliver(message);
    const first = await manifests();
    // The original is gone from inbound; a redelivery after it was re-put with the same bytes is a new
    // version, so put the same object back under the same event to replay the exact delivery.
    await bed.server.put(BUCKETS.inbound, 'acme/orders/b.csv', 'id\n1\n2\n');
    const again = { Records: message.Records.map((r) => ({ ...(r as object) })) };
    await bed.fx.deliver(again);
    const second = await manifests();
    expect(second.map((m) => m.key)).toEqual(first.map((m) => m.key));
    expect(second[0].bytes.equals(first[0].bytes)).toBe(true);
  });

  test('GIVEN the archive copy fails once after the outputs WHEN the message is retried THEN the manifest was written before the archive and the retry rewrites the same bytes', async () => {
    injectFailure(bed.fx.s3, 'CopyObjectCommand');
    const message = await bed.fx.upload('acme/orders/c.csv', 'id\n1\n');
    expect((await bed.fx.deliver(message)).batchItemFailures).toHaveLength(1);
    const before = await manifests();
    expect(before).toHaveLength(1);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([]);
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });
    const after = await manifests();
    expect(after[0].bytes.equals(before[0].bytes)).toBe(true);
    expect(await bed.server.list(BUCKETS.archive)).toHaveLength(1);
  });

  test('GIVEN an event whose object was overwritten before it was read WHEN processed THEN a superseded manifest with no rows, and the newer version gets its own', async () => {
    const old = await bed.fx.upload('acme/orders/o.csv', 'id\n1\n');
    const newer = await bed.fx.upload('acme/orders/o.csv', 'id\n2\n');
    await bed.fx.deliver(old);
    const [only] = await manifests();
    expect(only.manifest).toMatchObject({
      status: 'superseded',
      reason: 'SUPERSEDED',
      rows_in: 0,
      stage_objects: [],
      received_at: new Date(eventOf(old).eventTime).toISOString(),
    });
    await bed.fx.deliver(newer);
    const all = await manifests();
    expect(all.map((m) => m.manifest.status).sort()).toEqual(['staged', 'superseded']);
  });
});
