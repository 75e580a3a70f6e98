/**
 * What a smaller canonical stage line would save, measured on the benchmark inputs (nothing in
 * the pipeline uses it: the stage line contract is unchanged). Run:
 *   npx tsx bench/stage-line-size.ts [--size MB] [--key acme/listings/2024/05/06/listings.csv]
 *
 * Today every line repeats the file's constants: {"source","source_key","source_row","received_at","record"}.
 * The compact form keeps only {"source_row","record"}; the constants would travel once per file
 * (e.g. in the stage object's name/manifest, read with METADATA$FILENAME at load time).
 * Snowpipe bills text files by uncompressed bytes, so the saving in plain bytes is the saving in
 * billed GB; the gzip saving is in S3 bytes and transfer.
 */
import { gzipSync } from 'zlib';
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseArgs } from 'util';
import type { DatasetSpec } from '../contracts/config';
import { createParser } from '../lambda/parser/formats';
import { LineBatcher } from '../lambda/parser/record-sink';
import type { RecordSink, RecordSpace } from '../lambda/parser/record-sink';
import { generateInput } from './parser-inputs';

const MB = 1024 * 1024;

/** `{"source_row":N,"record":{…}}` lines (the same record bytes as the stage line). */
class CompactLines implements RecordSink {
  readonly chunks: Buffer[] = [];
  private row = 0;
  private space: RecordSpace | undefined;

  reserve(maxBytes: number): RecordSpace {
    const head = `{"source_row":${this.row + 1},"record":`;
    const buf = Buffer.allocUnsafe(head.length + maxBytes + 2);
    buf.write(head, 0, 'latin1');
    this.space = { buf, pos: head.length };
    return this.space;
  }

  commit(end: number): void {
    const buf = this.space!.buf;
    buf.write('}\n', end, 'latin1');
    this.chunks.push(buf.subarray(0, end + 2));
    this.row++;
  }

  record(json: string): void {
    const space = this.reserve(json.length * 3);
    this.commit(space.pos + space.buf.write(json, space.pos, 'utf8'));
  }

  reject(): void {
    this.row++;
  }
}

function parseInto(kind: 'csv' | 'ndjson', text: string, sink: RecordSink): void {
  const dataset = { name: 'x', format: kind, columns: [{ name: 'id', type: 'VARCHAR' }] } as DatasetSpec;
  const parser = createParser(kind, dataset, sink);
  for (let i = 0; i < text.length; i += MB) parser.push(text.slice(i, i + MB));
  parser.end();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { size: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log('Usage: npx tsx bench/stage-line-size.ts [--size MB (default 50)] [--key <inbound key>]');
    return;
  }
  const sizeMb = Number(values.size ?? 50);
  const dir = await mkdtemp(join(tmpdir(), 'stage-line-size-'));
  try {
    for (const kind of ['csv', 'ndjson'] as const) {
      const path = join(dir, `input.${kind}`);
      const inputBytes = await generateInput(kind, path, sizeMb);
      const text = await readFile(path, 'utf8');
      const sourceKey = values.key ?? `acme/${kind === 'csv' ? 'listings' : 'events'}/2024/05/06/export-0001.${kind}`;
      const full = new LineBatcher({
        source: 'acme',
        sourceKey,
        receivedAt: '2024-05-06T07:08:09.123Z',
        bucket: 'inbound',
        eTag: 'e',
      });
      parseInto(kind, text, full);
      full.finish();
      const compact = new CompactLines();
      parseInto(kind, text, compact);
      const a = Buffer.concat(full.stageBatches);
      const b = Buffer.concat(compact.chunks);
      const gzA = gzipSync(a, { level: 6 }).length;
      const gzB = gzipSync(b, { level: 6 }).length;
      const pct = (x: number, y: number) => `${(100 * (1 - y / x)).toFixed(1)}%`;
      console.log(
        `${kind.padEnd(6)} ${(inputBytes / MB).toFixed(0)} MB input, ${full.rowsOut} rows, key ${sourceKey.length} chars | ` +
          `stage plain ${(a.length / MB).toFixed(1)} MB (${(a.length / inputBytes).toFixed(2)}×) → compact ` +
          `${(b.length / MB).toFixed(1)} MB (${(b.length / inputBytes).toFixed(2)}×): billed GB −${pct(a.length, b.length)} | ` +
          `gzip ${(gzA / MB).toFixed(1)} → ${(gzB / MB).toFixed(1)} MB: −${pct(gzA, gzB)} | ` +
          `${((a.length - b.length) / full.rowsOut).toFixed(0)} bytes/line`,
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
