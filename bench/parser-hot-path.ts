/**
 * In-process split of the parser's CPU between its two threads' work, without S3: the main
 * thread's (UTF-8 decode → format parser → stage-line batches) and the thread pool's (gzip of those
 * batches). On a 2-core machine the handler keeps pace with the compression ceiling when the first
 * is below the second. CPU time (process.cpuUsage, best of --reps) is used, not wall time, so the
 * figures move less with the machine's load. Profile with
 *   npx esbuild bench/parser-hot-path.ts --bundle --platform=node --outfile=/tmp/hot.js && node --cpu-prof /tmp/hot.js
 */
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseArgs } from 'util';
import { gzipSync } from 'zlib';
import type { DatasetSpec } from '../contracts/config';
import { createParser } from '../lambda/parser/formats';
import { LineBatcher } from '../lambda/parser/record-sink';
import { Utf8Chunks } from '../lambda/parser/utf8-chunks';
import { generateInput } from './parser-inputs';

const MB = 1024 * 1024;
/** Input chunk size (bytes); S3 bodies arrive in socket reads of 16-64 KiB. */
const CHUNK = Number(process.env.HOT_PATH_CHUNK ?? 64 * 1024);
const USAGE = `Usage: npx tsx bench/parser-hot-path.ts [--size MB (default 30)] [--reps n (default 5)] [--gzip-level n (default 6)] [--formats csv,ndjson] [--text (decode to text first, the path before bytes)]`;

const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

function parse(kind: 'csv' | 'ndjson', bytes: Buffer, bytesMode: boolean): Buffer[] {
  const dataset = { name: 'x', format: kind, columns: [{ name: 'id', type: 'VARCHAR' }] } as DatasetSpec;
  const batcher = new LineBatcher({
    source: 'acme',
    sourceKey: `acme/x/2024/05/06/export-0001.${kind}`,
    receivedAt: '2024-05-06T07:08:09.123Z',
    bucket: 'inbound',
    eTag: 'e',
  });
  const parser = createParser(kind, dataset, batcher, new Set<string>()); // top-level names, as the handler collects
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // As the handler reads a configured CSV/NDJSON: validated UTF-8 bytes (--text: decoded text, as before).
  const utf8 = new Utf8Chunks({ bytesDecoded: 0 });
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const chunk = bytes.subarray(i, i + CHUNK);
    if (bytesMode) {
      const valid = utf8.decode(chunk);
      if (valid !== undefined) parser.pushBytes!(valid);
    } else parser.push(decoder.decode(chunk, { stream: true }));
    out.push(...batcher.stageBatches.splice(0));
  }
  parser.end();
  batcher.finish();
  out.push(...batcher.stageBatches.splice(0));
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      reps: { type: 'string' },
      'gzip-level': { type: 'string' },
      formats: { type: 'string' },
      text: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE);
  const sizeMb = Number(values.size ?? 30);
  const reps = Number(values.reps ?? 5);
  const level = Number(values['gzip-level'] ?? 6);
  const dir = await mkdtemp(join(tmpdir(), 'parser-hot-path-'));
  try {
    for (const kind of (values.formats ?? 'csv,ndjson').split(',') as ('csv' | 'ndjson')[]) {
      const path = join(dir, `input.${kind}`);
      await generateInput(kind, path, sizeMb);
      const bytes = await readFile(path);
      let parseBest = Infinity;
      let gzipBest = Infinity;
      let plain = 0;
      let gz = 0;
      for (let rep = 0; rep < reps; rep++) {
        const c0 = process.cpuUsage();
        const batches = parse(kind, bytes, !values.text);
        parseBest = Math.min(parseBest, cpuMs(c0));
        const c1 = process.cpuUsage();
        gz = 0;
        for (const b of batches) gz += gzipSync(b, { level }).length;
        gzipBest = Math.min(gzipBest, cpuMs(c1));
        plain = batches.reduce((n, b) => n + b.length, 0);
      }
      const mbs = (ms: number) => (bytes.length / MB / (ms / 1000)).toFixed(1);
      console.log(
        `${kind.padEnd(6)} ${(bytes.length / MB).toFixed(0)} MB → ${(plain / MB).toFixed(0)} MB of lines | ` +
          `main thread ${parseBest.toFixed(0)} ms CPU (${mbs(parseBest)} MB/s) | gzip-${level} ${gzipBest.toFixed(0)} ms CPU ` +
          `(${mbs(gzipBest)} MB/s, ${(gz / MB).toFixed(1)} MB) | main/gzip ${(parseBest / gzipBest).toFixed(2)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
