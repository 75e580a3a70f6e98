/**
 * Snowflake identifiers and literals: the only way SQL text is built from names and values in
 * this project. Every identifier is validated, upper-cased and double-quoted; every string
 * literal is escaped. No string-built SQL from unvalidated input.
 */

/** Unquoted-identifier rules, also enforced for names we quote (no quotes, no spaces, ≤ 255). */
export const SNOWFLAKE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;

/** A name that failed validation; names the role of the name (e.g. `dataset name`) and the rule. */
export class InvalidIdentifierError extends Error {
  override readonly name = 'InvalidIdentifierError';
  constructor(
    readonly what: string,
    readonly value: string,
  ) {
    super(
      `Invalid Snowflake identifier for ${what}: ${JSON.stringify(value)} (must match ${SNOWFLAKE_IDENTIFIER.source})`,
    );
  }
}

/** Validates a name and returns its canonical (upper-case) form. */
export function canonicalName(name: string, what = 'identifier'): string {
  if (typeof name !== 'string' || !SNOWFLAKE_IDENTIFIER.test(name))
    throw new InvalidIdentifierError(what, String(name));
  return name.toUpperCase();
}

/** `orders` → `"ORDERS"`: validated, upper-cased (Snowflake's resolution of unquoted names), quoted. */
export function quoteIdentifier(name: string, what = 'identifier'): string {
  return `"${canonicalName(name, what)}"`;
}

/** `("INGEST", "RAW", "ORDERS")` → `"INGEST"."RAW"."ORDERS"`. */
export function qualifiedName(...parts: string[]): string {
  return parts.map((p) => quoteIdentifier(p)).join('.');
}

/** Escapes a value as a single-quoted Snowflake string literal (backslashes and quotes escaped). */
export function stringLiteral(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`stringLiteral expects a string, got ${typeof value}`);
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(value)) throw new TypeError('string literal must not contain NUL characters');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
