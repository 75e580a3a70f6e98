/**
 * CSV parser choice, by measurement: parse the same generated Airbnb-shaped CSV (BENCH_CSV_MB MB,
 * default 50) in 1 MiB string chunks with each candidate and report MB/s.
 * Run: `npx tsx bench/parser-csv-libs.ts`
 *
 * The project's CsvParser does more than the libraries here (it also builds each record's JSON
 * text and enforces the size limit), so its figure is a conservative comparison.
 */
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse as csvParseSync } from 'csv-parse/sync';
import Papa from 'papaparse';
import { inferSchema, initParser } from 'udsv';
import { CsvParser } from '../lambda/parser/csv-parser';
import type { RecordSink } from '../lambda/parser/record-sink';
import { generateInput } from './parser-inputs';

const MB = 1024 * 1024;

function chunks(text: string, size = MB): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function time(name: string, bytes: number, run: () => number): void {
  const started = process.hrtime.bigint();
  const rows = run();
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${name.padEnd(34)} ${(bytes / MB / s).toFixed(1).padStart(6)} MB/s  (${rows} rows)`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'csv-libs-'));
  try {
    const path = join(dir, 'listings.csv');
    const bytes = await generateInput('csv', path, Number(process.env.BENCH_CSV_MB ?? 50));
    const text = (await readFile(path)).toString('utf8');
    const parts = chunks(text);

    time('CsvParser (this project, + JSON)', bytes, () => {
      let rows = 0;
      const space = { buf: Buffer.allocUnsafe(64 * MB), pos: 0 };
      const sink: RecordSink = {
        record: () => void rows++,
        reject: () => void rows++,
        reserve: () => space,
        commit: () => void rows++,
      };
      const parser = new CsvParser(
        { delimiter: ',', quote: '"', header: true, columns: [], maxRecordBytes: 8 * MB },
        sink,
      );
      for (const p of parts) parser.push(p);
      parser.end();
      return rows;
    });

    time('papaparse (string, step)', bytes, () => {
      let rows = 0;
      Papa.parse<string[]>(text, { step: () => void rows++ });
      return rows - 1;
    });

    time('papaparse (string, step) + JSON', bytes, () => {
      let rows = 0;
      let keys: string[] | undefined;
      let total = 0;
      Papa.parse<string[]>(text, {
        step: (result) => {
          const fields = result.data;
          if (keys === undefined) {
            keys = fields.map((n, i) => (i === 0 ? '{' : ',') + JSON.stringify(n) + ':');
            return;
          }
          let json = '';
          for (let f = 0; f < fields.length; f++) json += keys[f] + JSON.stringify(fields[f]);
          total += json.length;
          rows++;
        },
      });
      return total > 0 ? rows : 0;
    });

    time('udsv (whole string, stringArrs)', bytes, () => initParser(inferSchema(text)).stringArrs(text).length);

    time('udsv (chunked stringArrs)', bytes, () => {
      let rows = 0;
      const parser = initParser(inferSchema(parts[0]));
      for (const p of parts)
        parser.chunk<string[]>(p, parser.stringArrs, (batch) => {
          rows += batch.length;
        });
      parser.end();
      return rows;
    });

    time('csv-parse (sync)', bytes, () => csvParseSync(text, { relax_column_count: true }).length - 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
