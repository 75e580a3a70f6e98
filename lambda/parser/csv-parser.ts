import { FILE_REASONS, FileRejectedError, ROW_REASONS } from './errors';
import { MAX_BYTES_PER_CHAR, writeJsonChars } from './json-bytes';
import { exceedsBytes, MAX_REJECT_RAW_CHARS, rejectRaw } from './record-sink';
import type { RecordSink } from './record-sink';

export interface CsvParserOptions {
  /** One-character field delimiter. */
  readonly delimiter: string;
  /** One-character quote, or undefined for TSV-style input without quoting. */
  readonly quote?: string;
  /** First record holds the field names. */
  readonly header: boolean;
  /** Field names when `header` is false. */
  readonly columns: readonly string[];
  /** Largest record in UTF-8 bytes of source text. */
  readonly maxRecordBytes: number;
}

const CR = 13;

/**
 * Streaming CSV (RFC 4180) / TSV parser over decoded text chunks.
 *
 * - Records end at LF or CRLF outside quotes; blank lines are skipped (they are not records).
 * - A field starting with the quote character is quoted: delimiters and line breaks inside are
 *   data, a doubled quote is one quote. Text after a closing quote is a MALFORMED_CSV row.
 *   A quote inside an unquoted field is kept literally (lossless).
 * - Without quoting (TSV) every character is data; fields split at the delimiter only.
 * - Every row must have exactly as many fields as the header (or `columns`), else RAGGED_ROW.
 * - Values stay strings; an empty field is "".
 *
 * The scan resumes where it stopped, so a long record spread over many chunks is scanned once;
 * a record over `maxRecordBytes` is skipped to its end without being buffered.
 */
export class CsvParser {
  private readonly delim: number;
  private readonly quote: number;
  private readonly quoteChar: string;
  private names: string[] | undefined;
  private keys: string[] = [];
  /** `{"name":` / `,"name":` of each field, as UTF-8. */
  private keyBytes: Buffer[] = [];
  /** Largest JSON bytes of a record besides its values' characters: keys, quotes, closing brace. */
  private fixedBytes = 0;
  private buf = '';
  /** Scan position in `buf` (the current record starts at 0). */
  private pos = 0;
  private inQuote = false;
  private sawQuote = false;
  /** The current record is over the limit: its text is being discarded. */
  private oversized: string | undefined;
  private charBeforeBuf = -1;
  /** Next delimiter at or after the last search in the buffer being scanned (-1: none; -2: not searched). */
  private nextDelim = -2;

  constructor(
    private readonly options: CsvParserOptions,
    private readonly sink: RecordSink,
  ) {
    this.delim = options.delimiter.charCodeAt(0);
    this.quote = options.quote === undefined ? -1 : options.quote.charCodeAt(0);
    this.quoteChar = options.quote ?? '';
    if (!options.header) this.setNames([...options.columns]);
  }

  /** The field names (header, or `columns` without one), once known. */
  get fieldNames(): readonly string[] | undefined {
    return this.names;
  }

  push(text: string): void {
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.scan(false);
  }

  end(): void {
    this.scan(true);
  }

  private setNames(names: string[]): void {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n))
        throw new FileRejectedError(
          FILE_REASONS.INVALID_HEADER,
          `duplicate field name ${JSON.stringify(n)} in the header`,
        );
      seen.add(n);
    }
    this.names = names;
    this.keys = names.map((n, i) => (i === 0 ? '{' : ',') + JSON.stringify(n) + ':');
    this.keyBytes = this.keys.map((k) => Buffer.from(k, 'utf8'));
    this.fixedBytes = this.keyBytes.reduce((sum, k) => sum + k.length + 2, 1);
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    this.nextDelim = -2;
    const max = this.options.maxRecordBytes;
    let start = 0;
    let i = this.pos;
    // Cached positions of the next LF / quote at or after `i` (-1: none in `buf`; -2: not searched yet),
    // so rare quotes or long lines never make the scan quadratic.
    let nl = -2;
    let nq = -2;
    for (;;) {
      let end = -1;
      if (this.quote < 0) {
        end = buf.indexOf('\n', i);
        if (end < 0) i = buf.length;
      } else {
        while (i < buf.length) {
          if (this.inQuote) {
            const q = buf.indexOf(this.quoteChar, i);
            if (q < 0) {
              i = buf.length;
              break;
            }
            if (q + 1 >= buf.length && !final) {
              i = q; // cannot tell a doubled quote yet
              break;
            }
            if (buf.charCodeAt(q + 1) === this.quote) i = q + 2;
            else {
              this.inQuote = false;
              i = q + 1;
            }
          } else {
            if (nl === -2 || (nl >= 0 && nl < i)) nl = buf.indexOf('\n', i);
            if (nq === -2 || (nq >= 0 && nq < i)) nq = buf.indexOf(this.quoteChar, i);
            const q = nq;
            if (q >= 0 && (nl < 0 || q < nl)) {
              this.sawQuote = true;
              // A quote opens a quoted field only at the start of a field.
              const continued = start === 0 && this.oversized !== undefined;
              const before = q > start ? buf.charCodeAt(q - 1) : continued ? this.charBeforeBuf : this.delim;
              if (before === this.delim) this.inQuote = true;
              i = q + 1;
            } else {
              if (nl >= 0) end = nl;
              else i = buf.length;
              break;
            }
          }
        }
      }
      if (end < 0) {
        if (final) {
          if (start < buf.length || this.oversized !== undefined) this.emit(buf, start, buf.length, true);
          this.reset('', 0);
          return;
        }
        // Incomplete record: keep its text, unless it is already over the limit.
        if (this.oversized === undefined && buf.length - start > max) {
          this.oversized = buf.slice(start, start + MAX_REJECT_RAW_CHARS);
        }
        if (this.oversized !== undefined) {
          // Drop the scanned text (keeping a pending quote at `i`); the record now starts before the
          // buffer, so a quote at 0 opens a field only if it follows a delimiter.
          if (i > start) this.charBeforeBuf = buf.charCodeAt(i - 1);
          this.reset(buf.slice(i), 0);
          return;
        }
        this.reset(start === 0 ? buf : buf.slice(start), i - start);
        return;
      }
      this.emit(buf, start, end, false);
      start = end + 1;
      i = start;
      this.sawQuote = false;
      this.charBeforeBuf = -1;
    }
  }

  private reset(buf: string, pos: number): void {
    this.buf = buf;
    this.pos = pos;
  }

  /** Handles one complete record `buf[start, end)` (line terminator excluded). */
  private emit(buf: string, start: number, end: number, atEof: boolean): void {
    const unterminated = atEof && this.inQuote;
    this.inQuote = false;
    if (this.oversized !== undefined) {
      const raw = this.oversized;
      this.oversized = undefined;
      this.sink.reject(ROW_REASONS.RECORD_TOO_LARGE, `record is larger than ${this.options.maxRecordBytes} bytes`, raw);
      return;
    }
    if (!unterminated && end > start && buf.charCodeAt(end - 1) === CR) end--;
    if (end === start) return; // blank line
    const max = this.options.maxRecordBytes;
    if ((end - start) * 3 > max && exceedsBytes(buf.slice(start, end), max)) {
      this.sink.reject(
        ROW_REASONS.RECORD_TOO_LARGE,
        `record is larger than ${max} bytes`,
        rejectRaw(buf.slice(start, end)),
      );
      return;
    }
    if (unterminated) {
      this.sink.reject(
        ROW_REASONS.MALFORMED_CSV,
        'unterminated quoted field at end of file',
        rejectRaw(buf.slice(start, end)),
      );
      return;
    }
    if (this.names !== undefined) {
      // Hot path: the record's JSON written straight into the output; anything unusual falls through.
      const space = this.sink.reserve(this.fixedBytes + (end - start) * MAX_BYTES_PER_CHAR);
      const written = this.writeRecord(buf, start, end, space.buf, space.pos);
      if (written >= 0) {
        this.sink.commit(written);
        return;
      }
    }
    const raw = buf.slice(start, end);
    const fields = this.sawQuote ? this.splitQuoted(raw) : raw.split(this.options.delimiter);
    if (fields === undefined) {
      this.sink.reject(ROW_REASONS.MALFORMED_CSV, 'text after a closing quote', raw);
      return;
    }
    if (this.names === undefined) {
      this.setNames(fields);
      return;
    }
    if (fields.length !== this.names.length) {
      const what = this.options.header ? 'the header has' : '`columns` lists';
      this.sink.reject(ROW_REASONS.RAGGED_ROW, `row has ${fields.length} fields, ${what} ${this.names.length}`, raw);
      return;
    }
    let json = '';
    for (let f = 0; f < fields.length; f++) json += this.keys[f] + JSON.stringify(fields[f]);
    this.sink.record(json + '}');
  }

  /**
   * Writes the JSON object of the record `s[start, end)` at `out[o]` (keys from the header, values
   * as JSON strings); returns the offset after it, or -1 when the record is not a good row (a field
   * count other than the header's, or text after a closing quote), which the caller then handles.
   */
  private writeRecord(s: string, start: number, end: number, out: Buffer, o: number): number {
    const keys = this.keyBytes;
    const quote = this.quote;
    const delim = this.delim;
    let i = start;
    for (let f = 0; ;) {
      if (f === keys.length) return -1; // more fields than names
      const key = keys[f++];
      out.set(key, o);
      o += key.length;
      out[o++] = 34;
      if (i < end && s.charCodeAt(i) === quote) {
        i++;
        for (;;) {
          const q = s.indexOf(this.quoteChar, i);
          if (q < 0 || q >= end) return -1; // cannot happen for a terminated record
          if (q + 1 < end && s.charCodeAt(q + 1) === quote) {
            o = writeJsonChars(s, i, q + 1, out, o); // a doubled quote is one quote character
            i = q + 2;
            continue;
          }
          o = writeJsonChars(s, i, q, out, o);
          i = q + 1;
          break;
        }
        out[o++] = 34;
        if (i === end) return f === keys.length ? this.close(out, o) : -1;
        if (s.charCodeAt(i) !== delim) return -1; // text after a closing quote
        i++;
      } else {
        // Cached, so a record without delimiters never makes the search run to the buffer's end per record.
        let d = this.nextDelim;
        if (d === -2 || (d >= 0 && d < i)) d = this.nextDelim = s.indexOf(this.options.delimiter, i);
        if (d < 0 || d > end) d = end;
        o = writeJsonChars(s, i, d, out, o);
        out[o++] = 34;
        if (d === end) return f === keys.length ? this.close(out, o) : -1;
        i = d + 1;
      }
    }
  }

  private close(out: Buffer, o: number): number {
    out[o] = 125; // }
    return o + 1;
  }

  /** Splits a record holding quotes; undefined when text follows a closing quote. */
  private splitQuoted(raw: string): string[] | undefined {
    const out: string[] = [];
    const n = raw.length;
    let p = 0;
    for (;;) {
      if (p < n && raw.charCodeAt(p) === this.quote) {
        let value = '';
        let j = p + 1;
        for (;;) {
          const q = raw.indexOf(this.quoteChar, j);
          if (q < 0) return undefined; // cannot happen for a terminated record
          if (raw.charCodeAt(q + 1) === this.quote) {
            value += raw.slice(j, q + 1);
            j = q + 2;
          } else {
            value += raw.slice(j, q);
            p = q + 1;
            break;
          }
        }
        out.push(value);
        if (p === n) return out;
        if (raw.charCodeAt(p) !== this.delim) return undefined;
        p++;
      } else {
        const d = raw.indexOf(this.options.delimiter, p);
        if (d < 0) {
          out.push(raw.slice(p));
          return out;
        }
        out.push(raw.slice(p, d));
        p = d + 1;
      }
    }
  }
}
