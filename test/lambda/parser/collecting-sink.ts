import type { RowReason } from '../../../lambda/parser/errors';
import type { RecordSink, RecordSpace } from '../../../lambda/parser/record-sink';

/** A sink that keeps what the parsers emit, in order, for assertions. */
export class CollectingSink implements RecordSink {
  readonly records: unknown[] = [];
  readonly texts: string[] = [];
  readonly rejects: { row: number; reason: RowReason; message: string; raw: string }[] = [];
  private row = 0;

  record(json: string): void {
    this.row++;
    this.texts.push(json);
    this.records.push(JSON.parse(json));
  }

  private space: RecordSpace | undefined;

  /** Records written in place are decoded from their UTF-8 bytes, so the assertions see exactly those bytes. */
  reserve(maxBytes: number): RecordSpace {
    this.space = { buf: Buffer.alloc(maxBytes + 8), pos: 4 };
    return this.space;
  }

  commit(end: number): void {
    const space = this.space!;
    this.space = undefined;
    this.record(space.buf.toString('utf8', space.pos, end));
  }

  reject(reason: RowReason, message: string, raw: string): void {
    this.rejects.push({ row: ++this.row, reason, message, raw });
  }
}

/** Feeds `text` to a push parser in chunks of `size` characters (every split point gets exercised). */
export function feed(parser: { push(t: string): void; end(): void }, text: string, size = text.length): void {
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
  parser.end();
}
