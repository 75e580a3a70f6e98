/**
 * Child process of bench/parser.ts: the ceiling, i.e. the work no implementation of the parser
 * avoids, timed in a process of its own like the handler (same S3 server, same machine load):
 * - the same S3 reads and writes: GetObject of the input (read to the end), CopyObject of it into
 *   the archive bucket, a multipart upload of the compressed output (8 MiB parts);
 * - gzip at the parser's level of the handler's own stage output (its uncompressed bytes, read
 *   from local files in 1 MiB writes, as the handler writes its batches), one zlib stream per
 *   stage object.
 * Prints `{ ms, maxRssMb, outBytes }` as JSON on stderr.
 */
import { createReadStream, readFileSync } from 'fs';
import { once } from 'events';
import { createGzip } from 'zlib';
import type { ZlibOptions } from 'zlib';
import type { Readable } from 'stream';
import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ObjectUploader } from '../lambda/parser/object-uploader';

export interface CeilingJob {
  readonly inputBucket: string;
  readonly inputKey: string;
  readonly archiveBucket: string;
  readonly outBucket: string;
  /** Uncompressed stage objects of the handler, one file per object. */
  readonly plainPaths: readonly string[];
  readonly gzipLevel: number;
}

const BATCH = 1024 * 1024;

async function readInput(s3: S3Client, job: CeilingJob): Promise<number> {
  const got = await s3.send(new GetObjectCommand({ Bucket: job.inputBucket, Key: job.inputKey }));
  let bytes = 0;
  for await (const chunk of got.Body as Readable) bytes += (chunk as Buffer).length;
  return bytes;
}

async function compressOne(s3: S3Client, job: CeilingJob, path: string, index: number): Promise<number> {
  const options: ZlibOptions & { writableHighWaterMark: number } = {
    level: job.gzipLevel,
    chunkSize: 256 * 1024,
    writableHighWaterMark: 8 * BATCH,
  };
  const gzip = createGzip(options);
  const uploader = new ObjectUploader(s3, job.outBucket, `ceiling/${index}.ndjson.gz`, 'application/x-ndjson');
  const uploading = (async () => {
    for await (const chunk of gzip) await uploader.add(chunk as Buffer);
  })();
  for await (const chunk of createReadStream(path, { highWaterMark: BATCH })) {
    if (!gzip.write(chunk as Buffer)) await once(gzip, 'drain');
  }
  gzip.end();
  await uploading;
  await uploader.commit();
  return uploader.bytes;
}

/**
 * Peak RSS of this process (VmHWM). Not getrusage's maxRSS: Linux carries that across fork/exec,
 * so a child would report the parent's RSS (the benchmark process holding the in-memory S3).
 */
function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? process.resourceUsage().maxRSS / 1024 : Number(match[1]) / 1024;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_CEILING!) as CeilingJob;
  const s3 = new S3Client({ forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await s3.send(new ListObjectsV2Command({ Bucket: job.outBucket, MaxKeys: 1 })); // warm, as for the handler
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const reading = readInput(s3, job);
  let outBytes = 0;
  for (let i = 0; i < job.plainPaths.length; i++) outBytes += await compressOne(s3, job, job.plainPaths[i], i);
  await reading;
  await s3.send(
    new CopyObjectCommand({
      Bucket: job.archiveBucket,
      Key: `ceiling/${job.inputKey}`,
      CopySource: `${job.inputBucket}/${job.inputKey}`,
    }),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const maxRssMb = peakRssMb();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  s3.destroy();
  process.stderr.write(JSON.stringify({ ms, cpuMs, maxRssMb, outBytes }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
