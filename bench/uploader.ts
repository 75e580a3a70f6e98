/**
 * Uploader benchmark: many small files, then one large file, sent by the real CLI (a child process, as a
 * producer runs it) to fauxqs's in-memory S3 on 127.0.0.1. Prints files/s, MB/s and the uploader's peak RSS,
 * with the machine's load average (shared machines skew every figure).
 *
 *   npm run bench:uploader -- [--files 10000] [--file-bytes 1024] [--large-mib 1024] [--concurrency 16]
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtemp, mkdir, open, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { createServer, request as httpRequest } from 'http';
import type { AddressInfo } from 'net';
import { parseArgs } from 'util';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const HELP = `Usage: npm run bench:uploader -- [--files N] [--file-bytes B] [--large-mib M] [--concurrency C]
  --files        small files to send (default 10000)
  --file-bytes   size of each small file (default 1024)
  --large-mib    size of the large file in MiB, 0 to skip (default 1024)
  --concurrency  files uploaded at once (default 16)
Sends them with \`watch <dir> --once\` (bin/uploader.ts in a child process; 8 MiB parts, as fauxqs accepts
bodies up to 11 MiB) to fauxqs's in-memory S3. BENCH_LOG_LEVEL=info shows the uploader's logs.`;

interface Run {
  seconds: number;
  maxRssBytes: number;
  code: number;
}

function runUploader(args: string[]): Promise<Run> {
  const started = process.hrtime.bigint();
  // `node --import tsx` (not tsx's CLI, which reads a first argument `watch` as its own watch mode).
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'bin', 'uploader.ts'), ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr.on('data', (c: Buffer) => {
    if (process.env.BENCH_LOG_LEVEL) process.stderr.write(c);
    tail = (tail + c.toString()).slice(-4096);
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const exit = tail
        .split('\n')
        .filter((l) => l.includes('"event":"exit"'))
        .map((l) => JSON.parse(l) as { maxRssBytes: number })[0];
      if (!exit) return reject(new Error(`uploader (exit ${code}) printed no exit line: ${tail}`));
      resolve({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        maxRssBytes: exit.maxRssBytes,
        code: code ?? -1,
      });
    }),
  );
}

/**
 * fauxqs 1.9 reads CompleteMultipartUpload's <Part> only as PartNumber + ETag and stores an empty object when
 * a part also lists its ChecksumSHA256 (as S3 requires for a SHA-256 multipart upload): this pass-through
 * strips those elements from that one request. Everything else is piped unchanged.
 */
async function stripPartChecksums(upstream: string): Promise<{ endpoint: string; close(): void }> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const forward = (body?: Buffer) => {
      const headers = { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      if (body) out.end(body);
      else req.pipe(out);
    };
    if (req.method === 'POST' && req.url?.includes('uploadId=')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        forward(
          Buffer.from(
            Buffer.concat(chunks)
              .toString()
              .replace(/<ChecksumSHA256>[^<]*<\/ChecksumSHA256>/g, ''),
          ),
        ),
      );
    } else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function countObjects(client: S3Client, bucket: string, prefix: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    n += page.KeyCount ?? page.Contents?.length ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

const loadavg = () =>
  readFile('/proc/loadavg', 'utf8').then(
    (t) => t.trim(),
    () => 'n/a',
  );
const mb = (b: number) => (b / 1e6).toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '10000' },
      'file-bytes': { type: 'string', default: '1024' },
      'large-mib': { type: 'string', default: '1024' },
      concurrency: { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const files = Number(values.files);
  const fileBytes = Number(values['file-bytes']);
  const largeMiB = Number(values['large-mib']);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { buildApp } = (await import('fauxqs')) as unknown as {
    buildApp(o: { logger: boolean }): {
      listen(o: { port: number; host: string }): Promise<string>;
      close(): Promise<void>;
    };
  };
  const app = buildApp({ logger: false });
  const endpoint = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).origin;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  await client.send(new CreateBucketCommand({ Bucket: 'inbound' }));
  const proxy = await stripPartChecksums(endpoint);
  const work = await mkdtemp(join(tmpdir(), 'bench-uploader-'));
  const common = (dataset: string) => [
    '--source', 'bench', '--dataset', dataset, '--bucket', 'inbound', '--region', 'us-east-1',
    '--endpoint', proxy.endpoint, '--path-style', '--concurrency', values.concurrency!, '--part-size', '8MiB', '--settle-ms', '0', '--log-level', process.env.BENCH_LOG_LEVEL ?? 'warn',
  ]; // prettier-ignore
  const rows: string[] = [];
  console.log(`load before: ${await loadavg()}`);
  try {
    if (files > 0) {
      const dir = join(work, 'small');
      await mkdir(dir);
      for (let i = 0; i < files; i++) {
        const body = Buffer.alloc(fileBytes, `${i},`);
        await writeFile(join(dir, `f${String(i).padStart(6, '0')}.csv`), body);
      }
      const run = await runUploader(['watch', dir, '--once', ...common('small')]);
      const landed = await countObjects(client, 'inbound', 'bench/small/');
      if (run.code !== 0 || landed !== files)
        throw new Error(`small files: exit ${run.code}, ${landed} of ${files} objects`);
      rows.push(
        `${files} files × ${fileBytes} B | ${run.seconds.toFixed(1)} s | ${(files / run.seconds).toFixed(0)} files/s | ` +
          `${mb((files * fileBytes) / run.seconds)} MB/s | peak RSS ${mb(run.maxRssBytes)} MB`,
      );
    }
    if (largeMiB > 0) {
      const dir = join(work, 'large');
      await mkdir(dir);
      const block = randomBytes(1024 * 1024);
      const handle = await open(join(dir, 'large.csv'), 'w');
      for (let i = 0; i < largeMiB; i++) {
        block.writeUInt32LE(i, 0); // every MiB differs
        await handle.write(block);
      }
      await handle.close();
      const run = await runUploader(['watch', dir, '--once', ...common('large')]);
      const list = await client.send(new ListObjectsV2Command({ Bucket: 'inbound', Prefix: 'bench/large/' }));
      const bytes = largeMiB * 1024 * 1024;
      const size = list.Contents?.[0]?.Size;
      if (run.code !== 0 || size !== bytes) throw new Error(`large file: exit ${run.code}, ${size} bytes listed`);
      rows.push(
        `1 file × ${largeMiB} MiB | ${run.seconds.toFixed(1)} s | - | ${mb(bytes / run.seconds)} MB/s | peak RSS ${mb(run.maxRssBytes)} MB`,
      );
    }
  } finally {
    console.log(`load after:  ${await loadavg()}`);
    rows.forEach((r) => console.log(r));
    client.destroy();
    proxy.close();
    await app.close();
    await rm(work, { recursive: true, force: true });
  }
  console.log('(times include starting the CLI through tsx, hashing every file and the spool renames)');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
