/**
 * The NDJSON hot path: validates one record's UTF-8 bytes (RFC 8259, as `canonicalJson` in
 * json-text.ts) and writes its canonical text — the same bytes as `canonicalJson`'s result encoded
 * as UTF-8: whitespace outside strings removed, everything else as written — straight into the
 * stage batch, without decoding the line to a string or encoding it back.
 *
 * It only ever ACCEPTS: whatever is not plainly a good object (invalid JSON, nesting deeper than the
 * limit, a duplicate key, a key written with escapes, an unescaped control character, any
 * non-ASCII byte outside a string, a top-level value that is not an object) returns -1, and the
 * caller then runs the string path (`canonicalJson`), which gives the exact reject reason and
 * message. So rejects, messages and positions are those of the string path by construction.
 *
 * The input must be valid UTF-8 (the caller validates every chunk): inside strings every byte of
 * 0x20 and above except `"` and `\` is data, so multi-byte characters need no decoding.
 */
import {
  BACKSLASH,
  COLON,
  COMMA,
  CR,
  DOT,
  LBRACE,
  LBRACKET,
  LF,
  LOWER_E,
  LOWER_U,
  MINUS,
  NINE,
  PLUS,
  QUOTE,
  RBRACE,
  RBRACKET,
  SPACE,
  TAB,
  UPPER_E,
  ZERO,
} from './char-codes';
import { addNestedEvents, NESTED_EVENT } from './schema-drift';
import type { NestedKeys, WantedObject } from './schema-drift';

const FAIL = -1;

/** 1 for the characters allowed after a backslash besides `u`: " \ / b f n r t. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;
/** 1 for hexadecimal digits. */
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** The top-level names of a record, in order: their UTF-8 bytes one after another, and each one's length. */
interface Shape {
  readonly bytes: Buffer;
  readonly lens: number[];
}

/** Record shapes remembered for schema drift (records of a few event types alternate). */
const MAX_SHAPES = 8;

/** Keys of the objects being scanned (all open objects), as byte spans of the source. */
const MAX_OPEN_KEYS = 4096;

/** Nested schema-drift events of one record (a record with more takes the string path). */
const MAX_EVENTS = 4096;
const LEN_MASK = 0xffffff;

/** The nested events of a record: each one's kind and name length (`kind << 24 | len`), and the names' UTF-8 bytes one after another. */
interface NestedShape {
  readonly codes: Int32Array;
  readonly bytes: Buffer;
}

export class JsonBytesWriter {
  private src: Buffer = Buffer.alloc(0);
  private end = 0;
  private out: Buffer = Buffer.alloc(0);
  private o = 0;
  /** Source bytes from here on are not yet copied to `out`. */
  private copyFrom = 0;
  /** The last string scanned held a backslash escape. */
  private escaped = false;
  private readonly keyStart = new Int32Array(MAX_OPEN_KEYS);
  private readonly keyLen = new Int32Array(MAX_OPEN_KEYS);
  private keyTop = 0;
  /** Top-level key count of the record just scanned (its spans are keyStart/keyLen[0, n)). */
  private topCount = 0;
  /** Top-level names of recent records (most recent first): a record of a known shape adds nothing. */
  private readonly shapes: Shape[] = [];
  /** The objects along nested column paths (null: none, nothing nested is collected). */
  private readonly wantRoot: WantedObject | null;
  /** Nested events of the record being scanned (see NESTED_EVENT), names as byte spans. */
  /** `kind << 24 | length` (a longer key fails: the string path collects it). */
  private readonly evCode = new Int32Array(MAX_EVENTS);
  private readonly evStart = new Int32Array(MAX_EVENTS);
  private evCount = 0;
  /** Nested events of recent records (most recent first), like `shapes`. */
  private readonly nestedShapes: NestedShape[] = [];

  /**
   * @param maxDepth deepest nesting accepted (objects and arrays)
   * @param topKeys receives the top-level property names of every accepted record (schema drift)
   * @param nested receives the property names inside the objects along nested column paths (schema drift)
   */
  constructor(
    private readonly maxDepth: number,
    private readonly topKeys: Set<string> | undefined,
    private readonly nested?: NestedKeys,
  ) {
    this.wantRoot = nested?.wanted ?? null;
  }

  /**
   * Writes the canonical JSON of the object in `src[start, end)` at `out[o]` (which must have
   * `end - start` bytes free) and returns the offset after it, or -1 when the string path must decide.
   */
  write(src: Buffer, start: number, end: number, out: Buffer, o: number): number {
    this.src = src;
    this.end = end;
    this.out = out;
    this.o = o;
    this.copyFrom = start;
    this.keyTop = 0;
    this.evCount = 0;
    let p = this.ws(start);
    if (p >= end || src[p] !== LBRACE) return FAIL;
    p = this.object(p, 1, this.wantRoot);
    if (p < 0) return FAIL;
    const valueEnd = p;
    if (this.ws(p) !== end) return FAIL;
    if (valueEnd > this.copyFrom) this.o += src.copy(out, this.o, this.copyFrom, valueEnd);
    if (this.topKeys !== undefined) this.collectTopKeys(this.topKeys);
    if (this.evCount > 0) this.collectNested(this.nested!);
    return this.o;
  }

  /** Skips JSON whitespace from `p`; a skipped run is left out of the output. */
  private ws(p: number): number {
    const s = this.src;
    const end = this.end;
    let i = p;
    while (i < end) {
      const c = s[i];
      if (c === SPACE || c === TAB || c === CR || c === LF) i++;
      else break;
    }
    if (i > p) {
      if (p > this.copyFrom) this.o += s.copy(this.out, this.o, this.copyFrom, p);
      this.copyFrom = i;
    }
    return i;
  }

  private value(p: number, depth: number): number {
    if (p >= this.end) return FAIL;
    const c = this.src[p];
    if (c === QUOTE) return this.string(p);
    if (c === LBRACE) return this.object(p, depth + 1, null);
    if (c === LBRACKET) return this.array(p, depth + 1);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number(p);
    if (c === 116) return this.literal(p, TRUE);
    if (c === 102) return this.literal(p, FALSE);
    if (c === 110) return this.literal(p, NULL);
    return FAIL;
  }

  /** `want`: the object lies along a nested column path (its names are recorded as events below the root). */
  private object(p: number, depth: number, want: WantedObject | null): number {
    if (depth > this.maxDepth) return FAIL;
    const s = this.src;
    p = this.ws(p + 1);
    if (p < this.end && s[p] === RBRACE) {
      if (depth === 1) this.topCount = 0;
      return p + 1;
    }
    const base = this.keyTop;
    const keyStart = this.keyStart;
    const keyLen = this.keyLen;
    for (;;) {
      if (p >= this.end || s[p] !== QUOTE) return FAIL;
      const ks = p + 1;
      p = this.string(p);
      if (p < 0 || this.escaped) return FAIL;
      const len = p - 1 - ks;
      for (let j = base; j < this.keyTop; j++) {
        if (keyLen[j] === len && sameBytes(s, keyStart[j], s, ks, len)) return FAIL;
      }
      if (this.keyTop === MAX_OPEN_KEYS) return FAIL;
      keyStart[this.keyTop] = ks;
      keyLen[this.keyTop++] = len;
      p = this.ws(p);
      if (p >= this.end || s[p] !== COLON) return FAIL;
      p = this.ws(p + 1);
      p = want === null ? this.value(p, depth) : this.wantedValue(p, depth, want, ks, len);
      if (p < 0) return FAIL;
      p = this.ws(p);
      if (p >= this.end) return FAIL;
      const c = s[p++];
      if (c === RBRACE) {
        if (depth === 1) this.topCount = this.keyTop - base;
        this.keyTop = base;
        return p;
      }
      if (c !== COMMA) return FAIL;
      p = this.ws(p);
    }
  }

  /**
   * The value of key `src[ks, ks + len)` of an object along a nested column path: records the key
   * (below the root), and enters an object value that lies along a path too.
   */
  private wantedValue(p: number, depth: number, want: WantedObject, ks: number, len: number): number {
    if (depth > 1 && !this.event(NESTED_EVENT.KEY, ks, len)) return FAIL;
    const child = p < this.end && this.src[p] === LBRACE ? this.wantedChild(want, ks, len) : null;
    if (child === null) return this.value(p, depth);
    if (!this.event(NESTED_EVENT.OPEN, ks, len)) return FAIL;
    p = this.object(p, depth + 1, child);
    if (p < 0 || !this.event(NESTED_EVENT.CLOSE, 0, 0)) return FAIL;
    return p;
  }

  private event(kind: number, start: number, len: number): boolean {
    const n = this.evCount;
    if (n === MAX_EVENTS || len > LEN_MASK) return false;
    this.evCode[n] = (kind << 24) | len;
    this.evStart[n] = start;
    this.evCount = n + 1;
    return true;
  }

  /** The wanted object under key `src[ks, ks + len)`, ASCII letters compared ignoring case; null when none. */
  private wantedChild(want: WantedObject, ks: number, len: number): WantedObject | null {
    const names = want.names;
    const s = this.src;
    for (let w = 0; w < names.length; w++) {
      const name = names[w];
      if (name.length !== len) continue;
      let k = 0;
      for (; k < len; k++) {
        const c = s[ks + k];
        if ((c >= 65 && c <= 90 ? c | 32 : c) !== name[k]) break;
      }
      if (k === len) return want.objects[w];
    }
    return null;
  }

  private array(p: number, depth: number): number {
    if (depth > this.maxDepth) return FAIL;
    const s = this.src;
    p = this.ws(p + 1);
    if (p < this.end && s[p] === RBRACKET) return p + 1;
    for (;;) {
      p = this.value(p, depth);
      if (p < 0) return FAIL;
      p = this.ws(p);
      if (p >= this.end) return FAIL;
      const c = s[p++];
      if (c === RBRACKET) return p;
      if (c !== COMMA) return FAIL;
      p = this.ws(p);
    }
  }

  /** `p` at the opening quote; returns the offset after the closing quote. */
  private string(p: number): number {
    const s = this.src;
    const end = this.end;
    let i = p + 1;
    let escaped = false;
    for (;;) {
      if (i >= end) return FAIL;
      const c = s[i];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        if (i + 1 >= end) return FAIL;
        const e = s[i + 1];
        if (e === LOWER_U) {
          if (i + 5 >= end) return FAIL;
          if (HEX[s[i + 2]] === 0 || HEX[s[i + 3]] === 0 || HEX[s[i + 4]] === 0 || HEX[s[i + 5]] === 0) return FAIL;
          i += 6;
        } else if (SIMPLE_ESCAPE[e] === 1) i += 2;
        else return FAIL;
        continue;
      }
      if (c < SPACE) return FAIL;
      i++;
    }
    this.escaped = escaped;
    return i + 1;
  }

  private number(p: number): number {
    let i = p;
    if (this.src[i] === MINUS) i++;
    if (!this.digit(i)) return FAIL;
    if (this.src[i] === ZERO) i++;
    else while (this.digit(i)) i++;
    if (i < this.end && this.src[i] === DOT) {
      i++;
      if (!this.digit(i)) return FAIL;
      while (this.digit(i)) i++;
    }
    if (i < this.end && (this.src[i] === LOWER_E || this.src[i] === UPPER_E)) {
      i++;
      if (i < this.end && (this.src[i] === PLUS || this.src[i] === MINUS)) i++;
      if (!this.digit(i)) return FAIL;
      while (this.digit(i)) i++;
    }
    return i;
  }

  private digit(i: number): boolean {
    if (i >= this.end) return false;
    const c = this.src[i];
    return c >= ZERO && c <= NINE;
  }

  private literal(p: number, word: Buffer): number {
    const n = word.length;
    if (p + n > this.end || !sameBytes(this.src, p, word, 0, n)) return FAIL;
    return p + n;
  }

  /** Adds the record's top-level names to `keys`, unless a recent record had the very same ones. */
  private collectTopKeys(keys: Set<string>): void {
    const n = this.topCount;
    const shapes = this.shapes;
    for (let i = 0; i < shapes.length; i++) if (this.isShape(shapes[i], n)) return;
    let total = 0;
    for (let k = 0; k < n; k++) total += this.keyLen[k];
    const shape: Shape = { bytes: Buffer.allocUnsafe(total), lens: [] };
    const s = this.src;
    for (let k = 0, at = 0; k < n; k++) {
      const ks = this.keyStart[k];
      const len = this.keyLen[k];
      keys.add(s.toString('utf8', ks, ks + len));
      s.copy(shape.bytes, at, ks, ks + len);
      shape.lens.push(len);
      at += len;
    }
    if (shapes.length === MAX_SHAPES) shapes.pop();
    shapes.unshift(shape);
  }

  /** Adds the record's nested events to `nested`, unless a recent record had the very same ones. */
  private collectNested(nested: NestedKeys): void {
    const n = this.evCount;
    const shapes = this.nestedShapes;
    for (let i = 0; i < shapes.length; i++) if (this.isNestedShape(shapes[i], n)) return;
    const codes = this.evCode.slice(0, n);
    let total = 0;
    for (let k = 0; k < n; k++) total += codes[k] & LEN_MASK;
    const shape: NestedShape = { codes, bytes: Buffer.allocUnsafe(total) };
    const s = this.src;
    const kinds: number[] = [];
    const names: string[] = [];
    for (let k = 0, at = 0; k < n; k++) {
      const ks = this.evStart[k];
      const len = codes[k] & LEN_MASK;
      kinds.push(codes[k] >>> 24);
      names.push(s.toString('utf8', ks, ks + len));
      s.copy(shape.bytes, at, ks, ks + len);
      at += len;
    }
    addNestedEvents(nested.seen, kinds, names);
    if (shapes.length === MAX_SHAPES) shapes.pop();
    shapes.unshift(shape);
  }

  private isNestedShape(shape: NestedShape, n: number): boolean {
    const codes = shape.codes;
    if (codes.length !== n) return false;
    const ev = this.evCode;
    for (let k = 0; k < n; k++) if (ev[k] !== codes[k]) return false;
    const bytes = shape.bytes;
    const s = this.src;
    for (let k = 0, at = 0; k < n; k++) {
      const len = codes[k] & LEN_MASK;
      const ks = this.evStart[k];
      for (let j = 0; j < len; j++) if (bytes[at + j] !== s[ks + j]) return false;
      at += len;
    }
    return true;
  }

  /** The record's top-level names are exactly `shape`'s, in order. */
  private isShape(shape: Shape, n: number): boolean {
    const lens = shape.lens;
    if (lens.length !== n) return false;
    for (let k = 0, at = 0; k < n; at += lens[k], k++) {
      const len = this.keyLen[k];
      if (len !== lens[k] || !sameBytes(shape.bytes, at, this.src, this.keyStart[k], len)) return false;
    }
    return true;
  }
}

/** `a[ai, ai + len)` equals `b[bi, bi + len)` (a loop: the spans are short, a native call costs more). */
function sameBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}
