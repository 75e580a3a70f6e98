/**
 * Text → TIMESTAMP_* in both dialects, never depending on the session's TIMEZONE:
 *
 * - TIMESTAMP_NTZ stores UTC. A value with `Z` or a numeric offset (`+02:00`, `+0200`, `+02`) is converted
 *   to UTC (`2026-11-20T10:00:00+02:00` → `2026-11-20 08:00:00`); a value without keeps its wallclock as
 *   written (the producer's own convention; nothing to convert from).
 * - TIMESTAMP_TZ / TIMESTAMP_LTZ store the instant. A value with an offset keeps it; a value without is
 *   read as UTC (not the session's time zone).
 *
 * Snowflake: `TRY_CAST(… AS TIMESTAMP_NTZ)` keeps the wallclock of an offset-bearing value (the offset is
 * dropped), and TIMESTAMP_TZ/LTZ conversions of offset-less text use the session TIMEZONE; hence the
 * explicit branches. CONVERT_TIMEZONE(target, <TIMESTAMP_TZ>) takes the source zone from the value itself.
 */
import { stringLiteral } from '../identifiers';
import type { ColumnType } from './column-types';
import { ansiStringLiteral } from './record-path';

/** A time of day followed by `Z` or a numeric offset at the end of the text (a date alone has none). */
export const OFFSET_PATTERN = '.*[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]*)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)';

const SNOWFLAKE_ISO = 'YYYY-MM-DD"T"HH24:MI:SS.FF9';

/** Snowflake expression of `text` (already NULL when empty) as the timestamp type `t`. */
export function snowflakeTimestamp(text: string, t: ColumnType): string {
  const hasOffset = `REGEXP_LIKE(${text}, ${stringLiteral(OFFSET_PATTERN)})`;
  if (t.family === 'timestamp_ntz')
    return (
      `CASE WHEN ${hasOffset} THEN CAST(CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(${text})) AS ${t.snowflake}) ` +
      `ELSE TRY_CAST(${text} AS ${t.snowflake}) END`
    );
  // Offset-less: the wallclock as written, given an explicit +00:00 (TO_CHAR with a format ignores the session).
  const asUtc =
    `TRY_TO_TIMESTAMP_TZ(TO_CHAR(TRY_CAST(${text} AS TIMESTAMP_NTZ(9)), ${stringLiteral(SNOWFLAKE_ISO)}) || '+00:00', ` +
    `${stringLiteral(`${SNOWFLAKE_ISO}TZH:TZM`)})`;
  return `CAST(CASE WHEN ${hasOffset} THEN TRY_TO_TIMESTAMP_TZ(${text}) ELSE ${asUtc} END AS ${t.snowflake})`;
}

/** DuckDB expression of `text` (already NULL when empty) as TIMESTAMP (ntz) or TIMESTAMPTZ (tz, ltz). */
export function duckdbTimestamp(text: string, t: ColumnType): string {
  const hasOffset = `regexp_full_match(${text}, ${ansiStringLiteral(OFFSET_PATTERN)})`;
  if (t.family === 'timestamp_ntz')
    return (
      `CASE WHEN ${hasOffset} THEN timezone('UTC', TRY_CAST(${text} AS TIMESTAMPTZ)) ` +
      `ELSE TRY_CAST(${text} AS TIMESTAMP) END`
    );
  return (
    `CASE WHEN ${hasOffset} THEN TRY_CAST(${text} AS TIMESTAMPTZ) ` +
    `ELSE timezone('UTC', TRY_CAST(${text} AS TIMESTAMP)) END`
  );
}
