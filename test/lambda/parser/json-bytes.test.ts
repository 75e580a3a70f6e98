import { MAX_BYTES_PER_CHAR, writeJsonChars } from '../../../lambda/parser/json-bytes';
import { LineBatcher } from '../../../lambda/parser/record-sink';

/** What JSON.stringify writes for a string, without its surrounding quotes, as UTF-8 bytes. */
const expected = (s: string) => Buffer.from(JSON.stringify(s).slice(1, -1), 'utf8');

function written(s: string, from = 0, to = s.length): Buffer {
  const out = Buffer.alloc((to - from) * MAX_BYTES_PER_CHAR + 4, 0xee);
  const end = writeJsonChars(s, from, to, out, 2);
  return out.subarray(2, end);
}

describe('writeJsonChars', () => {
  test('GIVEN every ASCII character WHEN written THEN the bytes are those of JSON.stringify', () => {
    let all = '';
    for (let c = 0; c < 128; c++) all += String.fromCharCode(c);
    expect(written(all)).toEqual(expected(all));
  });

  test('GIVEN multi-byte characters, U+2028 and surrogate pairs WHEN written THEN valid UTF-8 as JSON.stringify', () => {
    const s = 'é\u0080\u07ff\u0800\u2028\u2029\uffff€😀Zürich 𝄞';
    expect(written(s)).toEqual(expected(s));
    expect(written(s).toString('utf8')).toBe(s);
  });

  test('GIVEN lone surrogates WHEN written THEN they are \\u escapes, as JSON.stringify writes them', () => {
    const s = 'a\ud800b\udc00c\ud83d';
    expect(written(s)).toEqual(expected(s));
    expect(written(s).toString('latin1')).toBe('a\\ud800b\\udc00c\\ud83d');
  });

  test('GIVEN a range cutting a surrogate pair WHEN written THEN the half inside the range is escaped alone', () => {
    const s = 'x😀y';
    expect(written(s, 0, 2).toString('latin1')).toBe('x\\ud83d');
  });

  test('GIVEN a range WHEN written THEN only that range is written and the rest of the buffer is untouched', () => {
    const out = Buffer.alloc(40, 0xee);
    const end = writeJsonChars('ab"c\nd', 1, 5, out, 3);
    expect(out.subarray(3, end).toString('utf8')).toBe('b\\"c\\n');
    expect(out[2]).toBe(0xee);
    expect(out[end]).toBe(0xee);
  });
});

describe('LineBatcher (byte batches)', () => {
  const ctx = {
    source: 'acme',
    sourceKey: 'acme/orders/2024/ü "q".csv',
    receivedAt: '2024-05-06T07:08:09.123Z',
    bucket: 'inbound',
    eTag: 'e1',
  };
  const line = (row: number, record: unknown) =>
    JSON.stringify({
      source: ctx.source,
      source_key: ctx.sourceKey,
      source_row: row,
      received_at: ctx.receivedAt,
      record,
    }) + '\n';

  test('GIVEN records and rejects WHEN batched THEN stage lines number every row and rejects keep their numbers', () => {
    const b = new LineBatcher(ctx, 64);
    b.record('{"a":"1"}');
    b.reject('RAGGED_ROW', 'bad', 'x');
    const space = b.reserve(20);
    const end = space.pos + space.buf.write('{"b":"€"}', space.pos, 'utf8');
    b.commit(end);
    const dropped = b.reserve(20); // reserved, never committed: nothing staged, no row used
    dropped.buf.write('{"zzz":1}', dropped.pos, 'utf8');
    b.record('{"c":[1,2.50]}');
    b.finish();
    const text = Buffer.concat(b.stageBatches).toString('utf8');
    // The record's text is kept exactly (2.50 stays 2.50), which JSON.stringify cannot write.
    const last = line(4, { c: 'RECORD' }).replace('"RECORD"', '[1,2.50]');
    expect(text).toBe(line(1, { a: '1' }) + line(3, { b: '€' }) + last);
    expect([b.rows, b.rowsOut, b.rowsRejected]).toEqual([4, 3, 1]);
    expect(JSON.parse(b.rejectBatches.join('').trim()).source_row).toBe(2);
  });

  test('GIVEN lines larger than the batch size WHEN batched THEN every line is whole in exactly one batch', () => {
    const b = new LineBatcher(ctx, 100);
    const values = ['x'.repeat(10), 'y'.repeat(500), 'z', 'w'.repeat(300)];
    for (const v of values) b.record(JSON.stringify({ v }));
    b.finish();
    expect(b.stageBatches.length).toBeGreaterThan(1);
    for (const batch of b.stageBatches) expect(batch.toString('utf8').endsWith('\n')).toBe(true);
    expect(Buffer.concat(b.stageBatches).toString('utf8')).toBe(values.map((v, i) => line(i + 1, { v })).join(''));
  });
});
