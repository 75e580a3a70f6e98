import type { RowReason } from './errors';

/**
 * Where the format parsers put what they read, in file order. The sink numbers records (the
 * 1-based `source_row`, rejects included) and turns them into stage and reject lines.
 */
export interface RecordSink {
  /** A good record: `json` is the canonical JSON text of one object (minified, exact digits). */
  record(json: string): void;
  /**
   * A good record written in place, as UTF-8 bytes (the CSV hot path): returns a buffer with at
   * least `maxBytes` free from `pos`, where the caller writes the record's canonical JSON, then calls
   * {@link commit} with the offset after it. Not committing (e.g. the row turns out bad) discards it.
   */
  reserve(maxBytes: number): RecordSpace;
  /** Accepts the record written since the last {@link reserve}, ending at `end`. */
  commit(end: number): void;
  /** A rejected record: `raw` is its source text (truncated when over the size limit). */
  reject(reason: RowReason, message: string, raw: string): void;
}

/** Where {@link RecordSink.reserve} lets a record be written. */
export interface RecordSpace {
  readonly buf: Buffer;
  readonly pos: number;
}

/** Largest raw text kept in a reject entry for a record over the size limit. */
export const MAX_REJECT_RAW_CHARS = 64 * 1024;

/** Identity of the input file, repeated on every line. */
export interface LineContext {
  readonly source: string;
  readonly sourceKey: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly receivedAt: string;
  readonly bucket: string;
  readonly versionId?: string;
  readonly eTag: string;
}

/** Target size of a stage-line batch (one write to the stage output). */
const BATCH_BYTES = 1024 * 1024;
/** Room allocated past the target, so a batch usually ends on the target rather than early. */
const BATCH_SLACK = 128 * 1024;
/** Digits of the largest `source_row`. */
const MAX_ROW_DIGITS = 16;

/**
 * Builds stage lines `{"source","source_key","source_row","received_at","record"}` as UTF-8 bytes
 * in batches of about {@link BATCH_BYTES} (records are written straight into the batch buffer:
 * no per-line strings, no separate encoding pass), and reject lines as strings. Batch boundaries
 * depend only on the line sequence, so a given input always yields the same batches (and the same
 * gzip bytes downstream).
 */
export class LineBatcher implements RecordSink {
  /** Completed stage-line batches (UTF-8), waiting for the writer. */
  readonly stageBatches: Buffer[] = [];
  /** Completed reject-line batches, waiting for the writer. */
  readonly rejectBatches: string[] = [];
  rows = 0;
  rowsOut = 0;
  rowsRejected = 0;

  private readonly prefix: Buffer;
  private readonly middle: Buffer;
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of complete lines in `buf`. */
  private used = 0;
  private rejects: string[] = [];
  private rejectChars = 0;

  constructor(
    private readonly ctx: LineContext,
    private readonly batchBytes = BATCH_BYTES,
  ) {
    this.prefix = Buffer.from(
      `{"source":${JSON.stringify(ctx.source)},"source_key":${JSON.stringify(ctx.sourceKey)},"source_row":`,
    );
    this.middle = Buffer.from(`,"received_at":${JSON.stringify(ctx.receivedAt)},"record":`);
  }

  reserve(maxBytes: number): RecordSpace {
    const need = this.prefix.length + MAX_ROW_DIGITS + this.middle.length + maxBytes + 2;
    if (this.used + need > this.buf.length) {
      this.flushStage();
      this.buf = Buffer.allocUnsafe(Math.max(this.batchBytes + BATCH_SLACK, need));
    }
    // The line's head, numbered as the next row (a reject instead takes the same number).
    const buf = this.buf;
    let o = this.used;
    buf.set(this.prefix, o);
    o += this.prefix.length;
    o = writeDigits(this.rows + 1, buf, o);
    buf.set(this.middle, o);
    return { buf, pos: o + this.middle.length };
  }

  commit(end: number): void {
    this.buf[end] = 125; // }
    this.buf[end + 1] = 10; // \n
    this.used = end + 2;
    this.rows++;
    this.rowsOut++;
    if (this.used >= this.batchBytes) this.flushStage();
  }

  record(json: string): void {
    const space = this.reserve(json.length * 3);
    this.commit(space.pos + space.buf.write(json, space.pos, 'utf8'));
  }

  reject(reason: RowReason, message: string, raw: string): void {
    const row = ++this.rows;
    this.rowsRejected++;
    const entry = {
      reason,
      message: `${this.ctx.sourceKey} row ${row}: ${message}`,
      source_row: row,
      source_bucket: this.ctx.bucket,
      source_key: this.ctx.sourceKey,
      source_version_id: this.ctx.versionId ?? null,
      source_etag: this.ctx.eTag,
      received_at: this.ctx.receivedAt,
      raw,
    };
    const line = JSON.stringify(entry) + '\n';
    this.rejects.push(line);
    this.rejectChars += line.length;
    if (this.rejectChars >= this.batchBytes) this.flushRejects();
  }

  /** Moves the pending lines into the batch queues (call at the end of the input). */
  finish(): void {
    this.flushStage();
    this.flushRejects();
  }

  private flushStage(): void {
    if (this.used === 0) return;
    this.stageBatches.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.alloc(0);
    this.used = 0;
  }

  private flushRejects(): void {
    if (this.rejects.length === 0) return;
    this.rejectBatches.push(this.rejects.join(''));
    this.rejects = [];
    this.rejectChars = 0;
  }
}

/** Writes the decimal digits of a non-negative integer at `o`; returns the offset after them. */
function writeDigits(n: number, out: Buffer, o: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  for (let k = o + digits - 1; k >= o; k--) {
    out[k] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return o + digits;
}

/** Exact "is this text larger than `maxBytes` UTF-8 bytes", computing the byte length only when needed. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false;
  if (text.length > maxBytes) return true;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

/** The raw text kept for a reject: whole, or its first {@link MAX_REJECT_RAW_CHARS} characters. */
export function rejectRaw(text: string): string {
  return text.length > MAX_REJECT_RAW_CHARS ? text.slice(0, MAX_REJECT_RAW_CHARS) : text;
}
