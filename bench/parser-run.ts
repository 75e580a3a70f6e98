/**
 * Child process of bench/parser.ts: runs the real parser handler on one SQS message against the
 * benchmark's S3 server and prints `{ ms, maxRssMb, response }` as JSON. A separate process, so the
 * peak RSS is the parser's alone (not the S3 server's or the generator's).
 */
import { readFileSync } from 'fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../lambda/shared/s3-client';
import { loadParserConfig } from '../lambda/parser/config';
import { createHandler } from '../lambda/parser/handler';

/**
 * Peak RSS of this process (VmHWM). Not getrusage's maxRSS: Linux carries that across fork/exec,
 * so a child would report the parent's RSS (the benchmark process holding the in-memory S3).
 */
function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? process.resourceUsage().maxRSS / 1024 : Number(match[1]) / 1024;
}

async function main(): Promise<void> {
  const config = loadParserConfig();
  // A warm function: the client's lazily loaded parts (credentials, signer, XML) are loaded before timing.
  const s3 = createS3Client();
  await s3.send(new ListObjectsV2Command({ Bucket: config.stageBucket, MaxKeys: 1 }));
  const handler = createHandler(config, {
    s3,
    logger: new Logger({ serviceName: 'parser', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Bench', serviceName: 'parser' }),
  });
  const body = process.env.BENCH_MESSAGE!;
  // Peak of each part of the memory, sampled: which one makes the peak RSS.
  const memory = { heapUsedMb: 0, externalMb: 0, arrayBuffersMb: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    memory.heapUsedMb = Math.max(memory.heapUsedMb, Math.round(m.heapUsed / 1048576));
    memory.externalMb = Math.max(memory.externalMb, Math.round(m.external / 1048576));
    memory.arrayBuffersMb = Math.max(memory.arrayBuffersMb, Math.round(m.arrayBuffers / 1048576));
  }, 50);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const response = await handler({ Records: [{ messageId: 'bench', body } as never] }, {
    functionName: 'bench',
  } as Context);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  const maxRssMb = peakRssMb();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stderr.write(JSON.stringify({ ms, cpuMs, maxRssMb, memory, response }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
