/**
 * The dialect adapter: the same generators emit Snowflake SQL (the source of truth, deployed in
 * tasks) and DuckDB SQL (tests and the local sandbox). Everything that differs between the two is
 * here, explicitly; the generators never branch on the dialect themselves.
 *
 * | concern              | snowflake                                  | duckdb                                      |
 * |----------------------|--------------------------------------------|---------------------------------------------|
 * | object names         | "DB"."SCHEMA"."NAME"                       | "SCHEMA"."NAME" (one database per file)     |
 * | string literal       | '…' with \ escapes (identifiers.ts)        | '…' with '' doubling                        |
 * | VARIANT/OBJECT/ARRAY | VARIANT / OBJECT / ARRAY                   | JSON                                        |
 * | NUMBER(p,s)          | NUMBER(p,s)                                | DECIMAL(p,s) (p ≤ 38 in both)               |
 * | TIMESTAMP_TZ/_LTZ    | TIMESTAMP_TZ / TIMESTAMP_LTZ               | TIMESTAMPTZ                                 |
 * | TIMESTAMP_NTZ        | TIMESTAMP_NTZ                              | TIMESTAMP                                   |
 * | record value         | RECORD:"a"."b"[0]                          | json_extract(RECORD, '/a/b/0')              |
 * | record as text       | RECORD:"a"::VARCHAR                        | json_extract_string(RECORD, '/a')           |
 * | typed cast           | TRY_CAST(text AS type), AS_ARRAY …         | TRY_CAST(text AS type), json_type checks    |
 * | stream rows          | <stream> WHERE METADATA$ACTION = 'INSERT'  | <stream> (a plain table of new bronze rows) |
 * | key ignoring case    | GET_IGNORE_CASE(v, 'k') (exact match wins) | exact key, else the first key equal by lower |
 * | TIMESTAMP_NTZ text   | with Z/offset: CONVERT_TIMEZONE('UTC', …)  | with Z/offset: timezone('UTC', TIMESTAMPTZ) |
 * |                      | no offset: the wallclock as written        | no offset: the wallclock as written         |
 * | TIMESTAMP_TZ/_LTZ    | no offset: read as UTC (never the session) | no offset: timezone('UTC', TIMESTAMP)       |
 * | JSON array length    | ARRAY_SIZE(v)                              | json_array_length(v)                        |
 * | regex full match     | REGEXP_LIKE(text, '…')                     | regexp_full_match(text, '…')                |
 * | now                  | CURRENT_TIMESTAMP()                        | current_timestamp                           |
 * | comments             | inline COMMENT                             | omitted                                     |
 */
import { qualifiedName, stringLiteral } from '../identifiers';
import type { ObjectPath } from '../names';
import type { ColumnType } from './column-types';
import { ansiStringLiteral, jsonPointer, snowflakePath } from './record-path';
import { duckdbTimestamp, snowflakeTimestamp } from './timestamps';
import type { PathStep } from './record-path';

export type DialectName = 'snowflake' | 'duckdb';

export interface Dialect {
  readonly name: DialectName;
  /** Quoted, qualified object name. */
  table(path: ObjectPath): string;
  /** Escaped string literal. */
  literal(value: string): string;
  /** Column type in DDL. */
  columnType(type: ColumnType): string;
  /** The value at `steps` inside the VARIANT/JSON column `record`, keeping its JSON type. */
  valueAt(record: string, steps: readonly PathStep[]): string;
  /** The value at `steps` as text: strings unquoted, other scalars as their text, JSON null → NULL. */
  textAt(record: string, steps: readonly PathStep[]): string;
  /** The value typed as `type`; NULL when it is absent or cannot be converted (never an error). */
  typedAt(record: string, steps: readonly PathStep[], type: ColumnType): string;
  /** Number of elements of the JSON array `value` (NULL when it is not an array). */
  arraySize(value: string): string;
  /** True when the whole of `text` matches the regular expression `pattern`. */
  fullMatch(text: string, pattern: string): string;
  /** Current timestamp expression. */
  readonly now: string;
  /** Predicate selecting new rows of a stream, or undefined when every row of the stream table is new. */
  readonly streamFilter: string | undefined;
  /** Inline column comment (with leading space) or '' when the dialect has none. */
  columnComment(text: string | undefined): string;
  /** Table comment clause (with leading space) or ''. */
  tableComment(text: string | undefined): string;
}

/** Text converted to a scalar type with TRY_CAST; an empty string is NULL, not a cast failure. */
function tryCast(text: string, type: string): string {
  return `TRY_CAST(NULLIF(${text}, '') AS ${type})`;
}

function lengthChecked(text: string, length: number | undefined, lengthFn: string): string {
  // An over-long string becomes NULL rather than failing the whole MERGE (bronze keeps the original).
  return length === undefined ? text : `CASE WHEN ${lengthFn}(${text}) <= ${length} THEN ${text} END`;
}

export const snowflakeDialect: Dialect = {
  name: 'snowflake',
  table: (path) => qualifiedName(...path),
  literal: stringLiteral,
  columnType: (t) => t.snowflake,
  valueAt: (record, steps) => snowflakePath(record, steps, stringLiteral),
  textAt: (record, steps) => `${snowflakePath(record, steps, stringLiteral)}::VARCHAR`,
  typedAt(record, steps, t) {
    const v = snowflakePath(record, steps, stringLiteral);
    const text = `${v}::VARCHAR`;
    switch (t.family) {
      case 'string':
        return lengthChecked(text, t.length, 'LENGTH');
      case 'variant':
        return v;
      case 'object':
        return `COALESCE(AS_OBJECT(${v}), AS_OBJECT(TRY_PARSE_JSON(AS_VARCHAR(${v}))))`;
      case 'array':
        return `COALESCE(AS_ARRAY(${v}), AS_ARRAY(TRY_PARSE_JSON(AS_VARCHAR(${v}))))`;
      case 'binary':
        return `TRY_TO_BINARY(NULLIF(${text}, ''), 'HEX')`;
      case 'geography':
        return `TRY_TO_GEOGRAPHY(${v})`;
      case 'geometry':
        return `TRY_TO_GEOMETRY(${v})`;
      case 'timestamp_ntz':
      case 'timestamp_tz':
      case 'timestamp_ltz':
        return snowflakeTimestamp(`NULLIF(${text}, '')`, t);
      default:
        // NUMBER, FLOAT, BOOLEAN, DATE, TIME, TIMESTAMP_*: TRY_CAST takes text only.
        return tryCast(text, t.snowflake);
    }
  },
  arraySize: (value) => `ARRAY_SIZE(${value})`,
  // REGEXP_LIKE is implicitly anchored at both ends.
  fullMatch: (text, pattern) => `REGEXP_LIKE(${text}, ${stringLiteral(pattern)})`,
  now: 'CURRENT_TIMESTAMP()',
  streamFilter: `METADATA$ACTION = 'INSERT'`,
  columnComment: (text) => (text ? ` COMMENT ${stringLiteral(text)}` : ''),
  tableComment: (text) => (text ? ` COMMENT = ${stringLiteral(text)}` : ''),
};

const DUCKDB_TYPES: Record<ColumnType['family'], (t: ColumnType) => string> = {
  string: () => 'VARCHAR',
  number: (t) => `DECIMAL(${t.precision},${t.scale})`,
  float: () => 'DOUBLE',
  boolean: () => 'BOOLEAN',
  date: () => 'DATE',
  time: () => 'TIME',
  timestamp_ntz: () => 'TIMESTAMP',
  timestamp_ltz: () => 'TIMESTAMPTZ',
  timestamp_tz: () => 'TIMESTAMPTZ',
  variant: () => 'JSON',
  object: () => 'JSON',
  array: () => 'JSON',
  binary: () => 'BLOB',
  // No spatial types without an extension: the GeoJSON value is kept as JSON.
  geography: () => 'JSON',
  geometry: () => 'JSON',
};

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  table: (path) => qualifiedName(path[1], path[2]),
  literal: ansiStringLiteral,
  columnType: (t) => DUCKDB_TYPES[t.family](t),
  valueAt: (record, steps) =>
    steps.some((s) => 'key' in s && s.ignoreCase)
      ? duckdbIgnoringCase(record, steps)
      : `json_extract(${record}, ${ansiStringLiteral(jsonPointer(steps))})`,
  textAt: (record, steps) =>
    steps.some((s) => 'key' in s && s.ignoreCase)
      ? `json_extract_string(${duckdbIgnoringCase(record, steps)}, '$')`
      : `json_extract_string(${record}, ${ansiStringLiteral(jsonPointer(steps))})`,
  typedAt(record, steps, t) {
    const v = duckdbDialect.valueAt(record, steps);
    const text = duckdbDialect.textAt(record, steps);
    switch (t.family) {
      case 'string':
        return lengthChecked(text, t.length, 'length');
      case 'variant':
      case 'geography':
      case 'geometry':
        return v;
      case 'object':
      case 'array': {
        const want = t.family === 'object' ? 'OBJECT' : 'ARRAY';
        return (
          `CASE json_type(${v}) WHEN '${want}' THEN ${v} WHEN 'VARCHAR' THEN ` +
          `(CASE WHEN json_valid(${text}) AND json_type(${text}) = '${want}' THEN CAST(${text} AS JSON) END) END`
        );
      }
      case 'binary':
        return `TRY(unhex(NULLIF(${text}, '')))`;
      case 'timestamp_ntz':
      case 'timestamp_tz':
      case 'timestamp_ltz':
        return duckdbTimestamp(`NULLIF(${text}, '')`, t);
      default:
        return tryCast(text, DUCKDB_TYPES[t.family](t));
    }
  },
  arraySize: (value) => `json_array_length(${value})`,
  fullMatch: (text, pattern) => `regexp_full_match(${text}, ${ansiStringLiteral(pattern)})`,
  now: 'current_timestamp',
  streamFilter: undefined,
  columnComment: () => '',
  tableComment: () => '',
};

/**
 * DuckDB has no GET_IGNORE_CASE: each key step takes the exact key when the object has it, else the first
 * key equal ignoring case (json_keys order), like Snowflake's GET_IGNORE_CASE (exact match first).
 */
function duckdbIgnoringCase(record: string, steps: readonly PathStep[]): string {
  return steps.reduce((v, s) => {
    if ('index' in s) return `json_extract(${v}, '/${s.index}')`;
    const exact = `json_extract(${v}, ${ansiStringLiteral(jsonPointer([s]))})`;
    if (!s.ignoreCase) return exact;
    const found = `list_filter(json_keys(${v}), lambda k: lower(k) = ${ansiStringLiteral(s.key.toLowerCase())})[1]`;
    const pointer = `'/' || replace(replace(${found}, '~', '~0'), '/', '~1')`;
    return `COALESCE(${exact}, CASE WHEN json_type(${v}) = 'OBJECT' THEN json_extract(${v}, ${pointer}) END)`;
  }, record);
}
