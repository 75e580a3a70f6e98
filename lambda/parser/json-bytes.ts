/**
 * Writes JSON string contents as UTF-8 bytes straight into a buffer, exactly as `JSON.stringify`
 * would write them (escapes `"` `\` and control characters — `\b \t \n \f \r`, else `\u00xx` —
 * and lone surrogates as `\udxxx`; everything else, U+2028/U+2029 included, as its UTF-8 bytes).
 * The hot path of CSV rows: no intermediate strings, no separate UTF-8 encoding pass.
 */

/** Most bytes one UTF-16 code unit can take once written (`\u001f`). */
export const MAX_BYTES_PER_CHAR = 6;

const HEX = '0123456789abcdef';
/** `JSON.stringify`'s short escapes, by character code (0 = none). */
const SHORT_ESCAPE = new Uint8Array(128);
SHORT_ESCAPE[8] = 98; // b
SHORT_ESCAPE[9] = 116; // t
SHORT_ESCAPE[10] = 110; // n
SHORT_ESCAPE[12] = 102; // f
SHORT_ESCAPE[13] = 114; // r
SHORT_ESCAPE[34] = 34; // "
SHORT_ESCAPE[92] = 92; // \

/** Writes `\uxxxx` (lower-case hex, as JSON.stringify) at `o`; returns the new offset. */
function unicodeEscape(c: number, out: Uint8Array, o: number): number {
  out[o] = 92;
  out[o + 1] = 117;
  out[o + 2] = HEX.charCodeAt((c >> 12) & 15);
  out[o + 3] = HEX.charCodeAt((c >> 8) & 15);
  out[o + 4] = HEX.charCodeAt((c >> 4) & 15);
  out[o + 5] = HEX.charCodeAt(c & 15);
  return o + 6;
}

/**
 * Writes the JSON escape of an ASCII character that JSON.stringify escapes (`"`, `\`, a control
 * character: `\n`-style when it has one, else `\u00xx`) at `o`; returns the new offset.
 */
export function writeAsciiEscape(c: number, out: Uint8Array, o: number): number {
  const short = SHORT_ESCAPE[c];
  if (short === 0) return unicodeEscape(c, out, o);
  out[o] = 92;
  out[o + 1] = short;
  return o + 2;
}

/**
 * Writes the JSON string contents (no surrounding quotes) of `s[from, to)` at `out[o]`; returns the
 * offset after it. `out` must have `(to - from) * MAX_BYTES_PER_CHAR` bytes free.
 */
export function writeJsonChars(s: string, from: number, to: number, out: Uint8Array, o: number): number {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if (c >= 32 && c !== 34 && c !== 92) {
        out[o++] = c;
        continue;
      }
      o = writeAsciiEscape(c, out, o);
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c < 0xd800 || c >= 0xe000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    } else {
      const d = i + 1 < to ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        out[o++] = 0xf0 | (cp >> 18);
        out[o++] = 0x80 | ((cp >> 12) & 63);
        out[o++] = 0x80 | ((cp >> 6) & 63);
        out[o++] = 0x80 | (cp & 63);
        i++;
      } else o = unicodeEscape(c, out, o); // a lone surrogate
    }
  }
  return o;
}
