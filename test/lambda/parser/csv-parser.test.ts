import { CsvParser } from '../../../lambda/parser/csv-parser';
import type { CsvParserOptions } from '../../../lambda/parser/csv-parser';
import { FileRejectedError } from '../../../lambda/parser/errors';
import { CollectingSink, feed } from './collecting-sink';

const csv: CsvParserOptions = { delimiter: ',', quote: '"', header: true, columns: [], maxRecordBytes: 1024 };

function parse(text: string, options: Partial<CsvParserOptions> = {}, chunk?: number): CollectingSink {
  const sink = new CollectingSink();
  feed(new CsvParser({ ...csv, ...options }, sink), text, chunk);
  return sink;
}

describe('CsvParser', () => {
  test('GIVEN RFC 4180 quoting WHEN parsed THEN doubled quotes, quoted delimiters and newlines are data', () => {
    const sink = parse('id,text\r\n1,"a ""quoted"", word"\r\n2,"line1\r\nline2"\r\n3,\r\n');
    expect(sink.records).toEqual([
      { id: '1', text: 'a "quoted", word' },
      { id: '2', text: 'line1\r\nline2' },
      { id: '3', text: '' },
    ]);
    expect(sink.rejects).toEqual([]);
  });

  test('GIVEN any chunking WHEN parsed THEN the result equals parsing the whole text', () => {
    const text = 'a,b,c\n"x,""1""",y,\n,"multi\nline",z\r\n"",,"end"\n1,2"3,4\n"q"';
    const whole = parse(text);
    expect(whole.records).toEqual([
      { a: 'x,"1"', b: 'y', c: '' },
      { a: '', b: 'multi\nline', c: 'z' },
      { a: '', b: '', c: 'end' },
      { a: '1', b: '2"3', c: '4' },
    ]);
    expect(whole.rejects).toEqual([
      { row: 5, reason: 'RAGGED_ROW', message: 'row has 1 fields, the header has 3', raw: '"q"' },
    ]);
    for (const size of [1, 2, 3, 5, 7]) {
      const chunked = parse(text, {}, size);
      expect(chunked.texts).toEqual(whole.texts);
      expect(chunked.rejects).toEqual(whole.rejects);
    }
  });

  test('GIVEN a quote inside an unquoted field WHEN parsed THEN it is kept literally', () => {
    expect(parse('a,b\n1,2"3\n').records).toEqual([{ a: '1', b: '2"3' }]);
  });

  test('GIVEN rows with too many or too few fields WHEN parsed THEN each is a RAGGED_ROW with its ordinal and raw text', () => {
    const sink = parse('a,b\n1,2\n1,2,3\n4\n5,6\n');
    expect(sink.records).toEqual([
      { a: '1', b: '2' },
      { a: '5', b: '6' },
    ]);
    expect(sink.rejects).toEqual([
      { row: 2, reason: 'RAGGED_ROW', message: 'row has 3 fields, the header has 2', raw: '1,2,3' },
      { row: 3, reason: 'RAGGED_ROW', message: 'row has 1 fields, the header has 2', raw: '4' },
    ]);
  });

  test('GIVEN text after a closing quote or an unterminated quote WHEN parsed THEN MALFORMED_CSV rows', () => {
    const sink = parse('a,b\n"x"y,1\n2,3\n4,"open\n');
    expect(sink.records).toEqual([{ a: '2', b: '3' }]);
    expect(sink.rejects.map((r) => [r.row, r.reason, r.raw])).toEqual([
      [1, 'MALFORMED_CSV', '"x"y,1'],
      [3, 'MALFORMED_CSV', '4,"open\n'],
    ]);
  });

  test('GIVEN header: false WHEN parsed THEN fields are named by columns in order and blank lines skipped', () => {
    const sink = parse('1,x\n\n2,y\n', { header: false, columns: ['id', 'name'] });
    expect(sink.records).toEqual([
      { id: '1', name: 'x' },
      { id: '2', name: 'y' },
    ]);
  });

  test('GIVEN TSV WHEN parsed THEN quotes are data and only tabs split', () => {
    const sink = parse('a\tb\n"x"\t1,2\n', { delimiter: '\t', quote: undefined });
    expect(sink.records).toEqual([{ a: '"x"', b: '1,2' }]);
  });

  test('GIVEN a record over maxRecordBytes WHEN parsed in small chunks THEN it is RECORD_TOO_LARGE and the next row parses', () => {
    const big = 'x'.repeat(5000);
    const sink = parse(`a,b\n1,"${big}\n${big}"\n2,ok\n`, {}, 100);
    expect(sink.records).toEqual([{ a: '2', b: 'ok' }]);
    expect(sink.rejects).toHaveLength(1);
    expect(sink.rejects[0]).toMatchObject({ row: 1, reason: 'RECORD_TOO_LARGE' });
    expect(sink.rejects[0].raw.startsWith('1,"xxx')).toBe(true);
  });

  test('GIVEN multi-byte text near the limit WHEN parsed THEN the limit counts UTF-8 bytes', () => {
    const row = 'é'.repeat(600); // 600 chars, 1200 bytes
    const sink = parse(`a\n${row}\n${'e'.repeat(600)}\n`);
    expect(sink.rejects.map((r) => r.reason)).toEqual(['RECORD_TOO_LARGE']);
    expect(sink.records).toEqual([{ a: 'e'.repeat(600) }]);
  });

  test('GIVEN a duplicate header name WHEN parsed THEN the file is rejected as INVALID_HEADER', () => {
    expect(() => parse('a,a\n1,2\n')).toThrow(FileRejectedError);
    expect(() => parse('a,a\n1,2\n')).toThrow(/duplicate field name "a"/);
  });

  test('GIVEN a custom delimiter and quote WHEN parsed THEN they are honoured', () => {
    expect(parse("a;b\n'x;y';'it''s'\n", { delimiter: ';', quote: "'" }).records).toEqual([{ a: 'x;y', b: "it's" }]);
  });
});

describe('CsvParser oversized records across chunk boundaries', () => {
  test('GIVEN an oversized record full of quotes WHEN fed in every small chunk size THEN the same rows and rejects', () => {
    const big = 'ab""c,\n'.repeat(300);
    const text = `a,b\n1,"${big}"\n"2","x""y"\n3,"${big}",\n4,z\n`;
    const whole = parse(text);
    expect(whole.records).toEqual([
      { a: '2', b: 'x"y' },
      { a: '4', b: 'z' },
    ]);
    expect(whole.rejects.map((r) => [r.row, r.reason])).toEqual([
      [1, 'RECORD_TOO_LARGE'],
      [3, 'RECORD_TOO_LARGE'],
    ]);
    for (const size of [1, 2, 3, 5, 8, 13, 100]) {
      const chunked = parse(text, {}, size);
      expect(chunked.texts).toEqual(whole.texts);
      expect(chunked.rejects.map((r) => [r.row, r.reason])).toEqual(whole.rejects.map((r) => [r.row, r.reason]));
    }
  });
  test('GIVEN values with escapes, control characters and non-ASCII text WHEN parsed THEN each value is exactly its JSON string', () => {
    const values = ['back\\slash', 'tab\there', 'ctl\u0001\u001f', 'q"uote', 'Zoë 😀 €', '\u2028', 'x\r\ny', ''];
    const quoted = values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v));
    const header = values.map((_, i) => `c${i}`);
    const sink = parse(`${header.join(',')}\n${quoted.join(',')}\n`);
    const expectedText =
      '{' + header.map((h, i) => `${JSON.stringify(h)}:${JSON.stringify(values[i])}`).join(',') + '}';
    expect(sink.texts).toEqual([expectedText]);
    expect(sink.rejects).toEqual([]);
  });

  test('GIVEN a single-column file WHEN parsed in one chunk THEN every row is its own record', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `v${i}`);
    const sink = parse(`only\n${rows.join('\n')}\n`);
    expect(sink.records).toEqual(rows.map((only) => ({ only })));
  });
  test('GIVEN random values of every awkward character WHEN written as CSV and parsed in chunks THEN each record is exactly JSON.stringify of its values', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = [
      'a',
      'Z',
      '0',
      ' ',
      '"',
      ',',
      '\n',
      '\r',
      '\\',
      '\t',
      '\u0001',
      '\u001f',
      'é',
      '😀',
      '\u2028',
      '€',
      '/',
    ];
    const value = () =>
      Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const rows = Array.from({ length: 300 }, () => [value(), value(), value()]);
    const cell = (v: string) => (/[",\r\n]/.test(v) || random() < 0.2 ? `"${v.replace(/"/g, '""')}"` : v);
    const text = 'a,b,c\r\n' + rows.map((r) => r.map(cell).join(',') + '\r\n').join('');
    const expected = rows.map(
      (r) => `{"a":${JSON.stringify(r[0])},"b":${JSON.stringify(r[1])},"c":${JSON.stringify(r[2])}}`,
    );
    for (const size of [text.length, 1000, 7]) {
      const sink = parse(text, { maxRecordBytes: 1 << 20 }, size);
      expect(sink.rejects).toEqual([]);
      expect(sink.texts).toEqual(expected);
    }
  });
});
