import { createHash } from 'crypto';
import { parseBytes, parseCommandLine } from '../../../bin/uploader/args';
import { compactJson } from '../../../bin/uploader/http-source';
import { objectKey } from '../../../bin/uploader/keys';
import { compositeChecksum } from '../../../bin/uploader/multipart';
import { backoffDelay, isRetryable, RetriesExhaustedError, withRetry } from '../../../bin/uploader/retry';

const HASH = 'ab'.repeat(32);

describe('objectKey', () => {
  test('GIVEN nested names with any separator WHEN keyed THEN <source>/<dataset>/<dirs>/<stem>.<32 hex><ext>, extension last', () => {
    expect(objectKey('weather', 'readings', 'a\\b/orders.csv.gz', HASH)).toBe(
      `weather/readings/a/b/orders.${'ab'.repeat(16)}.csv.gz`,
    );
    expect(objectKey('weather', 'readings', 'x.v2.json', HASH)).toBe(`weather/readings/x.v2.${'ab'.repeat(16)}.json`);
    expect(objectKey('weather', 'readings', 'README', HASH)).toBe(`weather/readings/README.${'ab'.repeat(16)}`);
  });

  test('GIVEN bad inputs WHEN keyed THEN a KeyError names the value', () => {
    expect(() => objectKey('weather', 'readings', '../etc/passwd', HASH)).toThrow(
      'file path "../etc/passwd" must not contain ".."',
    );
    expect(() => objectKey('weather', 'readings', '.csv', HASH)).toThrow(
      'file name ".csv" has nothing before its extension',
    );
    expect(() => objectKey('Weather', 'readings', 'a.csv', HASH)).toThrow('--source "Weather" must match');
    expect(() => objectKey('weather', 'read-ings', 'a.csv', HASH)).toThrow('--dataset "read-ings" must match');
  });
});

describe('retry', () => {
  test('GIVEN attempts WHEN delays drawn THEN full jitter within min(cap, base·2^(n-1))', () => {
    expect(backoffDelay(1, 100, 1000, () => 0.999)).toBe(99);
    expect(backoffDelay(4, 100, 1000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 0.999)).toBe(999);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(0);
  });

  test('GIVEN errors WHEN classified THEN network, timeout, throttling and 5xx retry; 4xx does not', () => {
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryable({ name: 'TimeoutError' })).toBe(true);
    expect(isRetryable({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
    expect(isRetryable({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })).toBe(false);
  });

  test('GIVEN a transient error every time WHEN retried THEN it gives up after maxAttempts with the last cause', async () => {
    const delays: number[] = [];
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw Object.assign(new Error(`reset ${calls}`), { code: 'ECONNRESET' });
      },
      {
        maxAttempts: 3,
        baseDelayMs: 10,
        maxDelayMs: 100,
        random: () => 0.5,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    await expect(failing).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failing).rejects.toMatchObject({ attempts: 3, message: 'gave up after 3 attempts: reset 3' });
    expect(calls).toBe(3);
    expect(delays).toEqual([5, 10]);
  });
});

describe('compactJson', () => {
  test('GIVEN pretty JSON with spaces inside strings and big numbers WHEN compacted THEN one line, exact text kept', () => {
    const text = '{\n  "a b": "x \\" y\\n",\n  "n": 12345678901234567890123,\n  "l": [1, 2.50]\n}';
    expect(compactJson(text)).toBe('{"a b":"x \\" y\\n","n":12345678901234567890123,"l":[1,2.50]}');
  });
  test('GIVEN invalid JSON WHEN compacted THEN it throws', () => {
    expect(() => compactJson('{"a":')).toThrow();
  });
});

describe('compositeChecksum', () => {
  test('GIVEN part checksums WHEN combined THEN SHA-256 of the concatenated digests, -<count>', () => {
    const parts = ['one', 'two'].map((p) => createHash('sha256').update(p).digest());
    const expected = createHash('sha256').update(Buffer.concat(parts)).digest('base64');
    expect(compositeChecksum(parts.map((p) => p.toString('base64')))).toBe(`${expected}-2`);
  });
});

describe('command line', () => {
  test('GIVEN sizes WHEN parsed THEN binary and decimal units', () => {
    expect(parseBytes('x', '5MiB')).toBe(5 * 1024 * 1024);
    expect(parseBytes('x', '1GB')).toBe(1e9);
    expect(parseBytes('x', 2048)).toBe(2048);
    expect(() => parseBytes('max-spool-bytes', 'lots')).toThrow('--max-spool-bytes: "lots" is not a size');
  });
  test('GIVEN an unknown command or flag WHEN parsed THEN a UsageError names it', () => {
    expect(() => parseCommandLine(['upload'])).toThrow('unknown command "upload"');
    expect(() => parseCommandLine(['send', '--nope'])).toThrow("Unknown option '--nope'");
    expect(() => parseCommandLine(['send', '--concurrency', 'many'])).toThrow(
      '--concurrency: "many" is not a whole number',
    );
  });
});
