/**
 * Replay end to end with the real parser: a file is processed (archived, staged, removed from
 * inbound), replayed from the archive, and processed again through the normal path — as the
 * version it was: its original event time, hence the same stage objects (names and bytes, which
 * Snowpipe's load history skips), the same rejects and manifest, and no second archive copy.
 */
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runReplayCli } from '../../bin/replay/cli';
import { captureEmfLines } from '../support/emf';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { awsEncodeKey, BUCKETS, ParserFixture } from './parser-harness';
import { replayTestConfig } from './replay-config';

/** Row counts of one parser EMF line. */
const rowCounts = (line: string) => {
  const m = JSON.parse(line) as { RowsIn: number; RowsOut: number; RowsRejected: number };
  return { in: m.RowsIn, out: m.RowsOut, rejected: m.RowsRejected };
};

const config = replayTestConfig(
  [{ name: 'acme', principals: ['111111111111'] }],
  [{ name: 'orders', format: 'csv', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] }],
);

describe('replay through the parser', () => {
  let server: S3TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startS3Server({ buckets: Object.values(BUCKETS) });
    dir = await mkdtemp(join(tmpdir(), 'replay-parser-'));
    await writeFile(join(dir, 'pipeline.json'), JSON.stringify(config));
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('GIVEN a processed file WHEN replayed and processed again THEN the stage objects, rejects and manifest are byte-identical, the archive holds one copy and inbound is empty', async () => {
    const fixture = new ParserFixture(server, server.client);
    const inboundKey = 'acme/orders/exports/2024-05-01.csv';
    const upload = await fixture.upload(inboundKey, 'id\n1\n2\n3,x\n');
    // The metric lines are captured (quiet output) and read: 3 rows in, 2 out, 1 rejected.
    const first = await captureEmfLines(() => fixture.deliver(upload));
    expect(first.result).toEqual({ batchItemFailures: [] });
    expect(first.lines.map((l) => rowCounts(l))).toEqual([{ in: 3, out: 2, rejected: 1 }]);
    const before = await fixture.snapshot();
    const [archiveKey] = await server.list(BUCKETS.archive);
    const firstStage = await server.list(BUCKETS.stage, 'data/');
    expect(await server.list(BUCKETS.inbound)).toEqual([]);
    const date = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(archiveKey)![1];

    server.clearEvents();
    const out: string[] = [];
    const code = await runReplayCli(
      ['--env=dev', '--dataset=orders', `--from=${date}`, `--to=${date}`, `--config=${join(dir, 'pipeline.json')}`],
      {
        env: { ARCHIVE_BUCKET: BUCKETS.archive, INBOUND_BUCKET: BUCKETS.inbound },
        out: (l) => out.push(l),
        err: () => undefined,
        s3: server.client,
      },
    );
    expect(code).toBe(0);
    expect(out[1]).toMatch(/^files: 1, copied: 1 /);
    expect(await server.list(BUCKETS.inbound)).toEqual([inboundKey]);

    // The replayed copy's own S3 event goes through the parser like any upload. (s3rver leaves the
    // eTag out of ObjectCreated:Copy events, which S3 includes: add it from the object itself.)
    const { ETag } = await server.client.send(new HeadObjectCommand({ Bucket: BUCKETS.inbound, Key: inboundKey }));
    const records = server.events
      .filter((e) => e.s3.bucket.name === BUCKETS.inbound && e.eventName.startsWith('ObjectCreated'))
      .map((r) => ({
        ...r,
        s3: { ...r.s3, object: { ...r.s3.object, key: awsEncodeKey(r.s3.object.key), eTag: r.s3.object.eTag ?? ETag } },
      }));
    expect(records).toHaveLength(1);
    const second = await captureEmfLines(() => fixture.deliver({ Records: records }));
    expect(second.result).toEqual({ batchItemFailures: [] });
    expect(second.lines.map((l) => rowCounts(l))).toEqual([{ in: 3, out: 2, rejected: 1 }]);

    // Everything the first processing wrote is there again, byte for byte, and nothing else.
    expect(await fixture.snapshot()).toEqual(before);
    expect(await server.list(BUCKETS.inbound)).toEqual([]);
    expect(await server.list(BUCKETS.archive)).toEqual([archiveKey]);
    expect(firstStage).toHaveLength(1);
    expect(await server.list(BUCKETS.stage, 'manifests/')).toHaveLength(1);
  });

  test('GIVEN an upload whose own metadata claims to be a replay of an archive object that is not its original WHEN processed THEN it is an ordinary new version with its own event time', async () => {
    const fixture = new ParserFixture(server, server.client);
    const key = 'acme/orders/forged.csv';
    server.clearEvents();
    await server.client.send(
      new PutObjectCommand({
        Bucket: BUCKETS.inbound,
        Key: key,
        Body: 'id\n7\n',
        Metadata: { 'replayed-from': encodeURIComponent('acme/orders/dt=2000-01-01/v1/forged.csv') },
      }),
    );
    const [event] = server.events.filter((e) => e.eventName.startsWith('ObjectCreated'));
    const record = { ...event, s3: { ...event.s3, object: { ...event.s3.object, key: awsEncodeKey(key) } } };
    const forged = await captureEmfLines(() => fixture.deliver({ Records: [record] }));
    expect(forged.result).toEqual({ batchItemFailures: [] });
    const lines = (await fixture.stageLines()).filter((l) => l.source_key === key);
    expect(lines.map((l) => l.received_at)).toEqual([new Date(event.eventTime).toISOString()]);
    expect((await server.list(BUCKETS.archive)).filter((k) => k.endsWith('/forged.csv'))).toHaveLength(1);
  });
});
