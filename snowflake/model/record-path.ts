/**
 * Paths into a bronze RECORD: `order.id`, `items[0].sku`, `weather[0].description`.
 *
 * A path is dot-separated keys, each optionally followed by `[n]` array indexes. The config schema
 * restricts key characters; this parser is deliberately more permissive (any character except
 * `.`, `[`, `]`, NUL) and the renderers escape every key, so SQL stays safe even for specs that
 * bypassed validation.
 */
import { DataModelError } from './errors';

/** One step of a path: an object key (matched ignoring case when `ignoreCase`) or an array index. */
export type PathStep = { readonly key: string; readonly ignoreCase?: boolean } | { readonly index: number };

/** The same steps with every key matched ignoring case (dataset `pathMatch: 'case-insensitive'`). */
export function ignoringCase(steps: readonly PathStep[]): PathStep[] {
  return steps.map((s) => ('key' in s ? { key: s.key, ignoreCase: true } : s));
}

/** Parses a path; `where` names the column in error messages (e.g. `weather.conditions`). */
export function parseRecordPath(path: string, where: string): PathStep[] {
  const bad = (rule: string) => new DataModelError(`${where}: invalid path ${JSON.stringify(path)}: ${rule}`);
  if (typeof path !== 'string' || path.length === 0) throw bad('must not be empty');
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(path)) throw bad('must not contain NUL characters');
  // `$$` would end the `EXECUTE IMMEDIATE $$ … $$` block the task body lives in.
  if (path.includes('$$')) throw bad('must not contain "$$"');
  const steps: PathStep[] = [];
  for (const segment of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment);
    if (!m || !m[1]) throw bad(`segment ${JSON.stringify(segment)} must be a key optionally followed by [n]`);
    steps.push({ key: m[1] });
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) {
      const index = Number(idx[1]);
      if (!Number.isSafeInteger(index)) throw bad(`index ${idx[1]} is too large`);
      steps.push({ index });
    }
  }
  return steps;
}

/** Escapes a value as a SQL string literal by doubling quotes (ANSI; DuckDB and Snowflake both accept it). */
export function ansiStringLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(value)) throw new DataModelError('string literal must not contain NUL characters');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Snowflake semi-structured access: `RECORD:"a"."b"[0]`. Keys containing `"` or `\` switch the
 * whole path to bracket notation with escaped string literals (`RECORD['we"ird'][0]`), which has
 * no quoting ambiguity.
 */
export function snowflakePath(column: string, steps: readonly PathStep[], literal: (s: string) => string): string {
  if (steps.some((s) => 'key' in s && s.ignoreCase)) {
    // GET_IGNORE_CASE(object, 'key'): the key matched ignoring case; GET(array, n) for indexes.
    return steps.reduce(
      (out, s) =>
        'index' in s
          ? `GET(${out}, ${s.index})`
          : `${s.ignoreCase ? 'GET_IGNORE_CASE' : 'GET'}(${out}, ${literal(s.key)})`,
      column,
    );
  }
  const bracket = steps.some((s) => 'key' in s && /["\\]/.test(s.key));
  let out = column;
  steps.forEach((s, i) => {
    if ('index' in s) out += `[${s.index}]`;
    else if (bracket) out += `[${literal(s.key)}]`;
    else out += `${i === 0 ? ':' : '.'}"${s.key}"`;
  });
  return out;
}

/** RFC 6901 JSON pointer (`/a/b/0`), used by DuckDB's json_extract: `~` → `~0`, `/` → `~1`. */
export function jsonPointer(steps: readonly PathStep[]): string {
  return steps
    .map((s) => ('index' in s ? `/${s.index}` : `/${s.key.replace(/~/g, '~0').replace(/\//g, '~1')}`))
    .join('');
}
