import { Readable } from 'stream';
import { pipeline } from 'stream';
import { createGunzip } from 'zlib';
import { FILE_REASONS, FileRejectedError, TransientError } from './errors';
import { Utf8Chunks } from './utf8-chunks';

export interface InputLimits {
  /** Bytes the body must have (the object's ContentLength); a shorter or longer read is transient. */
  readonly expectedBytes?: number;
  /** Largest (decompressed) input size in bytes. */
  readonly maxDecompressedBytes: number;
  /** Largest decompressed:compressed ratio, checked once more than 1 MiB has been inflated. */
  readonly maxCompressionRatio: number;
}

/** Ratio checks start after this many inflated bytes (small files compress well legitimately). */
const RATIO_GRACE_BYTES = 1024 * 1024;
/** Output chunk of the gunzip stream. */
const INFLATE_CHUNK = 256 * 1024;

/** Progress of one input, for metrics and reports. */
export interface InputProgress {
  /** Bytes read from S3. */
  bytesIn: number;
  /** Bytes after decompression (equal to bytesIn when the file is not gzip). */
  bytesDecoded: number;
  compressed: boolean;
}

/** Re-tags failures of the S3 body stream as transient (the read is retried, not the file rejected). */
async function* readBody(
  body: AsyncIterable<Uint8Array>,
  progress: InputProgress,
  expectedBytes: number | undefined,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) {
      progress.bytesIn += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw err instanceof TransientError ? err : new TransientError('reading the object from S3 failed', { cause: err });
  }
  // A connection cut short must never look like a short file (or a truncated gzip).
  if (expectedBytes !== undefined && progress.bytesIn !== expectedBytes) {
    throw new TransientError(`read ${progress.bytesIn} bytes of an object of ${expectedBytes} bytes`);
  }
}

/** Turns raw (decompressed) chunks into what the parser reads; throws INVALID_UTF8 for bad bytes. */
interface ChunkDecoder<T> {
  /** The next chunk (undefined: nothing to hand over yet). */
  decode(bytes: Uint8Array): T | undefined;
  /** The end of the input. */
  end(): T | undefined;
}

function invalidUtf8(progress: InputProgress, cause?: unknown): FileRejectedError {
  return new FileRejectedError(
    FILE_REASONS.INVALID_UTF8,
    `the file is not valid UTF-8 (near decoded byte ${progress.bytesDecoded})`,
    { cause },
  );
}

/** Text chunks, by a fatal UTF-8 decoder (a leading BOM is dropped). */
function textDecoder(progress: InputProgress): ChunkDecoder<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes: Uint8Array, stream: boolean): string | undefined => {
    let text: string;
    try {
      text = decoder.decode(bytes, { stream });
    } catch (err) {
      throw invalidUtf8(progress, err);
    }
    return text.length > 0 ? text : undefined;
  };
  return { decode: (bytes) => decode(bytes, true), end: () => decode(new Uint8Array(0), false) };
}

/**
 * Turns an S3 object body into validated UTF-8 text chunks:
 * gzip is detected by its magic bytes (1f 8b), never by the extension, and inflated as a stream
 * (multi-member gzip included) under the decompressed-size and ratio limits; text is decoded by a
 * fatal UTF-8 decoder (a leading BOM is dropped), so invalid bytes never become U+FFFD.
 *
 * File-level problems throw {@link FileRejectedError}; body read failures throw {@link TransientError}.
 */
export function decodeInput(
  body: AsyncIterable<Uint8Array>,
  limits: InputLimits,
  progress: InputProgress,
): AsyncGenerator<string> {
  return decodeWith(body, limits, progress, textDecoder(progress));
}

/**
 * {@link decodeInput} as bytes: the same checks and the same errors at the same point (the same
 * `bytesDecoded` in an INVALID_UTF8 message), but each chunk is validated UTF-8 that ends on a
 * character boundary (see {@link Utf8Chunks}) instead of being decoded to a string.
 */
export function decodeInputBytes(
  body: AsyncIterable<Uint8Array>,
  limits: InputLimits,
  progress: InputProgress,
): AsyncGenerator<Buffer> {
  return decodeWith(body, limits, progress, new Utf8Chunks(progress));
}

async function* decodeWith<T>(
  body: AsyncIterable<Uint8Array>,
  limits: InputLimits,
  progress: InputProgress,
  decoder: ChunkDecoder<T>,
): AsyncGenerator<T> {
  const iterator = readBody(body, progress, limits.expectedBytes)[Symbol.asyncIterator]();
  let first = await iterator.next();
  // Make sure both magic bytes are seen even if the first chunk is one byte long.
  while (!first.done && first.value.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    first = { done: false, value: Buffer.concat([first.value, next.value]) };
  }
  if (first.done) return;
  const head = first.value;
  let delivered = false;
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (!delivered) {
          delivered = true;
          return { done: false, value: head };
        }
        return iterator.next();
      },
      return: async () => {
        await iterator.return?.(undefined);
        return { done: true, value: undefined };
      },
    }),
  };
  progress.compressed = head[0] === 0x1f && head[1] === 0x8b;

  if (!progress.compressed) {
    for await (const chunk of rest) {
      progress.bytesDecoded += chunk.length;
      if (progress.bytesDecoded > limits.maxDecompressedBytes) {
        throw new FileRejectedError(
          FILE_REASONS.DECOMPRESSED_TOO_LARGE,
          `the file is larger than ${limits.maxDecompressedBytes} bytes`,
        );
      }
      const out = decoder.decode(chunk);
      if (out !== undefined) yield out;
    }
    const tail = decoder.end();
    if (tail !== undefined) yield tail;
    return;
  }

  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
  const source = Readable.from(rest, { objectMode: false, highWaterMark: INFLATE_CHUNK });
  pipeline(source, gunzip, () => {
    // Errors surface through the gunzip iterator below.
  });
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      progress.bytesDecoded += chunk.length;
      if (progress.bytesDecoded > limits.maxDecompressedBytes) {
        throw new FileRejectedError(
          FILE_REASONS.DECOMPRESSED_TOO_LARGE,
          `the file inflates to more than ${limits.maxDecompressedBytes} bytes`,
        );
      }
      const consumed = Math.max(1, gunzip.bytesWritten);
      if (progress.bytesDecoded > RATIO_GRACE_BYTES && progress.bytesDecoded / consumed > limits.maxCompressionRatio) {
        throw new FileRejectedError(
          FILE_REASONS.COMPRESSION_RATIO,
          `the file inflates more than ${limits.maxCompressionRatio}:1 (${progress.bytesDecoded} bytes from ${consumed})`,
        );
      }
      const out = decoder.decode(chunk);
      if (out !== undefined) yield out;
    }
  } catch (err) {
    if (err instanceof FileRejectedError || err instanceof TransientError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new FileRejectedError(
        FILE_REASONS.CORRUPT_GZIP,
        `corrupt or truncated gzip data: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    throw new TransientError('reading the object failed', { cause: err });
  } finally {
    gunzip.destroy();
    source.destroy();
  }
  const tail = decoder.end();
  if (tail !== undefined) yield tail;
}
