/**
 * The parser on a VERSIONED inbound bucket (as deployed): events carry `versionId`, and every request
 * the parser makes about the object must name exactly that version. The local S3 gives the inbound
 * bucket version ids (`versionedBuckets`) and records every request it receives (`onRequest`).
 */
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { loadParserConfig } from '../../lambda/parser/config';
import type { ObjectVersion } from '../../lambda/parser/object-names';
import { processObject } from '../../lambda/parser/process-object';
import { parseS3Message } from '../../lambda/parser/s3-events';
import { createS3Client } from '../../lambda/shared/s3-client';
import type { LocalS3Request } from '../support/s3-server';
import { awsEncodeKey, BUCKETS, TEST_DATASETS, useParserBed } from './parser-harness';

let requests: LocalS3Request[];
beforeEach(() => {
  requests = [];
});
const bed = useParserBed({ s3: { versionedBuckets: [BUCKETS.inbound], onRequest: (r) => requests.push(r) } });

/** Uploads one version and returns its version id and the notification S3 sends for it (versionId included). */
async function uploadVersion(key: string, body: string): Promise<{ versionId: string; message: unknown }> {
  bed.server.clearEvents();
  const out = await bed.server.client.send(new PutObjectCommand({ Bucket: BUCKETS.inbound, Key: key, Body: body }));
  const versionId = out.VersionId!;
  const records = bed.server.events
    .filter((e) => e.eventName.startsWith('ObjectCreated'))
    .map((r) => ({ ...r, s3: { ...r.s3, object: { ...r.s3.object, key: awsEncodeKey(r.s3.object.key), versionId } } }));
  return { versionId, message: { Records: records } };
}

/** The requests about `key` of the inbound bucket, and the archive copies whose source is that key. */
function requestsFor(key: string) {
  const inbound = requests.filter((r) => r.bucket === BUCKETS.inbound && r.key === key);
  const copies = requests.filter(
    (r) => r.bucket === BUCKETS.archive && r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined,
  );
  return {
    reads: inbound.filter((r) => r.method === 'GET' || r.method === 'HEAD'),
    deletes: inbound.filter((r) => r.method === 'DELETE'),
    copies,
  };
}

/** The fixture's configuration, for calling processObject directly (its outcome names the status). */
const parserConfig = () =>
  loadParserConfig({
    INBOUND_BUCKET: BUCKETS.inbound,
    STAGE_BUCKET: BUCKETS.stage,
    ARCHIVE_BUCKET: BUCKETS.archive,
    QUARANTINE_BUCKET: BUCKETS.quarantine,
    DATASETS: JSON.stringify(TEST_DATASETS),
  });

const copySourceOf = (key: string, versionId: string) =>
  `${BUCKETS.inbound}/${key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(versionId)}`;

describe('parser: versioned inbound bucket', () => {
  test('GIVEN an event with a versionId WHEN processed THEN GetObject, the archive copy source and DeleteObject name exactly that version, with no eTag conditions', async () => {
    const key = 'acme/orders/2024/v 1.csv';
    const { versionId, message } = await uploadVersion(key, 'id\n1\n2\n');
    requests.splice(0);

    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });

    const { reads, deletes, copies } = requestsFor(key);
    expect(reads.map((r) => [r.method, r.query.versionId, r.headers['if-match']])).toEqual([
      ['GET', versionId, undefined],
    ]);
    expect(copies).toHaveLength(1);
    expect(copies[0].headers['x-amz-copy-source']).toBe(copySourceOf(key, versionId));
    // A version never changes: no x-amz-copy-source-if-match (it would only ever be true).
    expect(copies[0].headers['x-amz-copy-source-if-match']).toBeUndefined();
    expect(deletes.map((r) => [r.query.versionId, r.headers['if-match']])).toEqual([[versionId, undefined]]);

    // The archive key's version tag is the version id; the copy records it.
    const date = (await bed.fx.stageLines())[0].received_at.slice(0, 10);
    const archiveKey = `acme/orders/dt=${date}/${versionId}/2024/v 1.csv`;
    expect(copies[0].key).toBe(archiveKey);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([archiveKey]);
    expect((await bed.server.get(BUCKETS.archive, archiveKey))!.toString()).toBe('id\n1\n2\n');
    const head = await bed.server.client.send(new HeadObjectCommand({ Bucket: BUCKETS.archive, Key: archiveKey }));
    expect(head.Metadata).toMatchObject({ 'original-version-id': versionId });
    expect((await bed.fx.stageLines()).map((l) => l.record)).toEqual([{ id: '1' }, { id: '2' }]);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
  });

  test('GIVEN two versions of the same key WHEN each event is processed THEN two archive copies under their own version ids and distinct stage names', async () => {
    const key = 'acme/orders/same.csv';
    const first = await uploadVersion(key, 'id\n1\n');
    expect(await bed.fx.deliver(first.message)).toEqual({ batchItemFailures: [] });
    const second = await uploadVersion(key, 'id\n2\n');
    expect(second.versionId).not.toBe(first.versionId);
    expect(await bed.fx.deliver(second.message)).toEqual({ batchItemFailures: [] });

    const archived = await bed.server.list(BUCKETS.archive);
    expect(archived).toHaveLength(2);
    const byVersion = Object.fromEntries(archived.map((k) => [k.split('/')[3], k]));
    expect((await bed.server.get(BUCKETS.archive, byVersion[first.versionId]))!.toString()).toBe('id\n1\n');
    expect((await bed.server.get(BUCKETS.archive, byVersion[second.versionId]))!.toString()).toBe('id\n2\n');
    const stageKeys = await bed.server.list(BUCKETS.stage, 'data/');
    expect(stageKeys).toHaveLength(2);
    expect(new Set(stageKeys.map((k) => k.replace(/-[0-9a-f]{16}\.ndjson\.gz$/, ''))).size).toBe(1); // same slug
    expect((await bed.fx.stageLines()).map((l) => l.record.id).sort()).toEqual(['1', '2']);
    expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
  });

  test('GIVEN the version is gone WHEN its event arrives THEN already-done when the archive holds it (crash after the delete), else missing; never retried', async () => {
    const config = parserConfig();
    const s3 = createS3Client();
    try {
      const versionOf = (message: unknown): ObjectVersion => parseS3Message(JSON.stringify(message)).objects[0];
      const done = await uploadVersion('acme/orders/done.csv', 'id\n1\n');
      expect((await processObject({ s3, config }, versionOf(done.message))).status).toBe('staged');
      const before = await bed.fx.snapshot();
      requests.splice(0);

      // S3 answers NoSuchVersion (not NoSuchKey) for a version deleted by its id.
      expect((await processObject({ s3, config }, versionOf(done.message))).status).toBe('already-done');
      expect(requestsFor('acme/orders/done.csv').reads.map((r) => r.query.versionId)).toEqual([done.versionId]);
      expect(await bed.fx.snapshot()).toEqual(before);
      expect(await bed.fx.deliver(done.message)).toEqual({ batchItemFailures: [] });

      const lost = await uploadVersion('acme/orders/lost.csv', 'id\n1\n');
      await s3.send(
        new DeleteObjectCommand({ Bucket: BUCKETS.inbound, Key: 'acme/orders/lost.csv', VersionId: lost.versionId }),
      );
      expect((await processObject({ s3, config }, versionOf(lost.message))).status).toBe('missing');
      expect(await bed.fx.deliver(lost.message)).toEqual({ batchItemFailures: [] });
      expect(await bed.fx.snapshot()).toEqual(before);
    } finally {
      s3.destroy();
    }
  });

  test('GIVEN a concurrent delivery of the same version finishes between the read and the archive copy WHEN the copy finds no version THEN already-done, one archive copy', async () => {
    const config = parserConfig();
    const [slow, fast] = [createS3Client(), createS3Client()];
    try {
      const { message } = await uploadVersion('acme/orders/twice.csv', 'id\n1\n');
      const v = parseS3Message(JSON.stringify(message)).objects[0];
      let other: Promise<string> | undefined;
      slow.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'CopyObjectCommand' && other === undefined) {
            other = processObject({ s3: fast, config }, v).then((o) => o.status);
            await other;
          }
          return next(args);
        },
        { step: 'initialize', name: 'concurrent-delivery' },
      );

      expect((await processObject({ s3: slow, config }, v)).status).toBe('already-done');
      expect(await other).toBe('staged');
      expect(await bed.server.list(BUCKETS.archive)).toHaveLength(1);
      expect(await bed.server.list(BUCKETS.inbound)).toEqual([]);
    } finally {
      slow.destroy();
      fast.destroy();
    }
  });

  test('GIVEN an unroutable key with a versionId WHEN processed THEN HeadObject and DeleteObject name the version, and the archive copy sits under it in _unrouted', async () => {
    const key = 'nowhere.csv';
    const { versionId, message } = await uploadVersion(key, 'id\n1\n');
    requests.splice(0);
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });

    const { reads, deletes, copies } = requestsFor(key);
    expect(reads.map((r) => [r.method, r.query.versionId, r.headers['if-match']])).toEqual([
      ['HEAD', versionId, undefined],
    ]);
    expect(copies.map((c) => [c.headers['x-amz-copy-source'], c.headers['x-amz-copy-source-if-match']])).toEqual([
      [copySourceOf(key, versionId), undefined],
    ]);
    expect(deletes.map((r) => [r.query.versionId, r.headers['if-match']])).toEqual([[versionId, undefined]]);
    expect(await bed.server.list(BUCKETS.archive)).toEqual([
      expect.stringMatching(`^_unrouted/dt=[\\d-]+/${versionId}/${key}$`),
    ]);
    expect(await bed.fx.quarantineJson('.file.json')).toEqual([
      expect.objectContaining({ reason: 'NO_DATASET_SEGMENT', source_version_id: versionId }),
    ]);
  });

  test('GIVEN an event without a versionId (unversioned bucket) WHEN processed THEN every request is conditional on the eTag instead', async () => {
    const key = 'acme/orders/plain.csv';
    const message = await bed.fx.upload(key, 'id\n1\n');
    const eTag = `"${(message.Records[0] as { s3: { object: { eTag: string } } }).s3.object.eTag.replace(/"/g, '')}"`;
    requests.splice(0);
    expect(await bed.fx.deliver(message)).toEqual({ batchItemFailures: [] });

    const { reads, deletes, copies } = requestsFor(key);
    expect(reads.map((r) => [r.method, r.query.versionId, r.headers['if-match']])).toEqual([['GET', undefined, eTag]]);
    expect(copies.map((c) => [c.headers['x-amz-copy-source'], c.headers['x-amz-copy-source-if-match']])).toEqual([
      [`${BUCKETS.inbound}/acme/orders/plain.csv`, eTag],
    ]);
    expect(deletes.map((r) => [r.query.versionId, r.headers['if-match']])).toEqual([[undefined, eTag]]);
  });
});
