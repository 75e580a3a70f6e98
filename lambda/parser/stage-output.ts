import { once } from 'events';
import { createGzip } from 'zlib';
import type { Gzip, ZlibOptions } from 'zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectUploader } from './object-uploader';

export interface StageOutputOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Key of the n-th object (0-based) of this output. */
  readonly keyFor: (index: number) => string;
  readonly contentType: string;
  /** gzip level 1-9, or undefined for uncompressed output. */
  readonly gzipLevel?: number;
  /** Start a new object once the current one holds at least this many (compressed) bytes. */
  readonly splitBytes: number;
}

/** Writes between a compressed-size sample and the split decision it informs. */
const CHECKPOINT_LAG_WRITES = 2;
const GZIP_CHUNK = 256 * 1024;
/** Uncompressed bytes queued for zlib before a write waits (keeps the thread pool busy while parsing). */
const GZIP_QUEUE_BYTES = 8 * 1024 * 1024;

/**
 * A line-aligned output of one input file: batches of complete lines in, one or more S3 objects
 * out (gzip or plain), split at `splitBytes`. Nothing is visible before {@link commit}.
 *
 * Compression runs on libuv's thread pool while the caller parses the next batches (up to
 * {@link GZIP_QUEUE_BYTES} queued). The split points are deterministic: the compressed size after
 * each write (read once zlib has processed it) is acted on a fixed number of writes later, so the
 * same input always gives the same objects, byte for byte; an object overshoots `splitBytes` by at
 * most {@link CHECKPOINT_LAG_WRITES} batches.
 */
export class StageOutput {
  readonly objects: ObjectUploader[] = [];
  private gzip: Gzip | undefined;
  private current: ObjectUploader | undefined;
  /** Bytes zlib produced for the current object (counted synchronously as it pushes them). */
  private produced = 0;
  private uploading: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Compressed size of the current object after each of its last writes (oldest first). */
  private sizes: Promise<number>[] = [];
  /** Uncompressed bytes written. */
  bytesWritten = 0;

  constructor(private readonly options: StageOutputOptions) {}

  /** Writes one batch of complete lines (text, or its UTF-8 bytes, which the output then owns). */
  async write(batch: string | Buffer): Promise<void> {
    this.throwIfFailed();
    const bytes = typeof batch === 'string' ? Buffer.from(batch, 'utf8') : batch;
    this.bytesWritten += bytes.length;
    if (this.current === undefined) this.open();
    if (this.gzip === undefined) {
      await this.current!.add(bytes);
      if (this.current!.bytes >= this.options.splitBytes) await this.roll();
      return;
    }
    // Split decision from the compressed size after the write CHECKPOINT_LAG_WRITES back: zlib has
    // (almost always) processed it by now, so waiting rarely stalls, and zlib keeps queued work
    // while we parse. The size after a given write depends only on the input: deterministic splits.
    if (this.sizes.length >= CHECKPOINT_LAG_WRITES) {
      const compressedSize = await this.sizes.shift()!;
      this.throwIfFailed();
      if (compressedSize >= this.options.splitBytes) {
        await this.roll();
        this.open();
      }
    }
    const gzip = this.gzip!;
    const size = new Promise<number>((resolve, reject) =>
      gzip.write(bytes, (err) => (err ? reject(err) : resolve(this.produced + gzip.readableLength))),
    );
    size.catch(() => undefined); // observed when awaited (or the failure surfaces elsewhere)
    this.sizes.push(size);
    if (gzip.writableNeedDrain) await this.drained(gzip);
  }

  /** Ends the input: the last object's bytes are all handed to its uploader (still invisible). */
  async finish(): Promise<void> {
    this.throwIfFailed();
    if (this.gzip !== undefined) await this.endGzip();
  }

  /** Makes every object visible, in order. */
  async commit(): Promise<string[]> {
    for (const o of this.objects) await o.commit();
    return this.objects.map((o) => o.key);
  }

  /** Discards every object. Never throws. */
  async abort(): Promise<void> {
    this.gzip?.destroy();
    this.gzip = undefined;
    await this.uploading.catch(() => undefined);
    await Promise.all(this.objects.map((o) => o.abort()));
  }

  private open(): void {
    const o = this.options;
    this.current = new ObjectUploader(o.s3, o.bucket, o.keyFor(this.objects.length), o.contentType);
    this.objects.push(this.current);
    this.produced = 0;
    this.sizes = [];
    if (o.gzipLevel === undefined) return;
    // zlib streams pass stream options through to their Transform (not in @types/node's ZlibOptions).
    const gzipOptions: ZlibOptions & { writableHighWaterMark: number } = {
      level: o.gzipLevel,
      chunkSize: GZIP_CHUNK,
      writableHighWaterMark: GZIP_QUEUE_BYTES,
    };
    const gzip = createGzip(gzipOptions);
    const uploader = this.current;
    gzip.on('data', (chunk: Buffer) => {
      this.produced += chunk.length;
      gzip.pause();
      this.uploading = this.uploading
        .then(() => uploader.add(chunk))
        .then(
          () => void gzip.resume(),
          (err) => {
            this.failure ??= err;
            gzip.destroy(err instanceof Error ? err : new Error(String(err)));
          },
        );
    });
    gzip.on('error', (err) => (this.failure ??= err));
    this.gzip = gzip;
  }

  private async endGzip(): Promise<void> {
    const gzip = this.gzip!;
    const ended = once(gzip, 'end');
    gzip.end();
    await ended;
    await this.uploading;
    this.throwIfFailed();
    this.gzip = undefined;
  }

  /** Closes the current object (sealed, not committed); the next write opens the next one. */
  private async roll(): Promise<void> {
    if (this.gzip !== undefined) await this.endGzip();
    await this.current!.seal();
    this.current = undefined;
  }

  private async drained(gzip: Gzip): Promise<void> {
    // Rejects if the stream fails (an upload failure destroys it with the error).
    await once(gzip, 'drain');
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
