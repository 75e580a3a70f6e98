import { FileRejectedError } from '../../../lambda/parser/errors';
import { NdjsonParser } from '../../../lambda/parser/json-parsers';
import { Utf8Chunks } from '../../../lambda/parser/utf8-chunks';
import { rng } from '../../../bench/parser-inputs';
import { CollectingSink } from './collecting-sink';
import { pushBytesCut, pushTextCut } from './cut-input';

const limits = { maxRecordBytes: 2048, maxDepth: 4 };

interface Outcome {
  sink: CollectingSink;
  keys: Set<string>;
}

/** The byte path: `bytes` cut at `cuts`, each piece validated by Utf8Chunks, as the handler does. */
function viaBytes(bytes: Buffer, cuts: number[], options = limits): Outcome {
  const sink = new CollectingSink();
  const keys = new Set<string>();
  pushBytesCut(new NdjsonParser({ ...options, keys }, sink), bytes, cuts);
  return { sink, keys };
}

/** The string path, on the same cuts decoded by a TextDecoder (as the handler reads text). */
function viaText(bytes: Buffer, cuts: number[], options = limits): Outcome {
  const sink = new CollectingSink();
  const keys = new Set<string>();
  pushTextCut(new NdjsonParser({ ...options, keys }, sink), bytes, cuts);
  return { sink, keys };
}

describe('NdjsonParser.pushBytes', () => {
  test('GIVEN lines with whitespace, CRLF, big numbers, escapes and non-ASCII WHEN pushed as bytes THEN each line is minified with every other character as written', () => {
    const text =
      ' { "a" : 12345678901234567890.10e+5 , "b" : [ 1 , -0.5 , true , null ] }\r\n' +
      '{"s":"x \\u00e9\\n\\/ y","e":"caf\u00e9 \u{1f600} \u2028 \u2029"}\n' +
      '\t\r\n' +
      '{"n":{"m":{"k":[]}},"z":{}}';
    const { sink } = viaBytes(Buffer.from(text), []);
    expect(sink.rejects).toEqual([]);
    expect(sink.texts).toEqual([
      '{"a":12345678901234567890.10e+5,"b":[1,-0.5,true,null]}',
      '{"s":"x \\u00e9\\n\\/ y","e":"caf\u00e9 \u{1f600} \u2028 \u2029"}',
      '{"n":{"m":{"k":[]}},"z":{}}',
    ]);
  });

  test.each([
    ['{"a":1,"a":2}', 'DUPLICATE_KEY'],
    ['{"a":1,"\\u0061":2}', 'DUPLICATE_KEY'],
    ['{"o":{"k":1,"k":1}}', 'DUPLICATE_KEY'],
    ['{"a":[[[[1]]]]}', 'TOO_DEEP'],
    ['[1]', 'NOT_AN_OBJECT'],
    ['"s"', 'NOT_AN_OBJECT'],
    ['{"a":"\u0001"}', 'MALFORMED_JSON'],
    ['{"a":01}', 'MALFORMED_JSON'],
    ['{"a":1,}', 'MALFORMED_JSON'],
    ['{"a":1} x', 'MALFORMED_JSON'],
    ['{"a":"\\x"}', 'MALFORMED_JSON'],
    ['{"a":"\\u12"}', 'MALFORMED_JSON'],
    ['{"a":tru}', 'MALFORMED_JSON'],
    ['\u00a0{"a":1}', 'MALFORMED_JSON'],
    [`{"a":"${'x'.repeat(3000)}"}`, 'RECORD_TOO_LARGE'],
  ])('GIVEN the line %s WHEN pushed as bytes THEN it is rejected as %s, between two good lines', (line, reason) => {
    const { sink } = viaBytes(Buffer.from(`{"x":1}\n${line}\n{"y":2}\n`), []);
    expect(sink.texts).toEqual(['{"x":1}', '{"y":2}']);
    expect(sink.rejects.map((r) => [r.row, r.reason])).toEqual([[2, reason]]);
  });

  test('GIVEN a line of non-breaking spaces only WHEN pushed as bytes THEN it is skipped like any blank line', () => {
    const { sink } = viaBytes(Buffer.from('{"x":1}\n\u00a0\u2028 \n{"y":2}'), []);
    expect(sink.texts).toEqual(['{"x":1}', '{"y":2}']);
    expect(sink.rejects).toEqual([]);
  });

  test('GIVEN records of two shapes WHEN pushed as bytes THEN the top-level names of both are collected, nested names not', () => {
    const { keys } = viaBytes(Buffer.from('{"a":1,"b":{"c":2}}\n{"a":1,"b":{"c":2}}\n{"d":"é","é":0}\n{"a":3}\n'), []);
    expect([...keys].sort()).toEqual(['a', 'b', 'd', 'é']);
  });

  test('GIVEN adversarial lines cut at random byte positions WHEN pushed as bytes THEN records, rejects, messages and names equal the text path on the same cuts', () => {
    const fragments = [
      '{"a":1}',
      ' { "a" : [ 1 , { "b" : null } ] } ',
      '{"big":123456789012345678901234567890,"f":-0.000e-7,"e":1E+2}',
      '{"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u2028\\ud83d\\ude00\\ud800"}',
      '{"u":"é日本\u{1f600}\u2028\u2029"}',
      '{"é":1,"e\u0301":2}',
      '{"a":1,"a":1}',
      '{"a":1,"\\u0061":1}',
      '{"k":{"x":1},"k2":{"x":1,"y":{"x":[1,2,{"x":3}]}}}',
      '{"d":[[[[[]]]]]}',
      '{"a":1}}',
      '{"a":"unterminated}',
      '{"a":"\t"}',
      '{"a":-}',
      '{"a":1.e5}',
      '{"a":nul}',
      '[]',
      '42',
      '',
      '   ',
      '\u00a0',
      '\ufeff{"bom":1}',
      `{"long":"${'é'.repeat(700)}"}`,
      `{"long":"${'x'.repeat(2100)}"}`,
      '{"trail":1}\r',
      '{"cr":"\r"}',
    ];
    const r = rng(15);
    for (let round = 0; round < 300; round++) {
      const lines: string[] = [];
      const n = 1 + Math.floor(r() * 12);
      for (let i = 0; i < n; i++) lines.push(fragments[Math.floor(r() * fragments.length)]);
      const text = lines.join(r() < 0.5 ? '\n' : '\r\n') + (r() < 0.5 ? '\n' : '');
      const bytes = Buffer.from(text);
      const cuts: number[] = [];
      for (let at = 0; at < bytes.length;) {
        at += 1 + Math.floor(r() * (r() < 0.5 ? 8 : 400));
        if (at < bytes.length) cuts.push(at);
      }
      const small = { maxRecordBytes: r() < 0.3 ? 40 : 2048, maxDepth: 4 };
      const got = viaBytes(bytes, cuts, small);
      const want = viaText(bytes, cuts, small);
      expect({ round, texts: got.sink.texts, rejects: got.sink.rejects, keys: [...got.keys].sort() }).toEqual({
        round,
        texts: want.sink.texts,
        rejects: want.sink.rejects,
        keys: [...want.keys].sort(),
      });
    }
  });
});

describe('Utf8Chunks', () => {
  /** Index of the chunk at which a fatal TextDecoder throws (chunks.length: at the end; -1: never), and its text. */
  function reference(chunks: Buffer[]): { failsAt: number; text: string } {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let text = '';
    for (let i = 0; i <= chunks.length; i++) {
      try {
        text += i < chunks.length ? decoder.decode(chunks[i], { stream: true }) : decoder.decode();
      } catch {
        return { failsAt: i, text: '' };
      }
    }
    return { failsAt: -1, text };
  }

  function candidate(chunks: Buffer[]): { failsAt: number; text: string } {
    const progress = { bytesDecoded: 0 };
    const utf8 = new Utf8Chunks(progress);
    const out: Buffer[] = [];
    for (let i = 0; i <= chunks.length; i++) {
      try {
        if (i < chunks.length) {
          progress.bytesDecoded += chunks[i].length;
          const got = utf8.decode(chunks[i]);
          if (got !== undefined) out.push(Buffer.from(got));
        } else utf8.end();
      } catch (err) {
        expect(err).toBeInstanceOf(FileRejectedError);
        expect((err as FileRejectedError).message).toContain(`near decoded byte ${progress.bytesDecoded}`);
        return { failsAt: i, text: '' };
      }
    }
    return { failsAt: -1, text: Buffer.concat(out).toString('utf8') };
  }

  test('GIVEN valid and invalid UTF-8 cut at random byte positions WHEN validated THEN it fails at the same chunk as a fatal TextDecoder, else gives the same text', () => {
    const pieces = [
      [0x61],
      [0x0a],
      [0xc3, 0xa9],
      [0xe2, 0x80, 0xa8],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xef, 0xbb, 0xbf],
      [0xed, 0x9f, 0xbf],
      [0xf4, 0x8f, 0xbf, 0xbf],
      // invalid: lone continuation, overlong, surrogate, beyond U+10FFFF, truncated, never-valid bytes
      [0x80],
      [0xc0, 0xaf],
      [0xc1],
      [0xe0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x80],
      [0xf4, 0x90],
      [0xf5],
      [0xff],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
    ];
    const r = rng(7);
    let failures = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes: number[] = [];
      const valid = r() < 0.5;
      const n = 1 + Math.floor(r() * 10);
      for (let i = 0; i < n; i++) {
        const piece = pieces[Math.floor(r() * (valid ? 8 : pieces.length))];
        bytes.push(...piece);
      }
      const all = Buffer.from(bytes);
      const chunks: Buffer[] = [];
      for (let at = 0; at < all.length;) {
        const size = 1 + Math.floor(r() * 5);
        chunks.push(all.subarray(at, at + size));
        at += size;
      }
      const want = reference(chunks);
      if (want.failsAt >= 0) failures++;
      expect({ round, ...candidate(chunks) }).toEqual({ round, ...want });
    }
    expect(failures).toBeGreaterThan(500);
  });
});
