import { FILE_REASONS, FileRejectedError, ROW_REASONS } from './errors';
import { JsonBytesWriter } from './json-bytes-writer';
import { canonicalJson } from './json-text';
import { exceedsBytes, MAX_REJECT_RAW_CHARS, rejectRaw } from './record-sink';
import type { RecordSink } from './record-sink';
import type { NestedKeys } from './schema-drift';

export interface JsonParserOptions {
  /** Largest record in UTF-8 bytes of source text. */
  readonly maxRecordBytes: number;
  /** Deepest nesting accepted in a record. */
  readonly maxDepth: number;
  /** Receives the top-level property names of every record (schema drift); not collected when absent. */
  readonly keys?: Set<string>;
  /** Receives the names inside the objects along nested column paths (schema drift); absent: not collected. */
  readonly nested?: NestedKeys;
}

/**
 * Validates one record's text and hands it to the sink (or rejects it with a reason). `line` > 0:
 * where the record starts in the file, added to a reject's message.
 */
function emitJson(text: string, options: JsonParserOptions, sink: RecordSink, line = 0, column = 0): void {
  const at = line > 0 ? ` (record at line ${line}, column ${column})` : '';
  if (exceedsBytes(text, options.maxRecordBytes)) {
    sink.reject(
      ROW_REASONS.RECORD_TOO_LARGE,
      `record is larger than ${options.maxRecordBytes} bytes${at}`,
      rejectRaw(text),
    );
    return;
  }
  const result = canonicalJson(text, options.maxDepth, options.keys, options.nested);
  if (!result.ok) sink.reject(result.reason, result.message + at, text);
  else if (!result.isObject) sink.reject(ROW_REASONS.NOT_AN_OBJECT, `a record must be a JSON object${at}`, text);
  else sink.record(result.json);
}

/**
 * NDJSON / JSON Lines: one JSON object per line (LF or CRLF); whitespace-only lines are skipped.
 * A bad line is rejected alone (MALFORMED_JSON, NOT_AN_OBJECT, TOO_DEEP, RECORD_TOO_LARGE) and
 * the next line parses normally. A line over the limit is skipped to its end without buffering.
 */
export class NdjsonParser {
  private buf = '';
  private oversized: string | undefined;
  private writer: JsonBytesWriter | undefined;

  constructor(
    private readonly options: JsonParserOptions,
    private readonly sink: RecordSink,
  ) {}

  /**
   * The same as `push(bytes.toString('utf8'))`, faster: `bytes` must be valid UTF-8 ending on a
   * character boundary (a leading BOM already dropped). The complete lines inside the chunk are
   * validated and copied as bytes ({@link JsonBytesWriter}); a line that writer does not accept,
   * and the text around the chunk's first and last line breaks, take the string path.
   */
  pushBytes(bytes: Buffer): void {
    let from = 0;
    if (this.buf.length > 0 || this.oversized !== undefined) {
      // Finish the line begun in earlier chunks as text.
      const nl = bytes.indexOf(10);
      if (nl < 0) return this.push(bytes.toString('utf8'));
      this.push(bytes.toString('utf8', 0, nl + 1));
      from = nl + 1;
    }
    const last = bytes.lastIndexOf(10);
    if (last >= from) {
      const writer = (this.writer ??= new JsonBytesWriter(
        this.options.maxDepth,
        this.options.keys,
        this.options.nested,
      ));
      for (let start = from; start <= last;) {
        const nl = bytes.indexOf(10, start);
        this.byteLine(writer, bytes, start, nl);
        start = nl + 1;
      }
      from = last + 1;
    }
    if (from < bytes.length) this.push(bytes.toString('utf8', from));
  }

  /** One complete line `bytes[start, end)` (LF excluded): bytes fast path, else the string path. */
  private byteLine(writer: JsonBytesWriter, bytes: Buffer, start: number, end: number): void {
    if (end > start && bytes[end - 1] === 13) end--;
    if (end - start <= this.options.maxRecordBytes) {
      const space = this.sink.reserve(end - start);
      const written = writer.write(bytes, start, end, space.buf, space.pos);
      if (written >= 0) return this.sink.commit(written);
    }
    this.text(bytes.toString('utf8', start, end));
  }

  push(text: string): void {
    const buf = this.buf.length === 0 ? text : this.buf + text;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl < 0) break;
      this.line(buf, start, nl);
      start = nl + 1;
    }
    if (this.oversized === undefined && buf.length - start > this.options.maxRecordBytes) {
      this.oversized = buf.slice(start, start + MAX_REJECT_RAW_CHARS);
    }
    this.buf = this.oversized === undefined ? buf.slice(start) : '';
  }

  end(): void {
    const buf = this.buf;
    this.buf = '';
    if (buf.length > 0 || this.oversized !== undefined) this.line(buf, 0, buf.length);
  }

  private line(buf: string, start: number, end: number): void {
    if (this.oversized !== undefined) {
      const raw = this.oversized;
      this.oversized = undefined;
      this.sink.reject(ROW_REASONS.RECORD_TOO_LARGE, `record is larger than ${this.options.maxRecordBytes} bytes`, raw);
      return;
    }
    if (end > start && buf.charCodeAt(end - 1) === 13) end--;
    this.text(buf.slice(start, end));
  }

  /** One line's text (line break excluded). */
  private text(text: string): void {
    if (text.trim().length === 0) return;
    emitJson(text, this.options, this.sink);
  }
}

const enum Mode {
  /** Before the first value: decides array vs sequence. */
  Start,
  /** Inside the top-level array, expecting a value (or `]` right after `[`). */
  ArrayValue,
  /** Inside the top-level array, after a value: expecting `,` or `]`. */
  ArrayNext,
  /** A sequence of whitespace-separated top-level values (a single object is a sequence of one). */
  Sequence,
  /** After the closing `]`: only whitespace may follow. */
  Done,
}

/**
 * JSON files: a top-level array of objects (each element one record), or one object (or several
 * whitespace-separated objects). Streamed: element boundaries are found by bracket balance
 * (string-aware) and each element is validated on its own, so the file is never parsed whole.
 * An element whose brackets balance but whose text is invalid is one MALFORMED_JSON reject; a
 * broken array structure (garbage between elements, a trailing comma, an unterminated element or
 * array) makes the whole file NOT_PARSEABLE. Messages give the line and column in the file (columns
 * count UTF-16 characters from 1); line breaks are counted in the scans that already visit every
 * character, so this costs one comparison per character.
 */
export class JsonParser {
  private buf = '';
  private mode = Mode.Start;
  /** Scan state of the element in progress (its text starts at buf[0]). */
  private inElement = false;
  private pos = 0;
  private depth = 0;
  private inString = false;
  private oversized: string | undefined;
  /** Offset in the file's text of buf[0]. */
  private offset = 0;
  private sawEmptyArrayEnd = false;
  /** Line breaks before the scan position, plus one; and the offset where that line starts. */
  private line = 1;
  private lineStart = 0;
  /** Where the element in progress and the top-level array start, as `line L, column C`. */
  private elementLine = 0;
  private elementColumn = 0;
  private arrayAt = '';

  constructor(
    private readonly options: JsonParserOptions,
    private readonly sink: RecordSink,
  ) {}

  push(text: string): void {
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.run(false);
  }

  end(): void {
    this.run(true);
    if (this.inElement || this.oversized !== undefined) {
      this.notParseable(
        `the file ends inside the value that starts at line ${this.elementLine}, column ${this.elementColumn} ` +
          '(an unterminated string, or a missing closing bracket or brace)',
      );
    }
    if (this.mode === Mode.ArrayValue || this.mode === Mode.ArrayNext) {
      this.notParseable(`the array opened at ${this.arrayAt} is not closed: the file ends before its ']'`);
    }
  }

  private notParseable(message: string): never {
    throw new FileRejectedError(FILE_REASONS.NOT_PARSEABLE, `not parseable as JSON: ${message}`);
  }

  /** `line L, column C` of buf[i] (every line break before it has been counted). */
  private at(i: number): string {
    return `line ${this.line}, column ${this.offset + i - this.lineStart + 1}`;
  }

  private newline(i: number): void {
    this.line++;
    this.lineStart = this.offset + i + 1;
  }

  private run(final: boolean): void {
    let buf = this.buf;
    let i = this.inElement ? this.pos : 0;
    for (;;) {
      if (!this.inElement) {
        for (; i < buf.length; i++) {
          const w = buf.charCodeAt(i);
          if (!isWs(w)) break;
          if (w === 10) this.newline(i);
        }
        if (i >= buf.length) {
          this.consume(buf.length);
          return;
        }
        const c = buf.charCodeAt(i);
        if (this.mode === Mode.Start) {
          if (c === 91 /* [ */) {
            this.mode = Mode.ArrayValue;
            this.sawEmptyArrayEnd = true;
            this.arrayAt = this.at(i);
            i++;
            continue;
          }
          this.mode = Mode.Sequence;
        }
        if (this.mode === Mode.Done) {
          this.notParseable(`unexpected ${JSON.stringify(buf[i])} after the closing ']', at ${this.at(i)}`);
        }
        if (this.mode === Mode.ArrayNext) {
          if (c === 44 /* , */) {
            this.mode = Mode.ArrayValue;
            this.sawEmptyArrayEnd = false;
            i++;
            continue;
          }
          if (c === 93 /* ] */) {
            this.mode = Mode.Done;
            i++;
            continue;
          }
          this.notParseable(
            `expected ',' or ']' after an array element, got ${JSON.stringify(buf[i])} at ${this.at(i)}`,
          );
        }
        if (this.mode === Mode.ArrayValue && c === 93) {
          if (!this.sawEmptyArrayEnd) this.notParseable(`trailing comma: ']' follows a ',' at ${this.at(i)}`);
          this.mode = Mode.Done;
          i++;
          continue;
        }
        if (this.mode === Mode.ArrayValue && c === 44) {
          this.notParseable(`an empty array element: ',' where a value is expected, at ${this.at(i)}`);
        }
        // A value starts here: drop what is before it so the element text starts at buf[0].
        this.consume(i);
        buf = this.buf;
        i = 0;
        this.inElement = true;
        this.depth = 0;
        this.inString = false;
        this.elementLine = this.line;
        this.elementColumn = this.offset - this.lineStart + 1;
      }
      const end = this.scanElement(buf, i, final);
      if (end < 0) {
        // Element continues in the next chunk.
        if (this.oversized === undefined && buf.length > this.options.maxRecordBytes) {
          this.oversized = buf.slice(0, MAX_REJECT_RAW_CHARS);
        }
        if (this.oversized !== undefined) {
          // Drop the scanned text, keeping an escape split across chunks at `pos`.
          this.offset += this.pos;
          this.buf = buf.slice(this.pos);
          this.pos = 0;
        }
        // else: scanElement saved where to resume.
        return;
      }
      this.inElement = false;
      if (this.oversized !== undefined) {
        const raw = this.oversized;
        this.oversized = undefined;
        this.sink.reject(
          ROW_REASONS.RECORD_TOO_LARGE,
          `record is larger than ${this.options.maxRecordBytes} bytes ` +
            `(record at line ${this.elementLine}, column ${this.elementColumn})`,
          raw,
        );
      } else {
        emitJson(buf.slice(0, end), this.options, this.sink, this.elementLine, this.elementColumn);
      }
      if (this.mode === Mode.ArrayValue) this.mode = Mode.ArrayNext;
      i = end;
    }
  }

  private consume(n: number): void {
    this.offset += n;
    this.buf = n >= this.buf.length ? '' : this.buf.slice(n);
  }

  /** Scans the element from `i`; returns its end (exclusive) or -1 when it continues past `buf`. */
  private scanElement(buf: string, i: number, final: boolean): number {
    const first = this.oversized === undefined ? buf.charCodeAt(0) : 123;
    if (first !== 123 && first !== 91 && first !== 34) {
      // A scalar: it ends at whitespace, ',' or ']' (validated afterwards); at least one character.
      if (i === 0) i = 1;
      while (i < buf.length) {
        const c = buf.charCodeAt(i);
        if (isWs(c) || c === 44 || c === 93) return i;
        i++;
      }
      if (final) return i;
      this.pos = i;
      return -1;
    }
    let depth = this.depth;
    let inString = this.inString;
    while (i < buf.length) {
      const c = buf.charCodeAt(i);
      if (c === 10) this.newline(i);
      if (inString) {
        if (c === 92) {
          if (i + 1 >= buf.length) break; // escape split across chunks: resume at the backslash
          i += 2;
          continue;
        }
        if (c === 34) inString = false;
      } else if (c === 34) {
        inString = true;
        if (depth === 0) depth = -1; // a top-level string
      } else if (c === 123 || c === 91) depth = depth < 0 ? depth : depth + 1;
      else if (c === 125 || c === 93) depth--;
      i++;
      if (depth === 0 || (depth === -1 && !inString)) {
        this.depth = 0;
        this.inString = false;
        return i;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.pos = i;
    return -1;
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
