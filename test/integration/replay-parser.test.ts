/**
 * Replay end to end with the real parser: a file is processed (archived, staged, removed from
 * inbound), replayed from the archive, and processed again — through the normal path, into a new
 * stage object with a newer received_at, as docs/operations.md describes for Snowpipe and silver.
 */
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { runReplayCli } from '../../bin/replay/cli';
import { captureEmfLines } from '../support/emf';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { awsEncodeKey, BUCKETS, ParserFixture } from './parser-harness';
import { replayTestConfig } from './replay-config';

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

  test('GIVEN a processed file WHEN replayed and processed again THEN it is archived twice and staged under a new name with a newer received_at', async () => {
    const fixture = new ParserFixture(server, server.client);
    const inboundKey = 'acme/orders/exports/2024-05-01.csv';
    const upload = await fixture.upload(inboundKey, 'id\n1\n2\n');
    const firstRun = await captureEmfLines(() => fixture.deliver(upload));
    expect(firstRun.result).toEqual({ batchItemFailures: [] });
    expect(firstRun.lines.map((l) => (JSON.parse(l) as { RowsOut?: number }).RowsOut)).toEqual([2]);
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
    const secondRun = await captureEmfLines(() => fixture.deliver({ Records: records }));
    expect(secondRun.result).toEqual({ batchItemFailures: [] });
    expect(secondRun.lines.map((l) => (JSON.parse(l) as { RowsOut?: number }).RowsOut)).toEqual([2]);

    expect(await server.list(BUCKETS.inbound)).toEqual([]);
    const archive = await server.list(BUCKETS.archive);
    expect(archive).toHaveLength(2);
    expect(archive.every((k) => k.startsWith('acme/orders/dt=') && k.endsWith('/exports/2024-05-01.csv'))).toBe(true);
    const stage = await server.list(BUCKETS.stage, 'data/');
    expect(stage).toHaveLength(2);
    const newStage = stage.filter((k) => !firstStage.includes(k));
    expect(newStage).toHaveLength(1); // a new stage object name: Snowpipe loads it again

    const lines = await fixture.stageLines();
    const byTime = new Map<string, unknown[]>();
    for (const l of lines) byTime.set(l.received_at, [...(byTime.get(l.received_at) ?? []), l.record]);
    const [first, second] = [...byTime.keys()].sort();
    expect(second > first).toBe(true);
    expect(byTime.get(first)).toEqual(byTime.get(second)); // same records, newer received_at
    expect(lines.every((l) => l.source_key === inboundKey)).toBe(true);
  });
});
