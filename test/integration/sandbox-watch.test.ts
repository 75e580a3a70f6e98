/**
 * End to end: `bin/sandbox.ts --watch` keeps ingesting — a file uploaded with bin/upload.ts and a
 * file dropped into the drop folder reach silver — a message the parser cannot handle lands in
 * the dead-letter queue after maxReceiveCount receives, and Ctrl-C (SIGINT) shuts it down cleanly
 * with a summary and a non-zero exit code that names the DLQ.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CopyObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SandboxEndpoint } from '../../bin/sandbox/endpoint';
import { DuckDb } from '../../bin/sandbox/duckdb';
import { runCli, startCli, stopCli, waitFor } from './sandbox-support';
import type { CliResult, RunningCli } from './sandbox-support';

describe('sandbox --watch', () => {
  let state: string;
  let sandbox: RunningCli;
  let sqs: SQSClient | undefined;

  beforeAll(() => {
    state = mkdtempSync(join(tmpdir(), 'sandbox-watch-'));
    mkdirSync(join(state, 'empty'));
  });

  afterAll(async () => {
    sqs?.destroy();
    await stopCli(sandbox);
    rmSync(state, { recursive: true, force: true });
  });

  it('ingests uploads and drops as they arrive, dead-letters a poison message, and stops on Ctrl-C', async () => {
    // GIVEN a sandbox watching, started on an empty data folder
    sandbox = startCli('bin/sandbox.ts', [
      '--watch',
      '--state',
      state,
      '--data',
      join(state, 'empty'),
      '--retry-delay',
      '0',
    ]);
    const endpointFile = join(state, 'endpoint.json');
    await waitFor('endpoint.json', () => existsSync(endpointFile) && sandbox.stdout().includes('press Ctrl-C'));
    const endpoint = JSON.parse(readFileSync(endpointFile, 'utf8')) as SandboxEndpoint;

    // WHEN a producer uploads a file with bin/upload.ts
    const file = join(state, 'users.csv');
    writeFileSync(
      file,
      'user_id,name,email,country,signup_date,updated_at\n90001,Ada Byron,ada@example.com,GB,2026-11-20,2026-11-20T10:00:00\n',
    );
    const upload = await runCli('bin/upload.ts', [
      file,
      '--source',
      'retail',
      '--dataset',
      'retail_users',
      '--state',
      state,
    ]);
    expect(upload).toMatchObject({ code: 0 });
    expect(upload.stdout).toContain('s3://sandbox-inbound/retail/retail_users/users.csv');
    // … and drops an NDJSON file into the drop folder
    mkdirSync(join(state, 'drop', 'webapp', 'events'), { recursive: true });
    writeFileSync(
      join(state, 'drop', 'webapp', 'events', 'late arrivals ü+1.ndjson'),
      '{"event_id":"evt_late_1","organization_id":"org_009","user_id":"usr_9","type":"login","timestamp":"2026-11-21T08:00:00Z"}\n',
    );
    // … and something that is not an S3 event reaches the queue
    sqs = new SQSClient({
      endpoint: endpoint.sqsEndpoint,
      region: endpoint.region,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: endpoint.queueUrl, MessageBody: 'hello, not an S3 event' }));

    // THEN both files are merged into silver, and the poison message ends in the DLQ
    await waitFor('both merges', () =>
      ['task    retail_users: merged 1', 'task    events: merged 1'].every((s) => sandbox.stdout().includes(s)),
    );
    await waitFor('the DLQ redrive', async () => {
      const out = await sqs!.send(
        new GetQueueAttributesCommand({ QueueUrl: endpoint.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return out.Attributes?.ApproximateNumberOfMessages === '1';
    });
    expect(sandbox.stdout().match(/failed: a message that is not an S3 event/g)).toHaveLength(5);

    // WHEN an archived original is replayed into inbound with CopyObject (an ObjectCreated:Copy event)
    const s3 = new S3Client({
      endpoint: endpoint.s3Endpoint,
      region: endpoint.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      const archived = await s3.send(new ListObjectsV2Command({ Bucket: endpoint.archiveBucket, Prefix: 'retail/' }));
      const source = archived.Contents?.[0]?.Key ?? '';
      expect(source).toMatch(/^retail\/retail_users\/dt=.*\/users\.csv$/);
      await s3.send(
        new CopyObjectCommand({
          Bucket: endpoint.inboundBucket,
          Key: 'retail/retail_users/replayed.csv',
          CopySource: `${endpoint.archiveBucket}/${source}`,
        }),
      );
    } finally {
      s3.destroy();
    }
    // THEN it is parsed like an upload (its event got the eTag s3rver leaves out) and merged again
    await waitFor('the replay merge', () => sandbox.stdout().split('task    retail_users: merged 1').length === 3);
    expect(existsSync(join(state, 'drop', 'webapp', 'events', 'late arrivals ü+1.ndjson'))).toBe(false);

    // A second sandbox on the same state directory is refused with a clear message.
    const second = await runCli('bin/sandbox.ts', ['--state', state, '--data', join(state, 'empty')]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`StateInUseError: ${state} is in use by another sandbox (PID ${endpoint.pid})`);

    // WHEN the user presses Ctrl-C
    sandbox.child.kill('SIGINT');
    const result: CliResult = await sandbox.exited;

    // THEN it prints the summary, exits 1 naming the DLQ message, and leaves no endpoint file behind
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED: 1 problem(s)');
    expect(result.stdout).toMatch(/1 message\(s\) in the dead-letter queue .*"hello, not an S3 event"/);
    expect(existsSync(endpointFile)).toBe(false);
    const db = await DuckDb.open({ path: join(state, 'warehouse.duckdb') });
    try {
      expect(await db.rows(`SELECT "NAME" AS name FROM core.retail_users`)).toEqual([{ name: 'Ada Byron' }]);
      // The key travelled URL-encoded in the S3 event (`late+arrivals+%C3%BC%2B1.ndjson`) and was decoded by the parser.
      expect(await db.rows(`SELECT "EVENT_ID" AS id, "_SOURCE_KEY" AS k FROM core.events`)).toEqual([
        { id: 'evt_late_1', k: 'webapp/events/late arrivals ü+1.ndjson' },
      ]);
    } finally {
      db.close();
    }
  }, 90_000);

  it('refuses an upload when no sandbox is running, or to a dataset the source may not write', async () => {
    const file = join(state, 'other.csv');
    writeFileSync(file, 'user_id\n1\n');
    const none = await runCli('bin/upload.ts', [
      file,
      '--source',
      'retail',
      '--dataset',
      'retail_users',
      '--state',
      join(state, 'nope'),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no running sandbox');
    writeFileSync(
      join(state, 'endpoint.json'),
      JSON.stringify({ pid: process.pid, sources: { retail: ['retail_users'] } }),
    );
    const denied = await runCli('bin/upload.ts', [
      file,
      '--source',
      'retail',
      '--dataset',
      'listings',
      '--state',
      state,
    ]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('source "retail" may not upload to dataset "listings" (allowed: retail_users)');
  }, 30_000);
});
