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
import { ROW_REASONS } from './errors';
import type { RowReason } from './errors';
import { addNestedEvents, asciiLower, NESTED_EVENT } from './schema-drift';
import type { NestedKeys, WantedObject } from './schema-drift';

/** The canonical text of one JSON value, or why it is not acceptable. */
export type CanonicalJson =
  | { readonly ok: true; readonly json: string; readonly isObject: boolean }
  | { readonly ok: false; readonly reason: RowReason; readonly message: string };

class JsonSyntaxError {
  constructor(
    readonly reason: RowReason,
    readonly message: string,
  ) {}
}

const isWs = (c: number) => c === SPACE || c === LF || c === CR || c === TAB;
const isDigit = (c: number) => c >= ZERO && c <= NINE;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** Characters allowed after a backslash: " \ / b f n r t (u is handled apart). */
const SIMPLE_ESCAPES = new Set([QUOTE, BACKSLASH, 47, 98, 102, 110, 114, 116]);
/** Any control character (whitespace included). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f]/;

/**
 * Strict RFC 8259 validation of one complete JSON text, returning it minified (whitespace outside
 * strings removed) with every other character kept as written: numbers keep their exact digits,
 * strings their escapes. Nesting deeper than `maxDepth` is a TOO_DEEP reject; an object with the
 * same property name twice is a DUPLICATE_KEY reject (RFC 8259 leaves its meaning undefined, and
 * Snowflake refuses to load such a value by default, which would skip the whole stage file).
 *
 * `topKeys`, when given, receives the property names of a top-level object (schema drift, see
 * schema-drift.ts); `nested`, when given, the names inside the objects along nested column paths
 * (matched ignoring ASCII case); names of other deeper objects are not collected. Both only for an
 * accepted object.
 *
 * Hand-written single pass (no JSON.parse): JSON.parse would lose digits past 2^53 and allocate
 * the whole value; this only slices the input.
 */
export function canonicalJson(
  text: string,
  maxDepth: number,
  topKeys?: Set<string>,
  nested?: NestedKeys,
): CanonicalJson {
  const v = new JsonValidator(text, maxDepth, topKeys, nested);
  try {
    v.skipWs();
    const first = text.charCodeAt(v.i);
    v.value(0, nested?.wanted ?? null);
    v.skipWs();
    if (v.i < text.length) v.fail(`unexpected ${describe(text, v.i)} after the value`);
    return { ok: true, json: v.result(), isObject: first === LBRACE };
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
}

function describe(text: string, i: number): string {
  return i >= text.length ? 'end of input' : `character ${JSON.stringify(text[i])} at position ${i}`;
}

/**
 * The property names of one object, compared by value (`"a"` and `"\u0061"` are the same name).
 * Linear search for small objects, a Set past 16 names. Reused for every object at one depth.
 */
class KeySet {
  private list: string[] = [];
  private set: Set<string> | undefined;

  clear(): void {
    this.list.length = 0;
    this.set = undefined;
  }

  /** Adds a name (unescaped); false when the object already has it. */
  add(name: string): boolean {
    if (this.set !== undefined) {
      if (this.set.has(name)) return false;
      this.set.add(name);
      return true;
    }
    if (this.list.includes(name)) return false;
    this.list.push(name);
    if (this.list.length > 16) this.set = new Set(this.list);
    return true;
  }

  /** Adds every name to `out`. */
  addTo(out: Set<string>): void {
    for (const name of this.set ?? this.list) out.add(name);
  }
}

class JsonValidator {
  i = 0;
  private out = '';
  /** The last string scanned held a backslash escape. */
  private escaped = false;
  /** One name set per nesting depth, reused from object to object. */
  private readonly keySets: KeySet[] = [];
  private copyFrom = 0;
  /**
   * The text holds no control character at all, so a string is plain exactly when no backslash
   * comes before its closing quote: both found by native searches instead of a loop per character.
   */
  private readonly noControls: boolean;
  /** First backslash at or after the last search (-1: none left; -2: not searched yet). */
  private nextBackslash = -2;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
    private readonly topKeys: Set<string> | undefined,
    private readonly nested: NestedKeys | undefined,
  ) {
    this.noControls = !CONTROL.test(s);
  }

  /** Nested schema-drift events of the record (see NESTED_EVENT), added once the record is accepted. */
  private evKinds: number[] | undefined;
  private evNames: string[] | undefined;

  fail(message: string, reason: RowReason = ROW_REASONS.MALFORMED_JSON): never {
    throw new JsonSyntaxError(reason, message);
  }

  result(): string {
    if (this.copyFrom === 0) return this.out === '' ? this.s : this.out;
    let end = this.s.length;
    while (end > this.copyFrom && isWs(this.s.charCodeAt(end - 1))) end--;
    return this.out + this.s.slice(this.copyFrom, end);
  }

  skipWs(): void {
    const s = this.s;
    const from = this.i;
    let i = from;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    if (i > from) {
      this.out += s.slice(this.copyFrom, from);
      this.copyFrom = i;
      this.i = i;
    }
  }

  value(depth: number, want: WantedObject | null = null): void {
    const c = this.s.charCodeAt(this.i);
    if (c === LBRACE) return this.object(depth + 1, want);
    if (c === LBRACKET) return this.array(depth + 1);
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.number();
    if (c === 116) return this.literal('true');
    if (c === 102) return this.literal('false');
    if (c === 110) return this.literal('null');
    this.fail(`unexpected ${describe(this.s, this.i)}`);
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`, ROW_REASONS.TOO_DEEP);
  }

  /** `want`: the object lies along a nested column path (its names are recorded below the root). */
  private object(depth: number, want: WantedObject | null): void {
    this.enter(depth);
    this.i++;
    this.skipWs();
    if (this.s.charCodeAt(this.i) === RBRACE) {
      this.i++;
      return;
    }
    const keys = (this.keySets[depth] ??= new KeySet());
    keys.clear();
    for (;;) {
      if (this.s.charCodeAt(this.i) !== QUOTE) this.fail(`expected a property name, got ${describe(this.s, this.i)}`);
      const keyStart = this.i;
      this.string();
      const name = this.escaped
        ? (JSON.parse(this.s.slice(keyStart, this.i)) as string)
        : this.s.slice(keyStart + 1, this.i - 1);
      if (!keys.add(name)) {
        this.fail(`duplicate key ${this.s.slice(keyStart, this.i)} at position ${keyStart}`, ROW_REASONS.DUPLICATE_KEY);
      }
      this.skipWs();
      if (this.s.charCodeAt(this.i) !== COLON) this.fail(`expected ':', got ${describe(this.s, this.i)}`);
      this.i++;
      this.skipWs();
      if (want === null) this.value(depth);
      else this.wantedValue(depth, want, name);
      this.skipWs();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === RBRACE) {
        if (depth === 1 && this.topKeys !== undefined) keys.addTo(this.topKeys);
        if (depth === 1 && this.evNames !== undefined) addNestedEvents(this.nested!.seen, this.evKinds!, this.evNames);
        return;
      }
      if (c !== COMMA) this.fail(`expected ',' or '}', got ${describe(this.s, this.i - 1)}`);
      this.skipWs();
      if (this.s.charCodeAt(this.i) === RBRACE) this.fail(`trailing comma before '}' at position ${this.i}`);
    }
  }

  /** The value of property `name` of an object along a nested column path (see object()). */
  private wantedValue(depth: number, want: WantedObject, name: string): void {
    if (depth > 1) this.event(NESTED_EVENT.KEY, name);
    const child =
      want.children.size > 0 && this.s.charCodeAt(this.i) === LBRACE ? want.children.get(asciiLower(name)) : undefined;
    if (child === undefined) return this.value(depth);
    this.event(NESTED_EVENT.OPEN, name);
    this.object(depth + 1, child);
    this.event(NESTED_EVENT.CLOSE, '');
  }

  private event(kind: number, name: string): void {
    (this.evKinds ??= []).push(kind);
    (this.evNames ??= []).push(name);
  }

  private array(depth: number): void {
    this.enter(depth);
    this.i++;
    this.skipWs();
    if (this.s.charCodeAt(this.i) === RBRACKET) {
      this.i++;
      return;
    }
    for (;;) {
      this.value(depth);
      this.skipWs();
      const c = this.s.charCodeAt(this.i);
      this.i++;
      if (c === RBRACKET) return;
      if (c !== COMMA) this.fail(`expected ',' or ']', got ${describe(this.s, this.i - 1)}`);
      this.skipWs();
      if (this.s.charCodeAt(this.i) === RBRACKET) this.fail(`trailing comma before ']' at position ${this.i}`);
    }
  }

  private string(): void {
    const s = this.s;
    let i = this.i + 1;
    this.escaped = false;
    if (this.noControls) {
      const q = s.indexOf('"', i);
      let b = this.nextBackslash;
      if (b === -2 || (b >= 0 && b < i)) b = this.nextBackslash = s.indexOf('\\', i);
      if (q >= 0 && (b < 0 || b > q)) {
        this.i = q + 1;
        return;
      }
    }
    for (;;) {
      const c = s.charCodeAt(i);
      // Hot path first: most characters are above the backslash (lower case, non-ASCII) or plain.
      if (c > BACKSLASH || (c >= SPACE && c !== QUOTE && c !== BACKSLASH)) {
        i++;
        continue;
      }
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        this.escaped = true;
        const e = s.charCodeAt(i + 1);
        if (e === LOWER_U) {
          for (let k = 2; k < 6; k++) {
            if (!isHex(s.charCodeAt(i + k))) this.fail(`invalid \\u escape at position ${i}`);
          }
          i += 6;
        } else if (SIMPLE_ESCAPES.has(e)) i += 2;
        else this.fail(`invalid escape at position ${i}`);
        continue;
      }
      if (c < SPACE) this.fail(`unescaped control character in a string at position ${i}`);
      this.fail('unterminated string'); // NaN: past the end
    }
    this.i = i + 1;
  }

  private number(): void {
    const s = this.s;
    let i = this.i;
    if (s.charCodeAt(i) === MINUS) i++;
    const firstDigit = s.charCodeAt(i);
    if (firstDigit === ZERO) i++;
    else if (isDigit(firstDigit)) while (isDigit(s.charCodeAt(i))) i++;
    else this.fail(`invalid number at position ${this.i}`);
    if (s.charCodeAt(i) === DOT) {
      i++;
      if (!isDigit(s.charCodeAt(i))) this.fail(`invalid number at position ${this.i}`);
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const e = s.charCodeAt(i);
    if (e === LOWER_E || e === UPPER_E) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === PLUS || sign === MINUS) i++;
      if (!isDigit(s.charCodeAt(i))) this.fail(`invalid number at position ${this.i}`);
      while (isDigit(s.charCodeAt(i))) i++;
    }
    this.i = i;
  }

  private literal(word: string): void {
    if (!this.s.startsWith(word, this.i)) this.fail(`unexpected ${describe(this.s, this.i)}`);
    this.i += word.length;
  }
}
