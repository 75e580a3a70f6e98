/**
 * Schema helpers for definitions that arrive through CloudFormation, which delivers every custom
 * resource property value as a string (`true` → `"true"`, `5` → `"5"`), and SQL fragments shared by
 * the kinds. Every name goes through snowflake/identifiers.ts.
 */
import { z } from 'zod';
import { SNOWFLAKE_IDENTIFIER, quoteIdentifier, stringLiteral } from '../identifiers';

/** A boolean given as `true`/`false` or as CloudFormation's `"true"`/`"false"`. */
export const cfnBoolean = z.union([
  z.boolean(),
  z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true'),
]);

/** A non-negative integer given as a number or a decimal string. */
export const cfnInteger = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a non-negative integer')
    .transform((v) => Number(v)),
]);

/** A Snowflake identifier (unquoted-identifier rules), canonicalised to upper case. */
export const identifier = z
  .string()
  .regex(SNOWFLAKE_IDENTIFIER, `must be a Snowflake identifier matching ${SNOWFLAKE_IDENTIFIER.source}`)
  .transform((v) => v.toUpperCase());

const REF = new RegExp(
  `^${SNOWFLAKE_IDENTIFIER.source.slice(1, -1)}(\\.${SNOWFLAKE_IDENTIFIER.source.slice(1, -1)}){2}$`,
);

/** A reference to a schema object as `DATABASE.SCHEMA.NAME`, canonicalised to upper case. */
export const objectRef = z
  .string()
  .regex(REF, 'must be a fully qualified name DATABASE.SCHEMA.NAME of Snowflake identifiers')
  .transform((v) => v.toUpperCase());

/** Optional comment; absent and empty are the same (no comment). */
export const comment = z.string().max(2000, 'must be at most 2000 characters').optional();

/** `DB.SCHEMA.NAME` → `"DB"."SCHEMA"."NAME"`. */
export function quoteRef(ref: string): string {
  return ref
    .split('.')
    .map((p) => quoteIdentifier(p))
    .join('.');
}

/** Canonical dotted name from parts (`['db','raw','x']` → `DB.RAW.X`). */
export function dotted(...parts: string[]): string {
  return parts.map((p) => p.toUpperCase()).join('.');
}

/** `COMMENT = '…'` or nothing. */
export function commentClause(text: string | undefined): string {
  return text ? ` COMMENT = ${stringLiteral(text)}` : '';
}

/** `SHOW <what> LIKE '<name>' IN SCHEMA "DB"."SCHEMA"`; the caller matches the name exactly (LIKE treats `_` as a wildcard). */
export function showInSchema(what: string, database: string, schema: string, name: string): string {
  return `SHOW ${what} LIKE ${stringLiteral(name)} IN SCHEMA ${quoteIdentifier(database)}.${quoteIdentifier(schema)}`;
}

/** The row of a SHOW result whose `name` is exactly `name`. */
export function exactRow<R extends Readonly<Record<string, string | null>>>(
  rows: readonly R[],
  name: string,
): R | undefined {
  return rows.find((r) => r.name === name);
}

/** Comments compare equal when both are empty or absent. */
export function sameComment(a: string | null | undefined, b: string | null | undefined): boolean {
  return (a ?? '') === (b ?? '');
}
