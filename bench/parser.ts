/**
 * Parser benchmark. Run: `npm run bench:parser`
 *
 * For a generated CSV (Airbnb listings shape) and NDJSON (events), each BENCH_MB MB (default 200):
 * 1. runs the real handler (child process) against a local S3 server: input MB/s;
 * 2. measures the ceiling in the same run: read the stage objects the parser produced back from the
 *    same server, gunzip them and gzip them again at level 6 in 256 KiB writes into a multipart
 *    upload — the compression of the canonical output plus comparable S3 I/O;
 * 3. reports ratio = parser MB/s ÷ ceiling MB/s (goals: ≥ 0.6 CSV, ≥ 0.7 NDJSON).
 * Then the peak RSS of the handler process on a BENCH_RSS_MB MB CSV (default 1024; 0 skips; goal ≤ 256 MB).
 *
 * Inputs are generated into a temporary directory (BENCH_DIR to choose it) and deleted afterwards.
 * GZIP_LEVEL is passed to the parser (default 6); the ceiling stays at level 6.
 */
import { spawn } from 'child_process';
import { createReadStream } from 'fs';
import { mkdtemp, rm, stat } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Readable } from 'stream';
import { createGunzip, createGzip } from 'zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetSpec } from '../contracts/config';
import { ObjectUploader } from '../lambda/parser/object-uploader';
import { startS3Server } from '../test/support/s3-server';
import type { S3TestServer } from '../test/support/s3-server';
import { generateInput } from './parser-inputs';

const MB = 1024 * 1024;
const BUCKETS = ['inbound', 'stage', 'archive', 'ceiling'];
const DATASETS: DatasetSpec[] = [
  { name: 'listings', format: 'csv', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  { name: 'events', format: 'ndjson', columns: [{ name: 'event_id', type: 'VARCHAR' }] },
];

interface RunResult {
  ms: number;
  maxRssMb: number;
  response: { batchItemFailures: unknown[] };
}

async function uploadAndMessage(server: S3TestServer, key: string, path: string): Promise<string> {
  const size = (await stat(path)).size;
  const put = await server.client.send(
    new PutObjectCommand({ Bucket: 'inbound', Key: key, Body: createReadStream(path), ContentLength: size }),
  );
  return JSON.stringify({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        s3: {
          bucket: { name: 'inbound' },
          object: { key, size, eTag: put.ETag!.replace(/"/g, ''), sequencer: Date.now().toString(16).toUpperCase() },
        },
      },
    ],
  });
}

function runHandler(server: S3TestServer, message: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'parser-run.ts')], {
      env: {
        ...process.env,
        ...server.env,
        NODE_OPTIONS: '--openssl-legacy-provider',
        INBOUND_BUCKET: 'inbound',
        STAGE_BUCKET: 'stage',
        ARCHIVE_BUCKET: 'archive',
        DATASETS: JSON.stringify(DATASETS),
        BENCH_MESSAGE: message,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const last = err.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`handler process exited ${code}: ${err}`));
      resolve(JSON.parse(last) as RunResult);
    });
  });
}

/** Re-chunks a stream into exactly `size`-byte writes (the last one shorter). */
async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of source) {
    pending.push(chunk);
    bytes += chunk.length;
    while (bytes >= size) {
      const all = Buffer.concat(pending, bytes);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      bytes -= size;
    }
  }
  if (bytes > 0) yield Buffer.concat(pending, bytes);
}

/** The ceiling: stage objects → gunzip → gzip level 6 in 256 KiB writes → multipart upload. */
async function ceiling(s3: S3Client, keys: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const key of keys) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'stage', Key: key }));
    const plain = (got.Body as Readable).pipe(createGunzip());
    const gzip = createGzip({ level: 6 });
    const uploader = new ObjectUploader(s3, 'ceiling', key, 'application/x-ndjson');
    const uploading = (async () => {
      for await (const chunk of gzip) await uploader.add(chunk as Buffer);
    })();
    for await (const chunk of rechunk(plain, 256 * 1024)) {
      if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
    }
    gzip.end();
    await uploading;
    await uploader.commit();
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const sizeMb = Number(process.env.BENCH_MB ?? 200);
  const rssMb = Number(process.env.BENCH_RSS_MB ?? 1024);
  const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'parser-bench-'));
  const server = await startS3Server({ buckets: BUCKETS });
  console.log(`parser benchmark: ${sizeMb} MB inputs, GZIP_LEVEL=${process.env.GZIP_LEVEL ?? '6 (default)'}`);
  try {
    for (const [kind, dataset] of [
      ['csv', 'listings'],
      ['ndjson', 'events'],
    ] as const) {
      const path = join(dir, `input.${kind}`);
      const bytes = await generateInput(kind, path, sizeMb);
      const key = `bench/${dataset}/input.${kind}`;
      const message = await uploadAndMessage(server, key, path);
      await rm(path);
      const run = await runHandler(server, message);
      if (run.response.batchItemFailures.length > 0) throw new Error(`handler failed: ${JSON.stringify(run)}`);
      const stageKeys = await server.list('stage', `data/${dataset}/`);
      let stageBytes = 0;
      for (const k of stageKeys) stageBytes += (await server.get('stage', k))!.length;
      const ceilingMs = await ceiling(server.client, stageKeys);
      const parserMbs = bytes / MB / (run.ms / 1000);
      const ceilingMbs = bytes / MB / (ceilingMs / 1000);
      console.log(
        `${kind.padEnd(6)} input ${(bytes / MB).toFixed(0)} MB → ${stageKeys.length} stage object(s), ` +
          `${(stageBytes / MB).toFixed(1)} MB gzip | parser ${(run.ms / 1000).toFixed(1)} s = ${parserMbs.toFixed(1)} MB/s | ` +
          `ceiling ${(ceilingMs / 1000).toFixed(1)} s = ${ceilingMbs.toFixed(1)} MB/s | ratio ${(parserMbs / ceilingMbs).toFixed(2)} | ` +
          `peak RSS ${run.maxRssMb.toFixed(0)} MB`,
      );
    }
    if (rssMb > 0) {
      const path = join(dir, 'big.csv');
      const bytes = await generateInput('csv', path, rssMb);
      const message = await uploadAndMessage(server, 'bench/listings/big.csv', path);
      await rm(path);
      const run = await runHandler(server, message);
      console.log(
        `rss    input ${(bytes / MB).toFixed(0)} MB CSV: peak RSS ${run.maxRssMb.toFixed(0)} MB, ` +
          `${(bytes / MB / (run.ms / 1000)).toFixed(1)} MB/s`,
      );
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
