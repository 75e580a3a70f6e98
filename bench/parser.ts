/**
 * Parser benchmark: the real handler against an in-memory S3 (fauxqs), as a ratio to a ceiling
 * measured in the same run. Run `npm run bench:parser -- --help` for the options.
 *
 * For a generated CSV (Airbnb listings shape) and NDJSON (events) of --size MB each, --runs pairs
 * of interleaved runs (parser then ceiling, ceiling then parser, …, so machine load hits both):
 * - parser: the real handler in a child process (bench/parser-run.ts, bundled and minified by esbuild
 *   like the deployed function): input MB/s and peak RSS;
 * - ceiling: a child process (bench/parser-ceiling-run.ts) doing the same S3 reads and writes
 *   (GetObject of the input, CopyObject to the archive, multipart upload of the output) plus gzip
 *   at the same level of the handler's own stage output (uncompressed beforehand, untimed).
 * Reports both MB/s, the ratio of each pair and their median, stage bytes, and /proc/loadavg at
 * every measurement. Then the handler's peak RSS on a --rss-size MB CSV (goal ≤ 256 MB).
 */
import { spawn } from 'child_process';
import { createReadStream, createWriteStream, readFileSync } from 'fs';
import { mkdtemp, rm, stat } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { pipeline } from 'stream/promises';
import { parseArgs } from 'util';
import { build } from 'esbuild';
import { createGunzip } from 'zlib';
import type { Readable } from 'stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { ObjectUploader } from '../lambda/parser/object-uploader';
import type { DatasetSpec } from '../contracts/config';
import { startMemoryS3 } from './fauxqs-s3';
import type { MemoryS3 } from './fauxqs-s3';
import type { CeilingJob } from './parser-ceiling-run';
import { generateInput } from './parser-inputs';

const MB = 1024 * 1024;
const BUCKETS = ['inbound', 'stage', 'archive', 'ceiling'];
const DATASETS: DatasetSpec[] = [
  { name: 'listings', format: 'csv', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  { name: 'events', format: 'ndjson', columns: [{ name: 'event_id', type: 'VARCHAR' }] },
];
const KINDS = { csv: 'listings', ndjson: 'events' } as const;
type Kind = keyof typeof KINDS;

const USAGE = `Usage: npm run bench:parser -- [options]

Runs the real parser handler against an in-memory S3 (fauxqs) and a ceiling in the same run
(gzip at the same level of the handler's own stage output + the same S3 reads and writes),
interleaved, and reports parser MB/s, ceiling MB/s, their ratio, peak RSS and /proc/loadavg.

Options:
  --size <MB>        size of each generated input (default 200; env BENCH_MB)
  --runs <n>         interleaved parser/ceiling pairs per format (default 3)
  --formats <list>   comma-separated: csv,ndjson (default both)
  --rss-size <MB>    CSV size of the peak-RSS run (default 1024; 0 skips; env BENCH_RSS_MB)
  --gzip-level <n>   gzip level of the parser and the ceiling, 1-9 (default 6; env GZIP_LEVEL)
  --dir <path>       where inputs are generated (default the OS temp dir; env BENCH_DIR)
  --cpu-prof <dir>   write a V8 CPU profile of every handler run into <dir> (node --cpu-prof)
  -h, --help         print this help and exit

Goals: ratio >= 0.8 (CSV), >= 0.9 (NDJSON); peak RSS <= 256 MB on 1 GB of CSV.
The machine's load moves every figure: compare ratios, and quote the load with them.`;

interface Options {
  sizeMb: number;
  runs: number;
  formats: Kind[];
  rssMb: number;
  gzipLevel: number;
  dir: string;
  cpuProf?: string;
}

function positive(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string' },
      runs: { type: 'string' },
      formats: { type: 'string' },
      'rss-size': { type: 'string' },
      'gzip-level': { type: 'string' },
      dir: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const formats = (values.formats ?? 'csv,ndjson').split(',').map((f) => f.trim());
  for (const f of formats) if (!(f in KINDS)) throw new Error(`--formats: unknown format ${JSON.stringify(f)}`);
  return {
    sizeMb: positive('size', values.size ?? process.env.BENCH_MB ?? '200', 1),
    runs: positive('runs', values.runs ?? '3', 1),
    formats: formats as Kind[],
    rssMb: positive('rss-size', values['rss-size'] ?? process.env.BENCH_RSS_MB ?? '1024', 0),
    gzipLevel: positive('gzip-level', values['gzip-level'] ?? process.env.GZIP_LEVEL ?? '6', 1, 9),
    dir: values.dir ?? process.env.BENCH_DIR ?? tmpdir(),
    cpuProf: values['cpu-prof'],
  };
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface ChildResult {
  ms: number;
  /** CPU time of all the process's threads (main + thread pool) during the timed part. */
  cpuMs: number;
  maxRssMb: number;
  /** Peaks of the handler's heap and Buffer memory (sampled). */
  memory?: { heapUsedMb: number; externalMb: number; arrayBuffersMb: number };
  response?: { batchItemFailures: unknown[] };
}

/** Child scripts, bundled and minified by esbuild like the deployed function (no tsx in the timed runs). */
const CHILDREN = ['parser-run', 'parser-ceiling-run'] as const;
type ChildName = (typeof CHILDREN)[number];
let bundleDir = '';

async function bundleChildren(dir: string): Promise<void> {
  await build({
    entryPoints: CHILDREN.map((c) => join(__dirname, `${c}.ts`)),
    outdir: dir,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    logLevel: 'error',
  });
  bundleDir = dir;
}

function runChild(script: ChildName, env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(bundleDir, `${script}.js`)], {
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const last = err.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${err}`));
      resolve(JSON.parse(last) as ChildResult);
    });
  });
}

/** Uploads the input (untimed) and returns the SQS message body the handler receives. */
async function upload(s3: MemoryS3, key: string, path: string): Promise<string> {
  // Multipart (fauxqs takes at most 11 MiB per request).
  const uploader = new ObjectUploader(s3.client, 'inbound', key, 'application/octet-stream');
  for await (const chunk of createReadStream(path, { highWaterMark: MB })) await uploader.add(chunk as Buffer);
  await uploader.commit();
  const size = uploader.bytes;
  const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'inbound', Key: key }));
  return JSON.stringify({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        s3: {
          bucket: { name: 'inbound' },
          object: { key, size, eTag: head.ETag!.replace(/"/g, ''), sequencer: Date.now().toString(16).toUpperCase() },
        },
      },
    ],
  });
}

async function emptyBucket(s3: MemoryS3, bucket: string): Promise<void> {
  for (const key of await s3.list(bucket, '')) {
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}

async function runParser(s3: MemoryS3, message: string, o: Options): Promise<ChildResult> {
  const profile = o.cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', o.cpuProf];
  const run = await runChild(
    'parser-run',
    {
      ...s3.env,
      INBOUND_BUCKET: 'inbound',
      STAGE_BUCKET: 'stage',
      ARCHIVE_BUCKET: 'archive',
      DATASETS: JSON.stringify(DATASETS),
      GZIP_LEVEL: String(o.gzipLevel),
      BENCH_MESSAGE: message,
    },
    profile,
  );
  if (run.response!.batchItemFailures.length > 0) throw new Error(`handler failed: ${JSON.stringify(run)}`);
  return run;
}

/** Uncompresses the handler's stage objects into local files (the ceiling's input); returns their sizes. */
async function stageOutput(
  s3: MemoryS3,
  dataset: string,
  dir: string,
): Promise<{ paths: string[]; gz: number; plain: number }> {
  const keys = await s3.list('stage', `data/${dataset}/`);
  const paths: string[] = [];
  let gz = 0;
  let plain = 0;
  for (const [i, key] of keys.entries()) {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: 'stage', Key: key }));
    gz += got.ContentLength ?? 0;
    const path = join(dir, `stage-${dataset}-${i}.ndjson`);
    await pipeline(got.Body as Readable, createGunzip(), createWriteStream(path));
    plain += (await stat(path)).size;
    paths.push(path);
  }
  return { paths, gz, plain };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const f1 = (n: number) => n.toFixed(1);

async function benchKind(s3: MemoryS3, o: Options, kind: Kind): Promise<void> {
  const dataset = KINDS[kind];
  const path = join(o.dir, `input.${kind}`);
  const bytes = await generateInput(kind, path, o.sizeMb);
  const key = `bench/${dataset}/input.${kind}`;
  const mb = bytes / MB;
  const parserMbs: number[] = [];
  const ceilingMbs: number[] = [];
  const ratios: number[] = [];
  let stage: { paths: string[]; gz: number; plain: number } | undefined;
  let rss = 0;
  let ceilingRss = 0;
  try {
    for (let run = 0; run < o.runs; run++) {
      let parserMs = 0;
      let ceilingMs = 0;
      let parserCpu = 0;
      let ceilingCpu = 0;
      const loads: string[] = [];
      const steps = run % 2 === 0 ? ['parser', 'ceiling'] : ['ceiling', 'parser'];
      for (const step of steps) {
        await emptyBucket(s3, 'inbound');
        const message = await upload(s3, key, path);
        loads.push(loadavg());
        if (step === 'parser') {
          await emptyBucket(s3, 'stage');
          await emptyBucket(s3, 'archive');
          const r = await runParser(s3, message, o);
          parserMs = r.ms;
          parserCpu = r.cpuMs;
          rss = Math.max(rss, r.maxRssMb);
          stage ??= await stageOutput(s3, dataset, o.dir);
        } else {
          await emptyBucket(s3, 'ceiling');
          const job: CeilingJob = {
            inputBucket: 'inbound',
            inputKey: key,
            archiveBucket: 'ceiling',
            outBucket: 'ceiling',
            plainPaths: stage!.paths,
            gzipLevel: o.gzipLevel,
          };
          const c = await runChild('parser-ceiling-run', { ...s3.env, BENCH_CEILING: JSON.stringify(job) });
          ceilingMs = c.ms;
          ceilingCpu = c.cpuMs;
          ceilingRss = Math.max(ceilingRss, c.maxRssMb);
        }
      }
      loads.push(loadavg());
      parserMbs.push(mb / (parserMs / 1000));
      ceilingMbs.push(mb / (ceilingMs / 1000));
      ratios.push(ceilingMs / parserMs);
      console.log(
        `${kind.padEnd(6)} run ${run + 1}: parser ${f1(parserMs / 1000)} s = ${f1(parserMbs[run])} MB/s | ` +
          `ceiling ${f1(ceilingMs / 1000)} s = ${f1(ceilingMbs[run])} MB/s | ratio ${ratios[run].toFixed(2)} | ` +
          `CPU s parser ${f1(parserCpu / 1000)} ceiling ${f1(ceilingCpu / 1000)} | ` +
          `loadavg ${loads.join(' → ')}`,
      );
    }
    console.log(
      `${kind.padEnd(6)} ${f1(mb)} MB → stage ${f1(stage!.plain / MB)} MB (${(stage!.plain / bytes).toFixed(2)}×) ` +
        `→ ${f1(stage!.gz / MB)} MB gzip in ${stage!.paths.length} object(s) | median: parser ${f1(median(parserMbs))} MB/s, ` +
        `ceiling ${f1(median(ceilingMbs))} MB/s, ratio ${median(ratios).toFixed(2)} | peak RSS ${rss.toFixed(0)} MB (ceiling process ${ceilingRss.toFixed(0)} MB)`,
    );
  } finally {
    await rm(path, { force: true });
    for (const p of stage?.paths ?? []) await rm(p, { force: true });
    for (const b of BUCKETS) await emptyBucket(s3, b);
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o === undefined) {
    console.log(USAGE);
    return;
  }
  o.dir = await mkdtemp(join(o.dir, 'parser-bench-'));
  await bundleChildren(o.dir);
  const s3 = await startMemoryS3(BUCKETS);
  console.log(
    `parser benchmark (in-memory S3): ${o.sizeMb} MB inputs, ${o.runs} run(s), gzip level ${o.gzipLevel}, ` +
      `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(default 4)'}, loadavg ${loadavg()}`,
  );
  try {
    for (const kind of o.formats) await benchKind(s3, o, kind);
    if (o.rssMb > 0) {
      const path = join(o.dir, 'big.csv');
      const bytes = await generateInput('csv', path, o.rssMb);
      const message = await upload(s3, 'bench/listings/big.csv', path);
      await rm(path);
      const load = loadavg();
      const run = await runParser(s3, message, o);
      console.log(
        `rss    ${f1(bytes / MB)} MB CSV: peak RSS ${run.maxRssMb.toFixed(0)} MB, ` +
          `${f1(bytes / MB / (run.ms / 1000))} MB/s | peak heap ${run.memory?.heapUsedMb} MB, ` +
          `Buffers ${run.memory?.arrayBuffersMb} MB | loadavg ${load} → ${loadavg()}`,
      );
    }
  } finally {
    await s3.stop();
    await rm(o.dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
