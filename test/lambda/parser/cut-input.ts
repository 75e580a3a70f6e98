/**
 * Feeds a parser one input cut into pieces, as the handler does: the byte path (each piece validated by
 * Utf8Chunks) or the string path (each piece decoded by a streaming TextDecoder), so that tests can compare
 * the two on the same cuts.
 */
import { Utf8Chunks } from '../../../lambda/parser/utf8-chunks';

/** A push parser of the byte and string paths (CsvParser, NdjsonParser). */
export interface BytesAndTextParser {
  push(text: string): void;
  pushBytes(bytes: Buffer): void;
  end(): void;
}

/** The byte path: `bytes` cut at `cuts`, each piece validated by Utf8Chunks and pushed as bytes, then the end. */
export function pushBytesCut(parser: BytesAndTextParser, bytes: Buffer, cuts: readonly number[]): void {
  const utf8 = new Utf8Chunks({ bytesDecoded: 0 });
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    const out = utf8.decode(bytes.subarray(from, cut));
    if (out !== undefined) parser.pushBytes(out);
    from = cut;
  }
  utf8.end();
  parser.end();
}

/** The string path on the same cuts, decoded by a TextDecoder (as the handler read text before), then the end. */
export function pushTextCut(parser: BytesAndTextParser, bytes: Buffer, cuts: readonly number[]): void {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    const text = decoder.decode(bytes.subarray(from, cut), { stream: true });
    if (text.length > 0) parser.push(text);
    from = cut;
  }
  parser.end();
}
