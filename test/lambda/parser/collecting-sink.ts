import type { RowReason } from '../../../lambda/parser/errors';
import type { RecordSink } from '../../../lambda/parser/record-sink';

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

  reject(reason: RowReason, message: string, raw: string): void {
    this.rejects.push({ row: ++this.row, reason, message, raw });
  }
}

/** Feeds `text` to a push parser in chunks of `size` characters (every split point gets exercised). */
export function feed(parser: { push(t: string): void; end(): void }, text: string, size = text.length): void {
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
  parser.end();
}
