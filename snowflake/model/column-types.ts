/**
 * Column types of dataset specs: parsed once into a canonical form that every generator (DDL,
 * typed MERGE, DuckDB adapter, schema evolution) agrees on.
 *
 * Canonical Snowflake forms (what DESC TABLE would show, minus defaulted lengths):
 * INT/INTEGER/BIGINT/SMALLINT/TINYINT/BYTEINT/NUMBER → NUMBER(38,0); DECIMAL/NUMERIC(p,s) → NUMBER(p,s);
 * FLOAT*, DOUBLE*, REAL → FLOAT; STRING/TEXT → VARCHAR; CHAR(n) → VARCHAR(n) (CHAR → VARCHAR(1));
 * TIMESTAMP/DATETIME → TIMESTAMP_NTZ (explicit, so silver never depends on TIMESTAMP_TYPE_MAPPING);
 * VARBINARY → BINARY.
 */
import { DataModelError } from './errors';

export type TypeFamily =
  | 'string'
  | 'number'
  | 'float'
  | 'boolean'
  | 'date'
  | 'time'
  | 'timestamp_ntz'
  | 'timestamp_ltz'
  | 'timestamp_tz'
  | 'variant'
  | 'object'
  | 'array'
  | 'binary'
  | 'geography'
  | 'geometry';

export interface ColumnType {
  readonly family: TypeFamily;
  /** Canonical Snowflake type text, e.g. `NUMBER(12,2)`, `VARCHAR(2)`, `TIMESTAMP_NTZ`. */
  readonly snowflake: string;
  /** VARCHAR/BINARY length when declared. */
  readonly length?: number;
  /** NUMBER precision and scale (always set for `number`). */
  readonly precision?: number;
  readonly scale?: number;
  /** Fractional-seconds precision of TIME/TIMESTAMP_* when declared (0-9). */
  readonly fraction?: number;
}

/** Snowflake's default (and DESC TABLE's) VARCHAR length. */
export const VARCHAR_DEFAULT_LENGTH = 16_777_216;
/** Largest NUMBER precision in Snowflake (and DECIMAL width in DuckDB). */
export const MAX_NUMBER_PRECISION = 38;

const FAMILY: Record<string, TypeFamily> = {
  NUMBER: 'number',
  DECIMAL: 'number',
  NUMERIC: 'number',
  INT: 'number',
  INTEGER: 'number',
  BIGINT: 'number',
  SMALLINT: 'number',
  TINYINT: 'number',
  BYTEINT: 'number',
  FLOAT: 'float',
  FLOAT4: 'float',
  FLOAT8: 'float',
  DOUBLE: 'float',
  'DOUBLE PRECISION': 'float',
  REAL: 'float',
  VARCHAR: 'string',
  CHAR: 'string',
  CHARACTER: 'string',
  STRING: 'string',
  TEXT: 'string',
  BINARY: 'binary',
  VARBINARY: 'binary',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIME: 'time',
  DATETIME: 'timestamp_ntz',
  TIMESTAMP: 'timestamp_ntz',
  TIMESTAMP_NTZ: 'timestamp_ntz',
  TIMESTAMP_LTZ: 'timestamp_ltz',
  TIMESTAMP_TZ: 'timestamp_tz',
  VARIANT: 'variant',
  OBJECT: 'object',
  ARRAY: 'array',
  GEOGRAPHY: 'geography',
  GEOMETRY: 'geometry',
};

const TYPE_TEXT = /^\s*([A-Za-z_][A-Za-z0-9_]*(?: PRECISION)?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/;

/**
 * Parses a Snowflake type (`NUMBER(12,2)`, `varchar`, `TIMESTAMP_NTZ(9)`) into its canonical form.
 * @param where names the column in error messages, e.g. `listings.price`.
 */
export function parseColumnType(text: string, where: string): ColumnType {
  const m = TYPE_TEXT.exec(text);
  const base = m?.[1]?.toUpperCase().replace(/\s+/g, ' ');
  const family = base ? FAMILY[base] : undefined;
  if (!m || !base || !family) throw new DataModelError(`${where}: unsupported column type ${JSON.stringify(text)}`);
  const a = m[2] === undefined ? undefined : Number(m[2]);
  const b = m[3] === undefined ? undefined : Number(m[3]);
  const bad = (rule: string) => new DataModelError(`${where}: invalid type ${JSON.stringify(text)}: ${rule}`);
  const noArgs = () => {
    if (a !== undefined) throw bad(`${base} takes no parameters`);
  };
  switch (family) {
    case 'number': {
      const integerAlias = !['NUMBER', 'DECIMAL', 'NUMERIC'].includes(base);
      if (integerAlias) noArgs();
      const precision = a ?? MAX_NUMBER_PRECISION;
      const scale = b ?? 0;
      if (precision < 1 || precision > MAX_NUMBER_PRECISION) throw bad(`precision must be 1-${MAX_NUMBER_PRECISION}`);
      if (scale > precision) throw bad('scale must not exceed precision');
      return { family, snowflake: `NUMBER(${precision},${scale})`, precision, scale };
    }
    case 'string': {
      if (b !== undefined) throw bad('a length takes one parameter');
      const length = a ?? (base === 'CHAR' || base === 'CHARACTER' ? 1 : undefined);
      if (length !== undefined && (length < 1 || length > 134_217_728)) throw bad('length must be 1-134217728');
      return length === undefined
        ? { family, snowflake: 'VARCHAR' }
        : { family, snowflake: `VARCHAR(${length})`, length };
    }
    case 'binary': {
      if (b !== undefined) throw bad('a length takes one parameter');
      if (a !== undefined && (a < 1 || a > 67_108_864)) throw bad('length must be 1-67108864');
      return a === undefined ? { family, snowflake: 'BINARY' } : { family, snowflake: `BINARY(${a})`, length: a };
    }
    case 'time':
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz': {
      if (b !== undefined) throw bad('fractional seconds precision takes one parameter');
      if (a !== undefined && a > 9) throw bad('fractional seconds precision must be 0-9');
      const name = family === 'time' ? 'TIME' : family.toUpperCase();
      return a === undefined ? { family, snowflake: name } : { family, snowflake: `${name}(${a})`, fraction: a };
    }
    case 'float':
      noArgs();
      return { family, snowflake: 'FLOAT' };
    default:
      noArgs();
      return { family, snowflake: family.toUpperCase() };
  }
}

/**
 * True when two types are the same column type in Snowflake, treating defaulted lengths and
 * precisions as DESC TABLE shows them (VARCHAR ≡ VARCHAR(16777216), TIMESTAMP_NTZ ≡ TIMESTAMP_NTZ(9)).
 */
export function sameColumnType(a: ColumnType, b: ColumnType): boolean {
  if (a.family !== b.family) return false;
  switch (a.family) {
    case 'number':
      return a.precision === b.precision && a.scale === b.scale;
    case 'string':
      return (
        (a.length ?? VARCHAR_DEFAULT_LENGTH) === (b.length ?? VARCHAR_DEFAULT_LENGTH) ||
        (isMaxVarchar(a) && isMaxVarchar(b))
      );
    case 'binary':
      return (a.length ?? 8_388_608) === (b.length ?? 8_388_608);
    case 'time':
    case 'timestamp_ntz':
    case 'timestamp_ltz':
    case 'timestamp_tz':
      return (a.fraction ?? 9) === (b.fraction ?? 9);
    default:
      return true;
  }
}

/** VARCHAR with no declared length or a length at or above the default maximum. */
function isMaxVarchar(t: ColumnType): boolean {
  return t.length === undefined || t.length >= VARCHAR_DEFAULT_LENGTH;
}

/**
 * True when `to` only widens `from` in a way Snowflake's `ALTER COLUMN … SET DATA TYPE` supports
 * without rewriting data: a longer VARCHAR, or a larger NUMBER precision with the same scale.
 */
export function isSafeWidening(from: ColumnType, to: ColumnType): boolean {
  if (from.family !== to.family) return false;
  if (from.family === 'string') return (to.length ?? VARCHAR_DEFAULT_LENGTH) > (from.length ?? VARCHAR_DEFAULT_LENGTH);
  if (from.family === 'number') return from.scale === to.scale && (to.precision ?? 0) > (from.precision ?? 0);
  return false;
}
