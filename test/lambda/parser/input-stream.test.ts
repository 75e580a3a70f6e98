import { gzipSync } from 'zlib';
import { FileRejectedError, TransientError } from '../../../lambda/parser/errors';
import { decodeInput, decodeInputBytes } from '../../../lambda/parser/input-stream';
import type { InputLimits, InputProgress } from '../../../lambda/parser/input-stream';

const limits: InputLimits = { maxDecompressedBytes: 10 * 1024 * 1024, maxCompressionRatio: 50 };

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function decode(bytes: Uint8Array, size = 7, options: Partial<InputLimits> = {}) {
  const progress: InputProgress = { bytesIn: 0, bytesDecoded: 0, compressed: false };
  let text = '';
  for await (const t of decodeInput(
    chunked(bytes, size),
    { ...limits, expectedBytes: bytes.length, ...options },
    progress,
  )) {
    text += t;
  }
  return { text, progress };
}

describe('decodeInput', () => {
  const sample = '\uFEFFid,name\nü,日本,🎉\n';

  test('GIVEN UTF-8 with a BOM and multi-byte characters split across 1-byte chunks WHEN decoded THEN exact text without the BOM', async () => {
    expect((await decode(Buffer.from(sample), 1)).text).toBe(sample.slice(1));
  });

  test('GIVEN gzip (detected by magic bytes, first chunk one byte) WHEN decoded THEN the inflated text and both byte counts', async () => {
    const gz = gzipSync(sample);
    const { text, progress } = await decode(gz, 1);
    expect(text).toBe(sample.slice(1));
    expect(progress).toEqual({ bytesIn: gz.length, bytesDecoded: Buffer.byteLength(sample), compressed: true });
  });

  test('GIVEN concatenated gzip members WHEN decoded THEN all members are read', async () => {
    expect((await decode(Buffer.concat([gzipSync('a\n'), gzipSync('b\n')]))).text).toBe('a\nb\n');
  });

  test.each([
    ['an invalid byte', Buffer.from([0x61, 0xff, 0x62])],
    ['a truncated sequence at the end', Buffer.from([0x61, 0xe6, 0x97])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['a UTF-16 surrogate encoded in UTF-8', Buffer.from([0xed, 0xa0, 0x80])],
  ])('GIVEN %s WHEN decoded THEN INVALID_UTF8', async (_what, bytes) => {
    await expect(decode(bytes, 1)).rejects.toMatchObject({ name: 'FileRejectedError', reason: 'INVALID_UTF8' });
  });

  test('GIVEN a truncated gzip of the full object size WHEN decoded THEN CORRUPT_GZIP', async () => {
    const gz = gzipSync('x'.repeat(10000));
    await expect(decode(gz.subarray(0, gz.length - 8))).rejects.toMatchObject({ reason: 'CORRUPT_GZIP' });
  });

  test('GIVEN a body shorter than the object WHEN decoded THEN a transient error, not a reject', async () => {
    const gz = gzipSync('x'.repeat(10000));
    const progress: InputProgress = { bytesIn: 0, bytesDecoded: 0, compressed: false };
    const read = async () => {
      for await (const _t of decodeInput(
        chunked(gz.subarray(0, 20), 7),
        { ...limits, expectedBytes: gz.length },
        progress,
      ));
    };
    await expect(read()).rejects.toThrow(TransientError);
    await expect(decode(Buffer.from('abc'), 1, { expectedBytes: 10 })).rejects.toThrow(
      'read 3 bytes of an object of 10 bytes',
    );
  });

  test('GIVEN a high-ratio gzip or too many bytes WHEN decoded THEN COMPRESSION_RATIO / DECOMPRESSED_TOO_LARGE', async () => {
    await expect(decode(gzipSync(Buffer.alloc(4 * 1024 * 1024)), 64 * 1024)).rejects.toMatchObject({
      reason: 'COMPRESSION_RATIO',
    });
    await expect(decode(Buffer.from('x'.repeat(100)), 7, { maxDecompressedBytes: 99 })).rejects.toThrow(
      FileRejectedError,
    );
    await expect(decode(gzipSync('x'.repeat(100)), 7, { maxDecompressedBytes: 99 })).rejects.toMatchObject({
      reason: 'DECOMPRESSED_TOO_LARGE',
    });
  });
});

describe('decodeInputBytes', () => {
  async function bytesOf(bytes: Uint8Array, size: number) {
    const progress: InputProgress = { bytesIn: 0, bytesDecoded: 0, compressed: false };
    const out: Buffer[] = [];
    for await (const b of decodeInputBytes(
      chunked(bytes, size),
      { ...limits, expectedBytes: bytes.length },
      progress,
    )) {
      out.push(Buffer.from(b));
    }
    return { out, progress };
  }

  test.each([1, 2, 3, 5, 64])(
    'GIVEN UTF-8 with a BOM and multi-byte characters in %i-byte chunks WHEN read as bytes THEN every chunk ends on a character and the bytes are the text without the BOM',
    async (size) => {
      const text = 'id,name\nü,日本,🎉\n';
      const { out } = await bytesOf(Buffer.from('\uFEFF' + text), size);
      for (const chunk of out) expect(new TextDecoder('utf-8', { fatal: true }).decode(chunk)).toBeDefined();
      expect(Buffer.concat(out).toString('utf8')).toBe(text);
    },
  );

  test('GIVEN gzip WHEN read as bytes THEN the inflated bytes and both byte counts', async () => {
    const gz = gzipSync('a,b\n1,2\n');
    const { out, progress } = await bytesOf(gz, 3);
    expect(Buffer.concat(out).toString('latin1')).toBe('a,b\n1,2\n');
    expect(progress).toEqual({ bytesIn: gz.length, bytesDecoded: 8, compressed: true });
  });

  test.each([
    ['an invalid byte', Buffer.from([0x61, 0xff, 0x62]), 2],
    ['a truncated sequence at the end', Buffer.from([0x61, 0xe6, 0x97]), 3],
    ['an overlong encoding', Buffer.from([0x61, 0x62, 0xc0, 0xaf]), 3],
    ['a UTF-16 surrogate encoded in UTF-8', Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80]), 4],
  ])(
    'GIVEN %s in 1-byte chunks WHEN read as bytes THEN INVALID_UTF8 near the same byte as the text decoder says',
    async (_what, bytes, near) => {
      await expect(bytesOf(bytes, 1)).rejects.toThrow(`near decoded byte ${near})`);
      await expect(decode(bytes, 1)).rejects.toThrow(`near decoded byte ${near})`);
    },
  );
});
