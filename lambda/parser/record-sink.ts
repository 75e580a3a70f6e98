import type { RowReason } from './errors';

/**
 * Where the format parsers put what they read, in file order. The sink numbers records (the
 * 1-based `source_row`, rejects included) and turns them into stage and reject lines.
 */
export interface RecordSink {
  /** A good record: `json` is the canonical JSON text of one object (minified, exact digits). */
  record(json: string): void;
  /** A rejected record: `raw` is its source text (truncated when over the size limit). */
  reject(reason: RowReason, message: string, raw: string): void;
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

/**
 * Builds stage lines `{"source","source_key","source_row","received_at","record"}` and reject
 * lines, batching them into strings of about `batchChars` characters. Batch boundaries depend
 * only on the line sequence, so a given input always yields the same batches (and the same
 * gzip bytes downstream).
 */
export class LineBatcher implements RecordSink {
  /** Completed stage-line batches, waiting for the writer. */
  readonly stageBatches: string[] = [];
  /** Completed reject-line batches, waiting for the writer. */
  readonly rejectBatches: string[] = [];
  rows = 0;
  rowsOut = 0;
  rowsRejected = 0;

  private readonly prefix: string;
  private readonly middle: string;
  private stage: string[] = [];
  private stageChars = 0;
  private rejects: string[] = [];
  private rejectChars = 0;

  constructor(
    private readonly ctx: LineContext,
    private readonly batchChars = 1024 * 1024,
  ) {
    this.prefix = `{"source":${JSON.stringify(ctx.source)},"source_key":${JSON.stringify(ctx.sourceKey)},"source_row":`;
    this.middle = `,"received_at":${JSON.stringify(ctx.receivedAt)},"record":`;
  }

  record(json: string): void {
    const line = this.prefix + ++this.rows + this.middle + json + '}\n';
    this.rowsOut++;
    this.stage.push(line);
    this.stageChars += line.length;
    if (this.stageChars >= this.batchChars) this.flushStage();
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
    if (this.rejectChars >= this.batchChars) this.flushRejects();
  }

  /** Moves the pending lines into the batch queues (call at the end of the input). */
  finish(): void {
    this.flushStage();
    this.flushRejects();
  }

  private flushStage(): void {
    if (this.stage.length === 0) return;
    this.stageBatches.push(this.stage.join(''));
    this.stage = [];
    this.stageChars = 0;
  }

  private flushRejects(): void {
    if (this.rejects.length === 0) return;
    this.rejectBatches.push(this.rejects.join(''));
    this.rejects = [];
    this.rejectChars = 0;
  }
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
