/**
 * The CSV/TSV hot path on UTF-8 bytes (see `CsvParser.pushBytes`): finding where each record ends
 * and writing a plainly good record's JSON object straight from the input bytes to the stage batch,
 * without decoding it to a string. Delimiter and quote must be ASCII, so every byte of a multi-byte
 * character is data. Anything unusual returns -1 and the caller takes the string path.
 */

import { MAX_BYTES_PER_CHAR, writeAsciiEscape } from './json-bytes';

const LF = 10;

/** Most bytes one input byte can take once written as JSON string contents (`\u001f`). */
export const MAX_JSON_BYTES_PER_BYTE = MAX_BYTES_PER_CHAR;

/**
 * Finds where records end in one chunk of bytes, with the same rules as the string scanner of
 * `CsvParser`: a record ends at LF outside quotes; a quote opens a quoted field only at the
 * start of a field (the record's first byte, or right after a delimiter); inside quotes a
 * doubled quote is data. The next LF / quote positions are cached across the chunk's records.
 */
export class CsvRecordEnds {
  private nl = -2;
  private nq = -2;

  constructor(
    private readonly delim: number,
    /** -1: no quoting (TSV). */
    private readonly quote: number,
  ) {}

  /** Forget the caches (a new chunk). */
  reset(): void {
    this.nl = -2;
    this.nq = -2;
  }

  /** Index of the LF ending the record that starts at `s`, or -1 when the chunk ends first. */
  end(b: Buffer, s: number): number {
    const quote = this.quote;
    let i = s;
    if (this.nl === -2 || (this.nl >= 0 && this.nl < i)) this.nl = b.indexOf(LF, i);
    if (quote < 0) return this.nl;
    for (;;) {
      if (this.nl >= 0 && this.nl < i) this.nl = b.indexOf(LF, i);
      if (this.nq === -2 || (this.nq >= 0 && this.nq < i)) this.nq = b.indexOf(quote, i);
      const q = this.nq;
      const nl = this.nl;
      if (q < 0 || (nl >= 0 && nl < q)) return nl;
      i = q + 1;
      if (q !== s && b[q - 1] !== this.delim) continue; // a quote inside an unquoted field is data
      // A quoted field: skip to its closing quote (doubled quotes are data).
      for (;;) {
        const close = b.indexOf(quote, i);
        if (close < 0 || close + 1 >= b.length) return -1; // cannot tell a doubled quote yet
        if (b[close + 1] === quote) {
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
    }
  }
}

/**
 * Writes the JSON object of the record `s[start, end)` (line terminator excluded) at `out[o]`, keys
 * from `keys` (`{"name":` / `,"name":` as UTF-8), values as JSON strings; returns the offset after
 * it, or -1 when the record is not a good row (another field count than `keys`, or text after a
 * closing quote). `out` needs `fixed + (end - start) * MAX_JSON_BYTES_PER_BYTE` bytes free.
 */
export function writeCsvRecordBytes(
  keys: readonly Buffer[],
  delim: number,
  quote: number,
  s: Buffer,
  start: number,
  end: number,
  out: Buffer,
  o: number,
): number {
  let i = start;
  for (let f = 0; ;) {
    if (f === keys.length) return -1; // more fields than names
    const key = keys[f++];
    for (let k = 0; k < key.length; k++) out[o++] = key[k];
    out[o++] = 34;
    if (i < end && s[i] === quote) {
      i++;
      for (;;) {
        for (; i < end; i++) {
          const c = s[i];
          if (c === quote) break;
          if (c >= 32 && c !== 34 && c !== 92) out[o++] = c;
          else o = writeAsciiEscape(c, out, o);
        }
        if (i >= end) return -1; // cannot happen for a terminated record
        if (i + 1 < end && s[i + 1] === quote) {
          // A doubled quote is one quote character.
          if (quote >= 32 && quote !== 34 && quote !== 92) out[o++] = quote;
          else o = writeAsciiEscape(quote, out, o);
          i += 2;
          continue;
        }
        i++;
        break;
      }
      out[o++] = 34;
      if (i === end) return f === keys.length ? close(out, o) : -1;
      if (s[i] !== delim) return -1; // text after a closing quote
      i++;
    } else {
      for (; i < end; i++) {
        const c = s[i];
        if (c === delim) break;
        if (c >= 32 && c !== 34 && c !== 92) out[o++] = c;
        else o = writeAsciiEscape(c, out, o);
      }
      out[o++] = 34;
      if (i === end) return f === keys.length ? close(out, o) : -1;
      i++;
    }
  }
}

function close(out: Buffer, o: number): number {
  out[o] = 125; // }
  return o + 1;
}
