import { mkdir, readdir, readFile, stat, writeFile } from 'fs/promises';
import { createServer } from 'http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { AddressInfo } from 'net';
import { join } from 'path';
import { EXIT } from '../../bin/uploader/defaults';
import { startFaultProxy } from '../support/fault-proxy';
import { startS3Server, type LocalS3Request, type S3TestServer } from '../support/s3-server';
import {
  BUCKET,
  events,
  expectedKey,
  runCli,
  sha256Hex,
  targetFlags,
  tempDir,
  useLocalCredentials,
} from './uploader-harness';

describe('uploader CLI against local S3', () => {
  let s3: S3TestServer;
  const requests: LocalS3Request[] = [];
  let work: { dir: string; remove: () => Promise<void> };
  let spoolN = 0;
  const spool = () => ['--spool', `spool-${++spoolN}`];
  const fast = ['--base-delay-ms', '10', '--max-delay-ms', '50'];

  beforeAll(async () => {
    useLocalCredentials();
    s3 = await startS3Server({ buckets: [BUCKET], onRequest: (r) => requests.push(r) });
    work = await tempDir();
  });
  afterAll(async () => {
    await s3.stop();
    await work.remove();
  });
  const created = (key: string) =>
    s3.events.filter((e) => e.eventName.startsWith('ObjectCreated') && e.s3.object.key === key);

  test('GIVEN two files WHEN sent THEN each lands once under a content-derived key with a SHA-256 checksum and If-None-Match', async () => {
    const a = 'id,temp\n1,2.5\n';
    const b = '{"id":1}\n';
    await writeFile(join(work.dir, 'a.csv'), a);
    await writeFile(join(work.dir, 'b.ndjson'), b);
    const flags = [...targetFlags(s3.endpoint), ...spool()];
    const run = await runCli(['send', 'a.csv', 'b.ndjson', ...flags], work.dir);
    expect(run.code).toBe(EXIT.ok);
    const keyA = expectedKey('a', '.csv', a);
    expect((await s3.get(BUCKET, keyA))?.toString()).toBe(a);
    expect((await s3.get(BUCKET, expectedKey('b', '.ndjson', b)))?.toString()).toBe(b);
    const put = requests.find((r) => r.method === 'PUT' && r.key === keyA)!;
    expect(put.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256Hex(a), 'hex').toString('base64'));
    expect(put.headers['if-none-match']).toBe('*');
    // The originals stay (send copies); a second send of the same bytes is recognised, not written again.
    expect((await stat(join(work.dir, 'a.csv'))).size).toBe(a.length);
    const again = await runCli(['send', 'a.csv', ...flags], work.dir);
    expect(again.code).toBe(EXIT.ok);
    expect(events(again, 'already-present')).toHaveLength(1);
    expect(created(keyA)).toHaveLength(1);
    const status = JSON.parse(
      (await runCli(['status', flags[flags.length - 2], flags[flags.length - 1]], work.dir)).stdout,
    );
    expect(status).toMatchObject({
      sent: { files: 3 },
      incoming: { files: 0 },
      sending: { files: 0 },
      failed: { files: 0 },
      usedBytes: 0,
    });
  });

  test('GIVEN a body that does not match its checksum WHEN put THEN the server refuses it (BadDigest), stores nothing', async () => {
    const put = s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'weather/weather/corrupt.csv',
        Body: 'these bytes',
        ChecksumSHA256: Buffer.from(sha256Hex('other bytes'), 'hex').toString('base64'),
      }),
    );
    await expect(put).rejects.toMatchObject({ name: 'BadDigest' });
    expect(await s3.get(BUCKET, 'weather/weather/corrupt.csv')).toBeUndefined();
  });

  test('GIVEN connection resets and throttling WHEN sent THEN retried with backoff and uploaded exactly once', async () => {
    const body = 'id\n42\n';
    await writeFile(join(work.dir, 'flaky.csv'), body);
    const key = expectedKey('flaky', '.csv', body);
    const faults = ['reset', 'throttle', 'reset', 'throttle'] as const;
    const proxy = await startFaultProxy(s3.endpoint, (r, n) =>
      r.method === 'PUT' && n < faults.length ? faults[n] : 'pass',
    );
    try {
      const run = await runCli(['send', 'flaky.csv', ...targetFlags(proxy.endpoint), ...spool(), ...fast], work.dir);
      expect(run.code).toBe(EXIT.ok);
      expect(events(run, 'retry')).toHaveLength(4);
      expect(events(run, 'retry').map((l) => l.httpStatus ?? 'network')).toEqual(['network', 503, 'network', 503]);
      expect(proxy.seen.map((s) => s.fault)).toEqual([...faults, 'pass']);
      expect((await s3.get(BUCKET, key))?.toString()).toBe(body);
      expect(created(key)).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });

  test('GIVEN a PUT that succeeds but whose answer is lost WHEN retried THEN If-None-Match proves it landed: no second write', async () => {
    const body = 'id\n7\n';
    await writeFile(join(work.dir, 'ambiguous.csv'), body);
    const key = expectedKey('ambiguous', '.csv', body);
    const proxy = await startFaultProxy(s3.endpoint, (r, n) => (r.method === 'PUT' && n === 0 ? 'swallow' : 'pass'));
    try {
      const run = await runCli(
        ['send', 'ambiguous.csv', ...targetFlags(proxy.endpoint), ...spool(), ...fast, '--request-timeout-ms', '1500'],
        work.dir,
      );
      expect(run.code).toBe(EXIT.ok);
      expect(events(run, 'retry')[0]).toMatchObject({ error: 'TimeoutError' });
      expect(events(run, 'already-present')).toHaveLength(1);
      expect(proxy.seen.filter((s) => s.method === 'PUT')).toHaveLength(2);
      expect(created(key)).toHaveLength(1);
      expect((await s3.get(BUCKET, key))?.toString()).toBe(body);
    } finally {
      await proxy.stop();
    }
  });

  test('GIVEN a permanent error WHEN sent THEN the file goes to failed/ with the reason, exit 1, and requeue brings it back', async () => {
    await writeFile(join(work.dir, 'denied.csv'), 'id\n1\n');
    const flags = [...targetFlags(s3.endpoint).map((f) => (f === BUCKET ? 'no-such-bucket' : f)), ...spool()];
    const run = await runCli(['send', 'denied.csv', ...flags], work.dir);
    expect(run.code).toBe(EXIT.failed);
    const spoolFlags = flags.slice(-2);
    const status = JSON.parse((await runCli(['status', ...spoolFlags], work.dir)).stdout);
    expect(status.failed).toMatchObject({ files: 1, errors: [{ name: 'denied.csv', error: 'NoSuchBucket' }] });
    expect((await runCli(['requeue', ...spoolFlags], work.dir)).code).toBe(EXIT.ok);
    expect(JSON.parse((await runCli(['status', ...spoolFlags], work.dir)).stdout).incoming.files).toBe(1);
  });

  test('GIVEN a spool limit smaller than the file WHEN sent THEN exit 4, a message naming the file and sizes, nothing spooled', async () => {
    await writeFile(join(work.dir, 'huge.csv'), Buffer.alloc(4096, 'a'));
    const flags = [...targetFlags(s3.endpoint), ...spool(), '--max-spool-bytes', '1KiB'];
    const run = await runCli(['send', 'huge.csv', ...flags], work.dir);
    expect(run.code).toBe(EXIT.spoolFull);
    expect(String(events(run, 'spool-full')[0].message)).toMatch(
      /holds 0 bytes of at most 1024 .*"huge.csv" needs 4096 more/,
    );
    const status = JSON.parse((await runCli(['status', ...flags.slice(-4, -2)], work.dir)).stdout);
    expect(status.incoming.files + status.sending.files + status.failed.files).toBe(0);
    expect((await stat(join(work.dir, 'huge.csv'))).size).toBe(4096);
  });

  test('GIVEN a folder with nested and dot files WHEN watched once THEN settled files move into the spool and up, dot files stay', async () => {
    const outbox = join(work.dir, 'outbox');
    await mkdir(join(outbox, '2026', '12'), { recursive: true });
    const body = '{"t":1}\n';
    await writeFile(join(outbox, '2026', '12', 'r.json'), body);
    await writeFile(join(outbox, '.writing.json'), 'partial');
    const run = await runCli(
      ['watch', 'outbox', '--once', '--settle-ms', '200', ...targetFlags(s3.endpoint)],
      work.dir,
    );
    expect(run.code).toBe(EXIT.ok);
    expect((await s3.get(BUCKET, `weather/weather/2026/12/r.${sha256Hex(body).slice(0, 32)}.json`))?.toString()).toBe(
      body,
    );
    expect(await readdir(join(outbox, '2026', '12'))).toEqual([]);
    expect((await readdir(outbox)).sort()).toEqual(['.uploader-spool', '.writing.json', '2026']);
  });

  test('GIVEN a JSON endpoint WHEN polled three times THEN one NDJSON roll with fetch times and exact bodies is uploaded', async () => {
    let n = 0;
    const api = createServer((_, res) => {
      n++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(`{ "n": ${n},\n  "big": 12345678901234567890123 }`);
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/current`;
    try {
      const flags = [...targetFlags(s3.endpoint), ...spool(), '--interval', '0', '--max-polls', '3'];
      const run = await runCli(['poll', url, ...flags], work.dir);
      expect(run.code).toBe(EXIT.ok);
      const keys = (await s3.list(BUCKET, 'weather/weather/poll-')).filter((k) => k.endsWith('.ndjson'));
      expect(keys).toHaveLength(1);
      const lines = (await s3.get(BUCKET, keys[0]))!.toString().split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(3);
      lines.forEach((line, i) => {
        expect(line).toMatch(
          new RegExp(
            `^\\{"fetched_at":"\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z","url":"${url.replace(/[/.]/g, '\\$&')}","status":200,"body":\\{"n":${i + 1},"big":12345678901234567890123\\}\\}$`,
          ),
        );
      });
    } finally {
      await new Promise<void>((r) => api.close(() => r()));
    }
  });

  test('GIVEN bad flags WHEN run THEN exit 2 with a message naming the flag', async () => {
    const run = await runCli(['send', 'a.csv', ...targetFlags(s3.endpoint), '--part-size', '1MiB'], work.dir);
    expect(run.code).toBe(EXIT.usage);
    expect(String(events(run, 'usage')[0].message)).toBe(
      "--part-size: 1048576 is below S3's minimum part size 5242880 (5MiB)",
    );
    const bad = await runCli(
      ['send', 'a.csv', ...targetFlags(s3.endpoint).map((f) => (f === 'weather' ? 'Bad Name' : f))],
      work.dir,
    );
    expect(bad.code).toBe(EXIT.usage);
    expect(await readFile(join(work.dir, 'a.csv'), 'utf8')).toContain('id,temp');
  });
});
