/**
 * SQL reading for the Snowflake-protocol test server: a tokenizer and a reader of the statement
 * shapes the provisioner emits. Strict on purpose: an unknown shape is an error.
 */

export class SqlFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly sqlState: string,
  ) {
    super(message);
  }
}

export type Rows = Record<string, string | null>[];

export type Token = { t: 'id' | 'str' | 'word' | 'p'; v: string };

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      const j = sql.indexOf('"', i + 1);
      out.push({ t: 'id', v: sql.slice(i + 1, j) });
      i = j + 1;
    } else if (c === "'") {
      let v = '';
      i++;
      while (sql[i] !== "'") {
        if (sql[i] === '\\') i++;
        v += sql[i++];
      }
      out.push({ t: 'str', v });
      i++;
    } else if ('(),=.@;'.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else {
      const m = /^[^\s"'(),=.@;]+/.exec(sql.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

export const unsupported = (sql: string) =>
  new SqlFailure(`test server: unsupported statement: ${sql}`, '001003', '42000');

const KIND_WORDS = ['STORAGE INTEGRATIONS', 'STORAGE INTEGRATION', 'FILE FORMATS', 'FILE FORMAT'];

export class Reader {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly sql: string,
  ) {}
  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw unsupported(this.sql);
    return t;
  }
  word(): string {
    const t = this.next();
    if (t.t !== 'word') throw unsupported(this.sql);
    return t.v.toUpperCase();
  }
  peekWord(w: string): boolean {
    const t = this.tokens[this.i];
    return t?.t === 'word' && t.v.toUpperCase() === w;
  }
  expectWord(w: string): void {
    if (this.word() !== w) throw unsupported(this.sql);
  }
  expect(p: string): void {
    const t = this.next();
    if (t.t !== 'p' || t.v !== p) throw unsupported(this.sql);
  }
  str(): string {
    const t = this.next();
    if (t.t !== 'str') throw unsupported(this.sql);
    return t.v;
  }
  kindWords(): string {
    const w = this.word();
    for (const k of KIND_WORDS) {
      const [a, b] = k.split(' ');
      if (w === a && this.peekWord(b)) {
        this.word();
        return k;
      }
    }
    return w;
  }
  /** `"A"."B"."C"` (or bare words) → `A.B.C`. */
  name(): string {
    const parts = [this.part()];
    while (this.tokens[this.i]?.t === 'p' && this.tokens[this.i].v === '.') {
      this.i++;
      parts.push(this.part());
    }
    return parts.join('.');
  }
  private part(): string {
    const t = this.next();
    if (t.t === 'id') return t.v;
    if (t.t === 'word') return t.v.toUpperCase();
    throw unsupported(this.sql);
  }
  /** `KEY = value` pairs until the end or `AS`; `KEY = (A = v)` nests as `KEY.A`; lists join with commas. */
  props(): Record<string, string> {
    const out: Record<string, string> = {};
    while (this.i < this.tokens.length && !this.peekWord('AS')) {
      const key = this.word();
      this.expect('=');
      const t = this.tokens[this.i];
      if (t.t === 'p' && t.v === '(') {
        this.i++;
        const values: string[] = [];
        while (!(this.tokens[this.i].t === 'p' && this.tokens[this.i].v === ')')) {
          const v = this.tokens[this.i];
          if (v.t === 'word' && this.tokens[this.i + 1]?.v === '=') {
            const sub = this.word();
            this.expect('=');
            out[`${key}.${sub}`] = this.value();
          } else if (v.t === 'p' && v.v === ',') this.i++;
          else values.push(this.value());
        }
        this.i++;
        if (values.length) out[key] = values.join(',');
      } else out[key] = this.value();
    }
    return out;
  }
  private value(): string {
    const t = this.next();
    if (t.t === 'p') throw unsupported(this.sql);
    if (t.t === 'word' || t.t === 'id') {
      // A dotted identifier value (DB.SCHEMA.NAME) is read whole.
      let v = t.t === 'word' ? t.v.toUpperCase() : t.v;
      while (this.tokens[this.i]?.t === 'p' && this.tokens[this.i].v === '.') {
        this.i++;
        v += `.${this.part()}`;
      }
      return v;
    }
    return t.v;
  }
  /** `("A" T, "B" T(1,2) COMMENT = '…')` (or without the parentheses: ADD COLUMN). */
  columnList(parenthesised = true): { name: string; type: string }[] {
    if (parenthesised) this.expect('(');
    const cols: { name: string; type: string }[] = [];
    for (;;) {
      const name = this.part();
      let type = this.word();
      if (this.tokens[this.i]?.t === 'p' && this.tokens[this.i].v === '(') {
        let args = '';
        while (this.tokens[this.i].v !== ')') args += this.next().v;
        args += this.next().v;
        type += args;
      }
      if (this.peekWord('COMMENT')) {
        this.word();
        this.expect('=');
        this.str();
      }
      cols.push({ name, type });
      const t = this.tokens[this.i];
      if (t?.t === 'p' && t.v === ',') {
        this.i++;
        continue;
      }
      if (parenthesised) this.expect(')');
      return cols;
    }
  }
}
