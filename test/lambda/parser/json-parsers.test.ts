import { FileRejectedError } from '../../../lambda/parser/errors';
import { JsonParser, NdjsonParser } from '../../../lambda/parser/json-parsers';
import { canonicalJson } from '../../../lambda/parser/json-text';
import { CollectingSink, feed } from './collecting-sink';

const limits = { maxRecordBytes: 2048, maxDepth: 4 };

function ndjson(text: string, chunk?: number): CollectingSink {
  const sink = new CollectingSink();
  feed(new NdjsonParser(limits, sink), text, chunk);
  return sink;
}

function json(text: string, chunk?: number): CollectingSink {
  const sink = new CollectingSink();
  feed(new JsonParser(limits, sink), text, chunk);
  return sink;
}

describe('canonicalJson', () => {
  test('GIVEN whitespace and big numbers WHEN canonicalised THEN whitespace outside strings goes, digits and escapes stay', () => {
    const result = canonicalJson(
      ' { "a" : 12345678901234567890.000100e+5 ,\n "b":[ 1 , -0.5 ], "s":"x \\u00e9\\n y" } ',
      10,
    );
    expect(result).toEqual({
      ok: true,
      isObject: true,
      json: '{"a":12345678901234567890.000100e+5,"b":[1,-0.5],"s":"x \\u00e9\\n y"}',
    });
  });

  test.each([
    ['{"a":1,}', /trailing comma before '}'/],
    ['{"a":01}', /expected ',' or '}'/],
    ['{"a":1.}', /invalid number/],
    ['{"a":"\u0001"}', /control character/],
    ['{"a":"\\x"}', /invalid escape/],
    ['{"a":tru}', /unexpected/],
    ['{"a":1} x', /after the value/],
    ['{"a":"open', /unterminated string/],
    ['', /end of input/],
  ])('GIVEN invalid JSON %j WHEN canonicalised THEN MALFORMED_JSON naming the problem', (text, message) => {
    const result = canonicalJson(text, 10);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: 'MALFORMED_JSON', message: expect.stringMatching(message) });
  });

  test('GIVEN nesting past maxDepth WHEN canonicalised THEN TOO_DEEP', () => {
    expect(canonicalJson('{"a":{"b":{"c":1}}}', 3).ok).toBe(true);
    expect(canonicalJson('{"a":{"b":{"c":[1]}}}', 3)).toMatchObject({ ok: false, reason: 'TOO_DEEP' });
  });
});

describe('NdjsonParser', () => {
  const text = '{"id":1}\r\n\n  \n{"id":2, "big": 123456789012345678901234567890}\n{bad\n[1]\n"s"\n{"id":3}';

  test('GIVEN NDJSON with blank, malformed and non-object lines WHEN parsed THEN good lines stage and bad ones reject alone', () => {
    const sink = ndjson(text);
    expect(sink.texts).toEqual(['{"id":1}', '{"id":2,"big":123456789012345678901234567890}', '{"id":3}']);
    expect(sink.rejects.map((r) => [r.row, r.reason, r.raw])).toEqual([
      [3, 'MALFORMED_JSON', '{bad'],
      [4, 'NOT_AN_OBJECT', '[1]'],
      [5, 'NOT_AN_OBJECT', '"s"'],
    ]);
  });

  test('GIVEN any chunking WHEN parsed THEN the result equals parsing the whole text', () => {
    const whole = ndjson(text);
    for (const size of [1, 2, 3, 7]) {
      const chunked = ndjson(text, size);
      expect(chunked.texts).toEqual(whole.texts);
      expect(chunked.rejects).toEqual(whole.rejects);
    }
  });

  test('GIVEN a line over maxRecordBytes WHEN parsed in chunks THEN RECORD_TOO_LARGE and the next line parses', () => {
    const sink = ndjson(`{"a":"${'x'.repeat(5000)}"}\n{"ok":true}\n`, 100);
    expect(sink.rejects.map((r) => [r.row, r.reason])).toEqual([[1, 'RECORD_TOO_LARGE']]);
    expect(sink.records).toEqual([{ ok: true }]);
  });
});

describe('JsonParser', () => {
  test('GIVEN a pretty-printed array WHEN parsed in any chunking THEN each element is one minified record', () => {
    const text = '[\n  {"id": 1, "s": "a ] } \\" ["},\n  {"id": 2.50, "n": {"x": [1, 2]}}\n]\n';
    for (const size of [1, 3, 1000]) {
      const sink = json(text, size);
      expect(sink.texts).toEqual(['{"id":1,"s":"a ] } \\" ["}', '{"id":2.50,"n":{"x":[1,2]}}']);
      expect(sink.rejects).toEqual([]);
    }
  });

  test('GIVEN a single object or an empty array WHEN parsed THEN one record or none', () => {
    expect(json('{\n "a": 1\n}\n').texts).toEqual(['{"a":1}']);
    expect(json(' [ ] ').texts).toEqual([]);
  });

  test('GIVEN bad elements with balanced brackets WHEN parsed THEN each is rejected and the rest staged', () => {
    const sink = json('[{"a":1,}, 7, {"b":2}, "x", {"c":{"d":{"e":{"f":{}}}}}]');
    expect(sink.texts).toEqual(['{"b":2}']);
    expect(sink.rejects.map((r) => [r.row, r.reason])).toEqual([
      [1, 'MALFORMED_JSON'],
      [2, 'NOT_AN_OBJECT'],
      [4, 'NOT_AN_OBJECT'],
      [5, 'TOO_DEEP'],
    ]);
  });

  test.each([
    ['[{"a":1} {"b":2}]', /expected ',' or '\]'/],
    ['[{"a":1}', /array opened at line 1, column 1 is not closed/],
    ['[{"a":1}] x', /after the closing/],
    ['[{"a":', /ends inside the value that starts at line 1, column 2/],
  ])('GIVEN a broken array %j WHEN parsed THEN the file is NOT_PARSEABLE', (text, message) => {
    expect(() => json(text)).toThrow(FileRejectedError);
    expect(() => json(text)).toThrow(message);
  });
});

describe('JsonParser scalars and stray commas', () => {
  test('GIVEN scalar elements split across chunks and a stray comma WHEN parsed THEN rejects, then NOT_PARSEABLE at the comma, never a hang', () => {
    const sink = json('[12345, true]', 2);
    expect(sink.rejects.map((r) => [r.reason, r.raw])).toEqual([
      ['NOT_AN_OBJECT', '12345'],
      ['NOT_AN_OBJECT', 'true'],
    ]);
    expect(() => json('[{"a":1},,{"b":2}]')).toThrow(
      /empty array element: ',' where a value is expected, at line 1, column 10/,
    );
  });
});

describe('JsonParser oversized elements across chunk boundaries', () => {
  test('GIVEN an oversized element with escapes and brackets in strings WHEN fed in small chunks THEN one reject and the next element parses', () => {
    const big = JSON.stringify({ s: 'q\\"]}['.repeat(600), n: [[1], { a: '}' }] });
    const text = `[${big}, {"ok": 1}, ${big}]`;
    for (const size of [1, 2, 3, 7, 50, text.length]) {
      const sink = json(text, size);
      expect(sink.texts).toEqual(['{"ok":1}']);
      expect(sink.rejects.map((r) => [r.row, r.reason])).toEqual([
        [1, 'RECORD_TOO_LARGE'],
        [3, 'RECORD_TOO_LARGE'],
      ]);
    }
  });
});

describe('canonicalJson duplicate keys', () => {
  test.each([
    ['{"a":1,"a":2}', false],
    ['{"a":1,"\\u0061":2}', false],
    ['{"x":{"a":1,"a":2}}', false],
    [`{${Array.from({ length: 40 }, (_, i) => `"k${i}":1`).join(',')},"k39":2}`, false],
    ['{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}', true],
    // A nested object in between must not make the outer object forget its names.
    ['{"a":{"b":1,"c":{"d":1}},"e":{"b":2},"a":3}', false],
    // Sibling objects at one depth each have their own names.
    ['{"p":{"x":1,"y":2},"q":{"x":1,"y":2},"r":[{"x":1},{"x":1}]}', true],
    ['{"k\\n":1,"k\\u000a":2}', false],
  ])('GIVEN %s WHEN canonicalised THEN ok=%s (DUPLICATE_KEY otherwise)', (text, ok) => {
    const result = canonicalJson(text, 10);
    expect(result.ok).toBe(ok);
    if (!ok)
      expect(result).toMatchObject({ reason: 'DUPLICATE_KEY', message: expect.stringMatching(/^duplicate key "/) });
  });
});

describe('canonicalJson strings', () => {
  test.each([
    ['{"a":"x\\"y","b":"plain","c":"\\\\"}', true, ''],
    ['{"a":"plain","b":"bad\\q"}', false, 'invalid escape at position 21'],
    ['{"a":"ok","b":"\\u12G4"}', false, 'invalid \\u escape at position 15'],
    ['{"a":"tab\there"}', false, 'unescaped control character in a string at position 9'],
    ['{ "a" : "x" ,\t"b":"y\u0001" }', false, 'unescaped control character in a string at position 20'],
    ['{"a":"no end}', false, 'unterminated string'],
    ['{"a":"é😀\\/","b":"€"}', true, ''],
  ])('GIVEN %s WHEN canonicalised THEN ok=%s (%s)', (text, ok, message) => {
    const result = canonicalJson(text, 10);
    expect(result.ok).toBe(ok);
    if (ok) expect(result).toMatchObject({ json: text });
    else expect(result).toMatchObject({ reason: 'MALFORMED_JSON', message });
  });
});
