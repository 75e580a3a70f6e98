import { readFileSync, existsSync } from 'fs';
import { generateInput } from './parser-inputs';
import { createParser } from '../lambda/parser/formats';
import { LineBatcher } from '../lambda/parser/record-sink';
import { createGzip } from 'zlib';

const cpu = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
(async () => {
  const kind = (process.argv[2] ?? 'csv') as 'csv' | 'ndjson';
  const level = Number(process.argv[3] ?? 6);
  const path = `/tmp/csvspeed/in.${kind}`;
  if (!existsSync(path)) await generateInput(kind, path, 50);
  const bytes = readFileSync(path);
  const ds = { name: 'x', format: kind, columns: [{ name: 'id', type: 'VARCHAR' }] } as never;
  for (let rep = 0; rep < 3; rep++) {
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
    const batches: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 256 * 1024) {
      p.push(dec.decode(bytes.subarray(i, i + 256 * 1024), { stream: true }));
      while (b.stageBatches.length) batches.push(Buffer.from(b.stageBatches.shift()!));
    }
    p.end();
    b.finish();
    while (b.stageBatches.length) batches.push(Buffer.from(b.stageBatches.shift()!));
    const parseMs = cpu(c0);
    // gzip CPU (thread pool time is not in process.cpuUsage? it is: cpuUsage covers all threads)
    const c1 = process.cpuUsage();
    const gz = createGzip({ level, chunkSize: 256 * 1024 });
    let outBytes = 0;
    gz.on('data', (d: Buffer) => (outBytes += d.length));
    for (const x of batches) gz.write(x);
    gz.end();
    await new Promise((r) => gz.on('end', r));
    const gzMs = cpu(c1);
    const plain = batches.reduce((s, x) => s + x.length, 0);
    console.log(
      `${kind} parse cpu ${parseMs.toFixed(0)} ms | gzip-${level} cpu ${gzMs.toFixed(0)} ms | parse/gzip ${(parseMs / gzMs).toFixed(2)} | plain ${(plain / 1048576).toFixed(0)} MB gz ${(outBytes / 1048576).toFixed(1)} MB`,
    );
  }
})();
