/**
 * JSON errors name the real cause and where it is: a trailing comma is a trailing comma (not "the
 * array is not closed"), and file-level errors give the line and column in the file.
 */
import { FileRejectedError } from '../../../lambda/parser/errors';
import { JsonParser } from '../../../lambda/parser/json-parsers';
import { canonicalJson } from '../../../lambda/parser/json-text';
import { CollectingSink, feed } from './collecting-sink';

const limits = { maxRecordBytes: 2048, maxDepth: 4 };

function parseFile(text: string, chunk?: number): { sink: CollectingSink; error?: FileRejectedError } {
  const sink = new CollectingSink();
  try {
    feed(new JsonParser(limits, sink), text, chunk);
    return { sink };
  } catch (err) {
    if (!(err instanceof FileRejectedError)) throw err;
    return { sink, error: err };
  }
}

describe('JSON error messages', () => {
  test.each([1, 3, 1000])(
    'GIVEN an array with a trailing comma before the closing bracket on line 2 (chunks of %i) WHEN parsed THEN the file is NOT_PARSEABLE for a trailing comma at line 2, column 1, and no row is rejected',
    (chunk) => {
      const { sink, error } = parseFile('[ {"id":1},\n]', chunk);
      expect(error?.reason).toBe('NOT_PARSEABLE');
      expect(error?.message).toMatch(/trailing comma/);
      expect(error?.message).toMatch(/line 2, column 1/);
      expect(error?.message).not.toMatch(/not closed/);
      expect(sink.rejects).toEqual([]);
    },
  );

  test('GIVEN garbage between elements on line 3 WHEN parsed THEN the message names the character, line 3 and its column', () => {
    const { error } = parseFile('[\n {"id":1}\n  x {"id":2}\n]');
    expect(error?.message).toMatch(/"x"/);
    expect(error?.message).toMatch(/line 3, column 3/);
  });

  test('GIVEN an array the file ends inside WHEN parsed THEN the message says where the unfinished value starts', () => {
    const { error } = parseFile('[\n{"id":1},\n{"id":2, "name": "open');
    expect(error?.message).toMatch(/ends inside/);
    expect(error?.message).toMatch(/line 3, column 1/);
  });

  test('GIVEN an array never closed after a complete element WHEN parsed THEN the message names where the array opened', () => {
    const { error } = parseFile('\n\n  [{"id":1}');
    expect(error?.message).toMatch(/not closed/);
    expect(error?.message).toMatch(/line 3, column 3/);
  });

  test('GIVEN a malformed element on line 4 WHEN parsed THEN its row reject names the cause and the line and column where the record starts', () => {
    const { sink, error } = parseFile('[\n{"id":1},\n\n   {"id": tru}\n]');
    expect(error).toBeUndefined();
    expect(sink.rejects).toHaveLength(1);
    expect(sink.rejects[0].message).toMatch(/unexpected character "t"/);
    expect(sink.rejects[0].message).toMatch(/line 4, column 4/);
  });

  test.each([
    ['{"a":1,}', /trailing comma before '}'/],
    ['{"a":[1,2,]}', /trailing comma before '\]'/],
  ])('GIVEN a record %j with a trailing comma WHEN canonicalised THEN the cause is a trailing comma', (text, re) => {
    expect(canonicalJson(text, 10)).toMatchObject({
      ok: false,
      reason: 'MALFORMED_JSON',
      message: expect.stringMatching(re),
    });
  });
});
