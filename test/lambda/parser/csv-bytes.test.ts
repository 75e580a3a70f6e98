import { CsvParser } from '../../../lambda/parser/csv-parser';
import type { CsvParserOptions } from '../../../lambda/parser/csv-parser';
import { rng } from '../../../bench/parser-inputs';
import { CollectingSink } from './collecting-sink';
import { pushBytesCut, pushTextCut } from './cut-input';

const csv: CsvParserOptions = { delimiter: ',', quote: '"', header: true, columns: [], maxRecordBytes: 4096 };

/** The byte path: `bytes` cut at `cuts`, each piece validated by Utf8Chunks, as the handler reads a CSV. */
function viaBytes(bytes: Buffer, cuts: number[], options: CsvParserOptions): CollectingSink {
  const sink = new CollectingSink();
  pushBytesCut(new CsvParser(options, sink), bytes, cuts);
  return sink;
}

/** The string path on the same cuts, decoded by a TextDecoder (as the handler read text before). */
function viaText(bytes: Buffer, cuts: number[], options: CsvParserOptions): CollectingSink {
  const sink = new CollectingSink();
  pushTextCut(new CsvParser(options, sink), bytes, cuts);
  return sink;
}

describe('CsvParser.pushBytes', () => {
  test('GIVEN quoted fields with delimiters, line breaks, doubled quotes, escapes and non-ASCII WHEN pushed as bytes THEN each row is the JSON object of its fields', () => {
    const text =
      'id,text,note\r\n' +
      '1,"a, ""b""\nc",caf\u00e9 \u{1f600} \u2028\r\n' +
      '\r\n' +
      '2,back\\slash\ttab,"x"\n' +
      '3,say "hi",\u0001\n';
    const sink = viaBytes(Buffer.from(text), [7, 20], csv);
    expect(sink.rejects).toEqual([]);
    expect(sink.texts).toEqual([
      '{"id":"1","text":"a, \\"b\\"\\nc","note":"caf\u00e9 \u{1f600} \u2028"}',
      '{"id":"2","text":"back\\\\slash\\ttab","note":"x"}',
      '{"id":"3","text":"say \\"hi\\"","note":"\\u0001"}',
    ]);
  });

  test('GIVEN ragged rows and text after a closing quote WHEN pushed as bytes THEN they are rejected with their raw text and the next rows parse', () => {
    const sink = viaBytes(Buffer.from('a,b\n1,2,3\n"x"y,2\n4\n5,6\n'), [], csv);
    expect(sink.texts).toEqual(['{"a":"5","b":"6"}']);
    expect(sink.rejects.map((r) => [r.row, r.reason, r.raw])).toEqual([
      [1, 'RAGGED_ROW', '1,2,3'],
      [2, 'MALFORMED_CSV', '"x"y,2'],
      [3, 'RAGGED_ROW', '4'],
    ]);
  });

  test.each([
    ['CSV', csv],
    ['CSV with a small record limit', { ...csv, maxRecordBytes: 30 }],
    ["CSV with quote ' and delimiter ;", { ...csv, quote: "'", delimiter: ';' }],
    ['TSV', { ...csv, quote: undefined, delimiter: '\t' }],
    ['CSV without header', { ...csv, header: false, columns: ['x', 'y', 'z'] }],
    ['CSV with a non-ASCII delimiter', { ...csv, delimiter: '\u00a7' }],
  ])(
    'GIVEN adversarial %s cut at random byte positions WHEN pushed as bytes THEN rows, rejects and messages equal the text path on the same cuts',
    (_name, options) => {
      const d = options.delimiter;
      const q = options.quote ?? '"';
      const fields = [
        'plain',
        '',
        `${q}quoted${d} with delimiter${q}`,
        `${q}multi\nline\r\n${q}`,
        `${q}doubled ${q}${q} quote${q}`,
        `${q}${q}`,
        `mid${q}quote`,
        `${q}closed${q}after`,
        `${q}unterminated`,
        'é日本\u{1f600}\u2028',
        'ctl\u0001\u001f\b\f\t',
        'back\\slash "dq"',
        'cr\rinside',
        'x'.repeat(40),
        '\ufeffbom',
      ];
      const r = rng(options.delimiter.charCodeAt(0) + (options.quote ?? '').length * 7 + options.maxRecordBytes);
      for (let round = 0; round < 250; round++) {
        const lines: string[] = options.header ? ['x,y,z'.split(',').join(d)] : [];
        const n = 1 + Math.floor(r() * 10);
        for (let i = 0; i < n; i++) {
          const count = r() < 0.8 ? 3 : 1 + Math.floor(r() * 5);
          const row: string[] = [];
          for (let f = 0; f < count; f++) row.push(fields[Math.floor(r() * fields.length)]);
          lines.push(r() < 0.05 ? '' : row.join(d));
        }
        const text = lines.join(r() < 0.5 ? '\n' : '\r\n') + (r() < 0.5 ? '\n' : '');
        const bytes = Buffer.from(text);
        const cuts: number[] = [];
        for (let at = 0; at < bytes.length;) {
          at += 1 + Math.floor(r() * (r() < 0.5 ? 8 : 300));
          if (at < bytes.length) cuts.push(at);
        }
        const got = viaBytes(bytes, cuts, options);
        const want = viaText(bytes, cuts, options);
        expect({ round, texts: got.texts, rejects: got.rejects }).toEqual({
          round,
          texts: want.texts,
          rejects: want.rejects,
        });
      }
    },
  );
});
