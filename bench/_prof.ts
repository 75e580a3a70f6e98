import { readFileSync, existsSync } from 'fs';
import { generateInput } from './parser-inputs';
import { createParser } from '../lambda/parser/formats';
import { LineBatcher } from '../lambda/parser/record-sink';
import { gzipSync } from 'zlib';

(async () => {
  const kind = (process.argv[2] ?? 'csv') as 'csv' | 'ndjson';
  const path = `/tmp/csvspeed/in.${kind}`;
  if (!existsSync(path)) await generateInput(kind, path, 50);
  const bytes = readFileSync(path);
  const ds = { name: 'x', format: kind, columns: [{ name: 'id', type: 'VARCHAR' }] } as never;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const dec = new TextDecoder('utf-8', { fatal: true });
    const b = new LineBatcher({
      source: 'acme',
      sourceKey: 'acme/listings/2024/a.csv',
      receivedAt: '2024-05-06T07:08:09.123Z',
      bucket: 'inbound',
      eTag: 'e',
    });
    const p = createParser(kind, ds, b);
    let out = 0;
    let enc = 0n;
    for (let i = 0; i < bytes.length; i += 256 * 1024) {
      p.push(dec.decode(bytes.subarray(i, i + 256 * 1024), { stream: true }));
      while (b.stageBatches.length) {
        const t = process.hrtime.bigint();
        out += b.stageBatches.shift()!.length;
        enc += process.hrtime.bigint() - t;
      }
    }
    p.end();
    b.finish();
    while (b.stageBatches.length) out += b.stageBatches.shift()!.length;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(c0);
    console.log(
      `cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms = ${(bytes.length / 1048576 / ((cpu.user + cpu.system) / 1e6)).toFixed(1)} MB/s-cpu `,
      `${kind} ${(bytes.length / 1048576 / (ms / 1000)).toFixed(1)} MB/s in, out ${(out / 1048576).toFixed(0)} MB, encode ${(Number(enc) / 1e6).toFixed(0)} ms of ${ms.toFixed(0)} ms`,
    );
  }
  if (process.argv[3] === 'gz') {
    const t = process.hrtime.bigint();
    const s = bytes.subarray(0, 20 * 1048576);
    gzipSync(s, { level: 6 });
    console.log('gzip6 raw input MB/s', (20 / (Number(process.hrtime.bigint() - t) / 1e9)).toFixed(1));
  }
})();
