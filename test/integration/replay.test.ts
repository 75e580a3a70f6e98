/**
 * Replay against a real local S3 server (s3rver): listing by date range, the copy back into
 * inbound, Glacier detection, idempotent re-runs, pending producer uploads, and the CLI itself.
 */
import { execFile } from 'child_process';
import { mkdtemp, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runReplayCli } from '../../bin/replay/cli';
import { selectNewest } from '../../bin/replay/plan';
import { executePlan } from '../../bin/replay/replay';
import type { ReplayReport } from '../../bin/replay/report';
import { CloudFormationTestServer } from '../support/cloudformation-server';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { replayTestConfig } from './replay-config';

const ARCHIVE = 'archive-bucket';
const INBOUND = 'inbound-bucket';
const ROOT = join(__dirname, '..', '..');

const config = replayTestConfig(
  [
    { name: 'alpha', principals: ['111111111111'], datasets: ['orders'] },
    { name: 'beta', principals: ['111111111111'] },
    { name: 'gamma', principals: ['111111111111'], datasets: ['other'] },
  ],
  [
    { name: 'orders', format: 'csv', columns: [{ name: 'id', type: 'NUMBER(38,0)' }], primaryKey: ['id'] },
    { name: 'other', format: 'csv', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  ],
);

/** Archived originals: key → body (and storage class). */
const ARCHIVED: [string, string, string?][] = [
  ['alpha/orders/dt=2024-04-30/v0/before.csv', 'id\n0\n'],
  ['alpha/orders/dt=2024-05-01/v1/2024/05/01/file1.csv', 'id\n1\n'],
  ['alpha/orders/dt=2024-05-01/v7/dup.csv', 'id\n7\n'],
  ['alpha/orders/dt=2024-05-01/only', 'not in the layout'],
  ['alpha/orders/dt=2024-05-02/v2/file2.csv.gz', 'gzip-bytes'],
  ['alpha/orders/dt=2024-05-02/v8/dup.csv', 'id\n8\n'],
  ['alpha/orders/dt=2024-05-02/vG/cold.csv', 'id\n9\n', 'GLACIER'],
  ['alpha/orders/dt=2024-05-03/v3/after.csv', 'id\n3\n'],
  ['beta/orders/dt=2024-05-01/v5/deep/path/file5.csv', 'id\n5\n'],
  ['gamma/other/dt=2024-05-01/v6/x.csv', 'id\n6\n'],
  ['_unrouted/dt=2024-05-01/v9/alpha/orders/late.csv', 'id\n10\n'],
  ['_unrouted/dt=2024-05-01/v10/zeta/orders/x.csv', 'id\n11\n'],
];

describe('replay against a local S3 server', () => {
  let server: S3TestServer;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    server = await startS3Server({ buckets: [ARCHIVE, INBOUND] });
    dir = await mkdtemp(join(tmpdir(), 'replay-test-'));
    configFile = join(dir, 'pipeline.json');
    await writeFile(configFile, JSON.stringify(config));
    for (const [key, body, storageClass] of ARCHIVED) {
      await server.client.send(
        new PutObjectCommand({
          Bucket: ARCHIVE,
          Key: key,
          Body: body,
          ContentType: 'text/csv',
          ContentEncoding: key.endsWith('.gz') ? 'gzip' : undefined,
          StorageClass: storageClass as 'GLACIER' | undefined,
        }),
      );
    }
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Each test starts with an empty inbound bucket (as if the parser had consumed everything).
  beforeEach(async () => {
    for (const key of await server.list(INBOUND)) {
      await server.client.send(new DeleteObjectCommand({ Bucket: INBOUND, Key: key }));
    }
    server.clearEvents();
  });

  async function replay(
    extra: string[],
  ): Promise<{ code: number; report: ReplayReport; out: string[]; err: string[] }> {
    const reportFile = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runReplayCli(
      [
        '--env',
        'dev',
        '--dataset',
        'orders',
        '--from',
        '2024-05-01',
        '--to',
        '2024-05-02',
        '--report',
        reportFile,
        ...extra,
      ],
      {
        env: { ARCHIVE_BUCKET: ARCHIVE, INBOUND_BUCKET: INBOUND, PIPELINE_CONFIG: configFile },
        s3: server.client,
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      },
    );
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as ReplayReport;
    return { code, report, out, err };
  }

  const byStatus = (report: ReplayReport) => {
    const groups: Record<string, string[]> = {};
    for (const item of report.items) {
      const k = item.reason ? `${item.status}:${item.reason}` : item.status;
      (groups[k] ??= []).push(item.archiveKey);
    }
    for (const list of Object.values(groups)) list.sort();
    return groups;
  };

  test('GIVEN archived files around the range WHEN --dry-run THEN exactly the in-range files are listed and nothing is copied', async () => {
    const { code, report, out, err } = await replay(['--dry-run']);

    expect(byStatus(report)).toEqual({
      'would-copy': [
        'alpha/orders/dt=2024-05-01/v1/2024/05/01/file1.csv',
        'alpha/orders/dt=2024-05-02/v2/file2.csv.gz',
        'alpha/orders/dt=2024-05-02/v8/dup.csv',
        'beta/orders/dt=2024-05-01/v5/deep/path/file5.csv',
      ],
      'skipped:superseded-version': ['alpha/orders/dt=2024-05-01/v7/dup.csv'],
      'skipped:needs-restore': ['alpha/orders/dt=2024-05-02/vG/cold.csv'],
      'skipped:unrecognised-key': ['alpha/orders/dt=2024-05-01/only'],
    });
    expect(report.sources).toEqual(['alpha', 'beta']);
    expect(report.summary).toMatchObject({ files: 7, copied: 4, skipped: 3, failed: 0 });
    expect(report.summary.bytes).toBe(['id\n1\n', 'gzip-bytes', 'id\n8\n', 'id\n5\n'].join('').length);
    expect(report.items.find((i) => i.reason === 'needs-restore')?.storageClass).toBe('GLACIER');
    expect(code).toBe(3); // incomplete: a Glacier file needs a restore
    expect(await server.list(INBOUND)).toEqual([]);
    expect(server.events.filter((e) => e.s3.bucket.name === INBOUND)).toEqual([]);
    expect(out[0]).toMatch(/^DRY RUN: replay of orders \(alpha, beta\) 2024-05-01\.\.2024-05-02 in dev/);
    expect(out[1]).toBe(
      'files: 7, would copy: 4 (25 B), skipped: 3, failed: 0 [superseded-version=1, unrecognised-key=1, needs-restore=1]',
    );
    expect(err).toHaveLength(7);
    expect(err.every((l) => /^\[\d\/7\] /.test(l))).toBe(true);
  });

  test('GIVEN --source alpha WHEN replayed THEN originals land under their inbound keys byte for byte, once', async () => {
    const { code, report } = await replay(['--source', 'alpha', '--concurrency', '2']);

    expect(byStatus(report).copied).toEqual([
      'alpha/orders/dt=2024-05-01/v1/2024/05/01/file1.csv',
      'alpha/orders/dt=2024-05-02/v2/file2.csv.gz',
      'alpha/orders/dt=2024-05-02/v8/dup.csv',
    ]);
    expect(code).toBe(3);
    expect(await server.list(INBOUND)).toEqual([
      'alpha/orders/2024/05/01/file1.csv',
      'alpha/orders/dup.csv',
      'alpha/orders/file2.csv.gz',
    ]);
    expect((await server.get(INBOUND, 'alpha/orders/dup.csv'))?.toString()).toBe('id\n8\n');
    expect((await server.get(INBOUND, 'alpha/orders/2024/05/01/file1.csv'))?.toString()).toBe('id\n1\n');
    const head = await server.client.send(new HeadObjectCommand({ Bucket: INBOUND, Key: 'alpha/orders/file2.csv.gz' }));
    expect(head.ContentEncoding).toBe('gzip');
    expect(head.ContentType).toBe('text/csv');
    expect(decodeURIComponent(head.Metadata?.['replayed-from'] ?? '')).toBe(
      'alpha/orders/dt=2024-05-02/v2/file2.csv.gz',
    );
    expect(
      server.events
        .filter((e) => e.s3.bucket.name === INBOUND)
        .map((e) => e.s3.object.key)
        .sort(),
    ).toEqual(await server.list(INBOUND));

    // WHEN re-run before the parser consumed them THEN nothing is copied twice.
    server.clearEvents();
    const again = await replay(['--source', 'alpha']);
    expect(byStatus(again.report)['skipped:already-pending']).toHaveLength(3);
    expect(again.report.summary.copied).toBe(0);
    expect(server.events.filter((e) => e.s3.bucket.name === INBOUND)).toEqual([]);
  });

  test('GIVEN a producer upload pending under an inbound key THEN the replay leaves it alone and reports inbound-busy', async () => {
    await server.put(INBOUND, 'beta/orders/deep/path/file5.csv', 'id\nnewer upload\n');
    const { code, report } = await replay(['--source', 'beta']);
    expect(byStatus(report)).toEqual({ 'skipped:inbound-busy': ['beta/orders/dt=2024-05-01/v5/deep/path/file5.csv'] });
    expect(code).toBe(3);
    expect((await server.get(INBOUND, 'beta/orders/deep/path/file5.csv'))?.toString()).toBe('id\nnewer upload\n');
  });

  test('GIVEN --include-unrouted THEN unroutable originals of the selected sources and dataset are replayed too', async () => {
    const { report } = await replay(['--source', 'alpha', '--include-unrouted', '--dry-run']);
    const unrouted = report.items.filter((i) => i.archiveKey.startsWith('_unrouted/'));
    expect(unrouted).toEqual([
      expect.objectContaining({
        archiveKey: '_unrouted/dt=2024-05-01/v9/alpha/orders/late.csv',
        inboundKey: 'alpha/orders/late.csv',
        status: 'would-copy',
      }),
    ]);
  });

  test('GIVEN an object above the single-copy limit THEN it is copied by multipart UploadPartCopy, byte for byte', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024 + 17, 7);
    big.write('id\n', 0);
    const key = 'alpha/orders/dt=2024-06-01/vB/big.csv';
    const etag = await server.put(ARCHIVE, key, big);
    const plan = {
      ...selectNewest([
        {
          archiveKey: key,
          inboundKey: 'alpha/orders/big.csv',
          source: 'alpha',
          date: '2024-06-01',
          size: big.length,
          etag,
          lastModified: new Date().toISOString(),
          storageClass: 'STANDARD',
          unrouted: false,
        },
      ]),
      unrecognised: [],
    };
    const items = await executePlan(server.client, plan, {
      archiveBucket: ARCHIVE,
      inboundBucket: INBOUND,
      dryRun: false,
      concurrency: 1,
      copyLimits: { singleCopyMaxBytes: 1024 * 1024, copyPartBytes: 5 * 1024 * 1024 },
    });
    expect(items).toEqual([expect.objectContaining({ status: 'copied', inboundKey: 'alpha/orders/big.csv' })]);
    expect((await server.get(INBOUND, 'alpha/orders/big.csv'))?.equals(big)).toBe(true);
    const head = await server.client.send(new HeadObjectCommand({ Bucket: INBOUND, Key: 'alpha/orders/big.csv' }));
    expect(decodeURIComponent(head.Metadata?.['replayed-from'] ?? '')).toBe(key);

    // WHEN the pending copy's ETag differs from the archive's (as with SSE-KMS) THEN the replay marker still identifies it.
    await server.client.send(
      new PutObjectCommand({
        Bucket: INBOUND,
        Key: 'alpha/orders/big.csv',
        Body: 'other bytes',
        Metadata: { 'replayed-from': encodeURIComponent(key) },
      }),
    );
    const again = await executePlan(server.client, plan, {
      archiveBucket: ARCHIVE,
      inboundBucket: INBOUND,
      dryRun: false,
      concurrency: 1,
    });
    expect(again).toEqual([expect.objectContaining({ status: 'skipped', reason: 'already-pending' })]);
    await server.client.send(new DeleteObjectCommand({ Bucket: ARCHIVE, Key: key }));
  });

  test('GIVEN the CLI WHEN run with tsx and --dry-run THEN it prints the summary and exits 3 (a file needs restore)', async () => {
    const run = promisify(execFile);
    const result = await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(ROOT, 'bin', 'replay.ts'),
        '--env=dev',
        '--dataset=orders',
        '--source=alpha',
        '--from=2024-05-02',
        '--to=2024-05-02',
        '--dry-run',
        `--archive-bucket=${ARCHIVE}`,
        `--inbound-bucket=${INBOUND}`,
        `--config=${configFile}`,
      ],
      { env: { ...process.env, ...server.env }, cwd: ROOT },
    ).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('files: 3, would copy: 2');
    expect(result.stderr).toContain('skipped (needs-restore) alpha/orders/dt=2024-05-02/vG/cold.csv');
  });
});

describe("replay without bucket names: the deployed stack's outputs", () => {
  let s3: S3TestServer;
  let cloudFormation: CloudFormationTestServer;
  let endpoint: string;
  let dir: string;
  let configFile: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [ARCHIVE, INBOUND] });
    await s3.client.send(
      new PutObjectCommand({ Bucket: ARCHIVE, Key: 'alpha/orders/dt=2024-05-01/v1/file1.csv', Body: 'id\n1\n' }),
    );
    cloudFormation = new CloudFormationTestServer();
    endpoint = await cloudFormation.start();
    dir = await mkdtemp(join(tmpdir(), 'replay-stack-'));
    configFile = join(dir, 'pipeline.json');
    await writeFile(configFile, JSON.stringify(config));
    // The SDK's default credential chain reads the process environment (any key works locally).
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  });

  afterAll(async () => {
    process.env = saved;
    await cloudFormation.stop();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function replayFromStack(): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    // The SDK reads its endpoint variable from the process environment itself.
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = endpoint;
    const code = await runReplayCli(
      ['--env', 'dev', '--dataset', 'orders', '--from', '2024-05-01', '--to', '2024-05-01', '--dry-run'],
      {
        env: { PIPELINE_CONFIG: configFile },
        s3: s3.client,
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      },
    );
    return { code, out, err };
  }

  test('GIVEN the deployed stack declares the bucket outputs WHEN replay runs without bucket names THEN it reads them from <project>-<env>-pipeline in the environment region and replays', async () => {
    cloudFormation.putStack(`${config.project}-dev-pipeline`, {
      InboundBucketName: INBOUND,
      StageBucketName: 'stage-bucket',
      ArchiveBucketName: ARCHIVE,
    });
    const { code, out, err } = await replayFromStack();

    expect(cloudFormation.requests.at(-1)).toEqual({ stackName: 'ingest-dev-pipeline', region: 'eu-west-1' });
    expect(err).toContain(`buckets from stack ingest-dev-pipeline: archive ${ARCHIVE}, inbound ${INBOUND}`);
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(`s3://${ARCHIVE} -> s3://${INBOUND}`);
    expect(out.join('\n')).toContain('files: 1, would copy: 1');
  });

  test('GIVEN no such stack (not deployed, or credentials of another account) WHEN replay runs without bucket names THEN exit 2 names the stack, account, region and the flags to pass instead', async () => {
    const missing = new CloudFormationTestServer();
    const missingEndpoint = await missing.start();
    try {
      const err: string[] = [];
      process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = missingEndpoint;
      const code = await runReplayCli(
        ['--env', 'dev', '--dataset', 'orders', '--from', '2024-05-01', '--to', '2024-05-01', '--dry-run'],
        {
          env: { PIPELINE_CONFIG: configFile },
          s3: s3.client,
          out: () => undefined,
          err: (l) => err.push(l),
        },
      );
      expect(code).toBe(2);
      expect(err[0]).toContain(
        'cannot read the bucket names from stack ingest-dev-pipeline (account 111111111111, eu-west-1): ValidationError: Stack with id ingest-dev-pipeline does not exist',
      );
      expect(err[0]).toContain('pass --archive-bucket and --inbound-bucket');
    } finally {
      await missing.stop();
    }
  });

  test('GIVEN a stack deployed before the outputs existed WHEN replay runs without bucket names THEN exit 2 names the missing output', async () => {
    cloudFormation.putStack(`${config.project}-dev-pipeline`, { InboundBucketName: INBOUND });
    const { code, err } = await replayFromStack();
    expect(code).toBe(2);
    expect(err[0]).toContain(
      'stack ingest-dev-pipeline (account 111111111111, eu-west-1) has no output ArchiveBucketName',
    );
  });
});
