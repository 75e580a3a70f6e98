import { isUtf8 } from 'buffer';
import { FILE_REASONS, FileRejectedError } from './errors';

/** Where the INVALID_UTF8 message says the bad bytes are. */
interface DecodedBytes {
  readonly bytesDecoded: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Validates a stream of byte chunks as UTF-8 without decoding it: each chunk is handed over whole
 * up to its last complete character (an incomplete character at its end is kept for the next
 * chunk), after a native check (`buffer.isUtf8`). Accepts and rejects exactly what a fatal
 * `TextDecoder('utf-8')` does, at the same chunk: a trailing sequence is held back only while it
 * is a valid beginning of a character (WHATWG's byte ranges), so bytes that can never start or
 * continue a character fail in the chunk that holds them. A leading BOM is dropped, as TextDecoder
 * does.
 */
export class Utf8Chunks {
  private carry: Buffer = EMPTY;
  private started = false;

  constructor(private readonly progress: DecodedBytes) {}

  decode(bytes: Uint8Array): Buffer | undefined {
    const data =
      this.carry.length > 0
        ? Buffer.concat([this.carry, bytes])
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const cut = completeLength(data);
    let body = data.subarray(0, cut);
    if (!isUtf8(body)) throw this.invalid();
    this.carry = cut < data.length ? Buffer.from(data.subarray(cut)) : EMPTY;
    if (!this.started && body.length > 0) {
      this.started = true;
      if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
    }
    return body.length > 0 ? body : undefined;
  }

  end(): undefined {
    if (this.carry.length > 0) throw this.invalid();
    return undefined;
  }

  private invalid(): FileRejectedError {
    return new FileRejectedError(
      FILE_REASONS.INVALID_UTF8,
      `the file is not valid UTF-8 (near decoded byte ${this.progress.bytesDecoded})`,
    );
  }
}

/**
 * Length of `data` without a trailing incomplete character: the last 1-3 bytes when they are a
 * valid beginning of a longer sequence, else the whole length (isUtf8 then judges it).
 */
export function completeLength(data: Uint8Array): number {
  const n = data.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const lead = data[n - k];
    if ((lead & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if (lead < 0x80) return n;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    return need > k && validPrefix(data, n - k, k) ? n - k : n;
  }
  return n;
}

/** Whether `data[at, at + k)` can begin a character (WHATWG UTF-8 decoder byte ranges). */
function validPrefix(data: Uint8Array, at: number, k: number): boolean {
  const lead = data[at];
  if (lead < 0xc2 || lead > 0xf4) return false;
  if (k < 2) return true;
  const second = data[at + 1];
  let low = 0x80;
  let high = 0xbf;
  if (lead === 0xe0) low = 0xa0;
  else if (lead === 0xed) high = 0x9f;
  else if (lead === 0xf0) low = 0x90;
  else if (lead === 0xf4) high = 0x8f;
  if (second < low || second > high) return false;
  return k < 3 || (data[at + 2] & 0xc0) === 0x80;
}
