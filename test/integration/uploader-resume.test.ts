import { randomBytes } from 'crypto';
import { readdir, readFile, writeFile } from 'fs/promises';
import { join } from 'path';
import { EXIT } from '../../bin/uploader/defaults';
import type { MultipartState } from '../../bin/uploader/multipart';
import { startFaultProxy } from '../support/fault-proxy';
import { startS3Server, type LocalS3Request, type S3TestServer } from '../support/s3-server';
import {
  BUCKET,
  exitOf,
  expectedKey,
  runCli,
  spawnCli,
  targetFlags,
  tempDir,
  useLocalCredentials,
} from './uploader-harness';

const MiB = 1024 * 1024;

describe('uploader: killed mid-upload (SIGKILL) and restarted', () => {
  let s3: S3TestServer;
  const requests: LocalS3Request[] = [];
  let work: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    useLocalCredentials();
    s3 = await startS3Server({ buckets: [BUCKET], onRequest: (r) => requests.push(r) });
    work = await tempDir();
  });
  afterAll(async () => {
    await s3.stop();
    await work.remove();
  });

  test('GIVEN a 6-part multipart upload killed after some parts WHEN restarted THEN only missing parts are sent and the object is whole, once', async () => {
    const bytes = randomBytes(27 * MiB); // 6 parts of 5 MiB (the last 2 MiB)
    await writeFile(join(work.dir, 'large.csv'), bytes);
    const key = expectedKey('large', '.csv', bytes);
    // The first run goes through a proxy that counts the parts it carried.
    let parts = 0;
    const proxy = await startFaultProxy(s3.endpoint, (r) => {
      if (r.url.includes('partNumber=')) parts++;
      return 'pass';
    });
    const flags = [
      ...targetFlags(proxy.endpoint),
      '--part-size',
      '5MiB',
      '--part-concurrency',
      '1',
      '--spool',
      'spool',
    ];
    const child = spawnCli(['send', 'large.csv', ...flags], work.dir);
    const exited = exitOf(child);
    // WHEN at least two parts are recorded in multipart.json: SIGKILL (no chance to clean up)
    let state: MultipartState | undefined;
    for (let i = 0; i < 600 && !(state && Object.keys(state.parts).length >= 2); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const sending = await readdir(join(work.dir, 'spool', 'sending')).catch(() => [] as string[]);
      if (sending[0]) {
        state = await readFile(join(work.dir, 'spool', 'sending', sending[0], 'multipart.json'), 'utf8')
          .then((t) => JSON.parse(t) as MultipartState)
          .catch(() => undefined);
      }
    }
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    // The child may have recorded another part between the last poll and the kill: what counts is the
    // state on disk once it is dead (the file is replaced atomically, so it is whole).
    const sendingDir = join(work.dir, 'spool', 'sending');
    const [upload] = await readdir(sendingDir);
    state = JSON.parse(await readFile(join(sendingDir, upload, 'multipart.json'), 'utf8')) as MultipartState;
    const done = Object.keys(state.parts).map(Number);
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(6);
    expect(await s3.get(BUCKET, key)).toBeUndefined();
    await proxy.stop();

    // THEN a restart resumes the same upload id and sends only the parts not recorded
    const partRequests = () =>
      requests
        .filter((r) => r.method === 'PUT' && r.query.uploadId === state!.uploadId)
        .map((r) => Number(r.query.partNumber));
    const before = partRequests().length;
    // Any command that drains the spool resumes it: `watch --once` on an empty folder with the same spool.
    const resumed = await runCli(
      ['watch', 'empty', '--once', '--settle-ms', '0', ...targetFlags(s3.endpoint), '--spool', 'spool'],
      work.dir,
    );
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.logs.find((l) => l.event === 'multipart-resumed')).toMatchObject({ uploadId: state!.uploadId });
    const sentAfter = partRequests().slice(before);
    expect(sentAfter.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6].filter((n) => !done.includes(n)));
    expect(Buffer.compare((await s3.get(BUCKET, key))!, bytes)).toBe(0);
    expect(s3.events.filter((e) => e.eventName.startsWith('ObjectCreated') && e.s3.object.key === key)).toHaveLength(1);
    expect(parts).toBeGreaterThanOrEqual(done.length);
  });
});
