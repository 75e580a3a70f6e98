/**
 * The silver MERGE: what a dataset's task runs, from the stream on bronze into `CORE.<DATASET>`.
 *
 * With a primary key, one run is two DML statements in ONE explicit transaction:
 *   1. INSERT INTO <DATASET>_REJECTS the stream rows whose key is missing or cannot be cast, and one
 *      CAST_FAILED row per present value of another column that cannot be cast to its type;
 *   2. MERGE INTO silver the other rows, deduplicated within the batch (latest version by
 *      orderBy, then RECEIVED_AT, SOURCE_KEY, SOURCE_ROW), updating a matched row only when the
 *      incoming version is strictly newer by the same ordering (a late, older version never
 *      overwrites a newer one; an identical re-delivery changes nothing).
 * Snowflake gives every statement of an explicit transaction the same stream offset and advances
 * the offset only when the transaction commits, so both statements see the same rows, and a
 * failure rolls both back and leaves the rows in the stream for the next run.
 *
 * Without a primary key silver is insert-only: an INSERT … SELECT, made idempotent against
 * re-loaded bronze rows (e.g. a pipe recreated and REFRESHed) by skipping rows whose lineage
 * (SOURCE_KEY, RECEIVED_AT, SOURCE_ROW) is already in silver; preceded in the same transaction by
 * the CAST_FAILED rejects insert when a column can fail to cast.
 *
 * Cast failures: a value is PRESENT when the path holds a value other than JSON null and, for
 * non-string types, other than '' (an empty CSV field is NULL, not a failure). A present value whose
 * typed value is NULL (or a string longer than VARCHAR(n)) is a CAST_FAILED reject naming the column
 * and the raw value. `onCastError: 'null'` (default) merges the row with NULL there; `'reject'` keeps
 * the row out of silver (ROW_REJECTED = TRUE). Every reject is written once per version: a row with
 * the same lineage, reason and (for CAST_FAILED) column is never inserted twice.
 */
import { quoteIdentifier } from '../identifiers';
import { BRONZE_COLUMNS } from '../names';
import type { ColumnType } from './column-types';
import { LINEAGE_COLUMNS, MERGED_AT_COLUMN, REJECT_COLUMNS, REJECT_REASONS } from './dataset-model';
import type { DatasetModel, ModelColumn } from './dataset-model';
import { snowflakeDialect, duckdbDialect } from './dialect';
import type { Dialect } from './dialect';
import { DataModelError } from './errors';

const q = (name: string) => quoteIdentifier(name);
const RECORD = q('RECORD');
/** Lineage identity of one source record version. */
const LINEAGE_KEY = ['SOURCE_KEY', 'RECEIVED_AT', 'SOURCE_ROW'] as const;

/**
 * A number that converts to NUMBER(p,s) without rounding: digits beyond the scale must be zeros,
 * so `1.5` is not silently the key `2` of a NUMBER(38,0) key (it is PRIMARY_KEY_INVALID instead).
 */
function exactNumberPattern(scale: number): string {
  const fraction = scale === 0 ? '(\\.0*)?' : `(\\.[0-9]{0,${scale}}0*)?`;
  return ` *[+-]?([0-9]+${fraction}${scale === 0 ? '' : `|\\.[0-9]{1,${scale}}0*`}) *`;
}

/**
 * Typed value of a spec column read from `record` (default the RECORD column). Key columns are stricter: '' is missing for strings, and a number
 * key must convert exactly (no rounding into another key).
 */
export function typedValue(c: ModelColumn, dialect: Dialect, record: string = RECORD): string {
  const typed = dialect.typedAt(record, c.steps, c.type);
  if (!c.key) return typed;
  if (c.type.family === 'string') return `NULLIF(${typed}, '')`;
  if (c.type.family === 'number')
    return `CASE WHEN ${dialect.fullMatch(dialect.textAt(record, c.steps), exactNumberPattern(c.type.scale ?? 0))} THEN ${typed} END`;
  return typed;
}
const typedExpr = (c: ModelColumn, dialect: Dialect) => typedValue(c, dialect);

function streamSource(model: DatasetModel, dialect: Dialect): string {
  const filter = dialect.streamFilter;
  return `${dialect.table(model.objects.stream)}${filter ? ` WHERE ${filter}` : ''}`;
}

/** Types whose conversion can fail (a VARIANT, or a VARCHAR without a length, takes any value). */
function canFailCast(c: ModelColumn): boolean {
  return c.type.family === 'string' ? c.type.length !== undefined : c.type.family !== 'variant';
}

/** Non-key columns checked for cast failures (key columns have their own reasons). */
function castCheckedColumns(model: DatasetModel): ModelColumn[] {
  return model.columns.filter((c) => !c.key && canFailCast(c));
}

/** TRUE when the column's value is present (see the header) but its typed value is NULL. */
function castFailed(c: ModelColumn, dialect: Dialect): string {
  const raw = dialect.textAt(RECORD, c.steps);
  const present = c.type.family === 'string' ? `${raw} IS NOT NULL` : `NULLIF(${raw}, '') IS NOT NULL`;
  return `(${present} AND ${typedExpr(c, dialect)} IS NULL)`;
}

/** TRUE when a column with onCastError 'reject' failed its cast: the row stays out of silver. Undefined when none can. */
function castRejectsRow(model: DatasetModel, dialect: Dialect): string | undefined {
  const cols = castCheckedColumns(model).filter((c) => c.onCastError === 'reject');
  return cols.length ? cols.map((c) => castFailed(c, dialect)).join(' OR ') : undefined;
}

/** `SELECT <typed columns>, <lineage> FROM <stream>`: the batch, typed once per statement. */
function typedBatch(model: DatasetModel, dialect: Dialect): string {
  const rejected = castRejectsRow(model, dialect);
  const cols = [
    ...model.columns.map((c) => `${typedExpr(c, dialect)} AS ${q(c.name)}`),
    ...LINEAGE_COLUMNS.map((l) => `${q(l.from)} AS ${q(l.name)}`),
  ];
  const filter = [dialect.streamFilter, rejected && `NOT (${rejected})`].filter(Boolean).join(' AND ');
  return `SELECT\n      ${cols.join(',\n      ')}\n    FROM ${dialect.table(model.objects.stream)}${filter ? ` WHERE ${filter}` : ''}`;
}

/** Latest-first ordering of versions: orderBy, RECEIVED_AT, SOURCE_KEY, SOURCE_ROW (NULL is oldest). */
function versionColumns(model: DatasetModel): string[] {
  return [...(model.orderBy ? [model.orderBy.name] : []), '_RECEIVED_AT', '_SOURCE_KEY', '_SOURCE_ROW'];
}

/**
 * `s` is strictly newer than `t`: lexicographic comparison over the version columns, with NULL
 * sorting before any value (so a missing orderBy value never wins over a present one).
 */
function newerThan(model: DatasetModel, s: string, t: string): string {
  const cols = versionColumns(model);
  const gt = (c: string) => `(${s}.${q(c)} > ${t}.${q(c)} OR (${s}.${q(c)} IS NOT NULL AND ${t}.${q(c)} IS NULL))`;
  const eq = (c: string) => `${s}.${q(c)} IS NOT DISTINCT FROM ${t}.${q(c)}`;
  const build = (i: number): string => {
    const c = cols[i] as string;
    return i === cols.length - 1 ? gt(c) : `(${gt(c)} OR (${eq(c)} AND ${build(i + 1)}))`;
  };
  return build(0);
}

/** Rows with a usable key, one per key: the latest version of the batch. */
function dedupedSource(model: DatasetModel, dialect: Dialect): string {
  const keys = model.primaryKey.map((c) => `b.${q(c.name)}`);
  const order = [...versionColumns(model), '_STAGE_FILE', '_STAGE_ROW'].map((c) => `b.${q(c)} DESC NULLS LAST`);
  return (
    `SELECT * FROM (\n    ${typedBatch(model, dialect)}\n  ) AS b\n` +
    `  WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')}\n` +
    `  QUALIFY ROW_NUMBER() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${order.join(', ')}) = 1`
  );
}

function silverColumnNames(model: DatasetModel): string[] {
  return [...model.columns.map((c) => c.name), ...LINEAGE_COLUMNS.map((l) => l.name)];
}

/** MERGE (primary key) or INSERT … SELECT (insert-only) from the stream into silver. */
export function silverWriteStatement(model: DatasetModel, dialect: Dialect): string {
  const target = dialect.table(model.objects.silver);
  const all = silverColumnNames(model);
  const insertCols = [...all, MERGED_AT_COLUMN.name].map(q).join(', ');
  if (model.primaryKey.length === 0) {
    const lineage = LINEAGE_KEY.map((c) => `t.${q(`_${c}`)} = b.${q(`_${c}`)}`).join(' AND ');
    const partition = LINEAGE_KEY.map((c) => `b.${q(`_${c}`)}`).join(', ');
    return (
      `INSERT INTO ${target} (${insertCols})\n` +
      `SELECT ${all.map((c) => `b.${q(c)}`).join(', ')}, ${dialect.now}\n` +
      `FROM (\n    ${typedBatch(model, dialect)}\n  ) AS b\n` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${lineage})\n` +
      `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY b."_STAGE_FILE", b."_STAGE_ROW") = 1`
    );
  }
  const keys = new Set(model.primaryKey.map((c) => c.name));
  const on = model.primaryKey.map((c) => `t.${q(c.name)} = s.${q(c.name)}`).join(' AND ');
  const updates = [
    ...all.filter((c) => !keys.has(c)).map((c) => `${q(c)} = s.${q(c)}`),
    `${q(MERGED_AT_COLUMN.name)} = ${dialect.now}`,
  ];
  return (
    `MERGE INTO ${target} AS t\n` +
    `USING (\n  ${dedupedSource(model, dialect)}\n) AS s\n` +
    `ON ${on}\n` +
    `WHEN MATCHED AND ${newerThan(model, 's', 't')} THEN UPDATE SET\n  ${updates.join(',\n  ')}\n` +
    `WHEN NOT MATCHED THEN INSERT (${insertCols})\n  VALUES (${[...all.map((c) => `s.${q(c)}`), dialect.now].join(', ')})`
  );
}

function rawKeyAlias(i: number): string {
  return q(`_RAW_KEY_${i}`);
}
function typedKeyAlias(i: number): string {
  return q(`_KEY_${i}`);
}
function castAlias(i: number): string {
  return q(`_CAST_FAILED_${i}`);
}

/** `'… is not a valid NUMBER(38,0)'` message for a value that failed to cast. */
function invalidDetail(prefix: string, raw: string, dialect: Dialect, type: ColumnType): string {
  return `${dialect.literal(`${prefix}: value `)} || LEFT(${raw}, 100) || ${dialect.literal(` is not a valid ${type.snowflake}`)}`;
}

/**
 * INSERT INTO rejects: per stream row whose primary key is missing or cannot be cast, one row
 * (PRIMARY_KEY_MISSING / PRIMARY_KEY_INVALID); per present value of a checked column that cannot be
 * cast, one CAST_FAILED row naming the column and the raw value. One scan of the stream, fanned out
 * over a VALUES list of "checks" (0 = the key, i = checked column i). Undefined when nothing can be rejected.
 */
export function rejectsInsertStatement(model: DatasetModel, dialect: Dialect): string | undefined {
  const checked = castCheckedColumns(model);
  const hasKey = model.primaryKey.length > 0;
  if (!hasKey && checked.length === 0) return undefined;
  const target = dialect.table(model.objects.rejects);
  const bronze = BRONZE_COLUMNS.map((c) => c.name);
  const keyInvalid = model.primaryKey.map((_, i) => `b.${typedKeyAlias(i)} IS NULL`).join(' OR ');
  const rowRejected = [
    hasKey ? keyInvalid : undefined,
    ...checked.map((c, i) => (c.onCastError === 'reject' ? `b.${castAlias(i)}` : undefined)),
  ]
    .filter(Boolean)
    .join(' OR ');
  const inner = [
    ...bronze.map((c) => q(c)),
    ...model.primaryKey.flatMap((c, i) => [
      `${dialect.textAt(RECORD, c.steps)} AS ${rawKeyAlias(i)}`,
      `${typedExpr(c, dialect)} AS ${typedKeyAlias(i)}`,
    ]),
    ...checked.flatMap((c, i) => [
      `${castFailed(c, dialect)} AS ${castAlias(i)}`,
      `${dialect.textAt(RECORD, c.steps)} AS ${q(`_RAW_${i}`)}`,
    ]),
  ];
  const missing = (i: number) => `(b.${rawKeyAlias(i)} IS NULL OR b.${rawKeyAlias(i)} = '')`;
  const keyCase = (pick: (c: ModelColumn, i: number, missing: boolean) => string) =>
    `CASE ${model.primaryKey
      .flatMap((c, i) => [
        `WHEN ${missing(i)} THEN ${pick(c, i, true)}`,
        `WHEN b.${typedKeyAlias(i)} IS NULL THEN ${pick(c, i, false)}`,
      ])
      .join(' ')} END`;
  const keyCheck = {
    when: model.primaryKey.map((_, i) => `b.${typedKeyAlias(i)} IS NULL`).join(' OR '),
    reason: keyCase((_, __, m) =>
      dialect.literal(m ? REJECT_REASONS.primaryKeyMissing : REJECT_REASONS.primaryKeyInvalid),
    ),
    detail: keyCase((c, i, m) =>
      m
        ? dialect.literal(`primary key column ${c.specName} (path ${c.path}) is missing`)
        : invalidDetail(`primary key column ${c.specName} (path ${c.path})`, `b.${rawKeyAlias(i)}`, dialect, c.type),
    ),
    column: keyCase((c) => dialect.literal(c.specName)),
    raw: keyCase((_, i) => `b.${rawKeyAlias(i)}`),
  };
  // What happened to the row, in the message: kept out by this column, by another reject, or merged with NULL.
  const outcome = (c: ModelColumn) =>
    c.onCastError === 'reject'
      ? dialect.literal('; row rejected (onCastError reject)')
      : rowRejected
        ? `CASE WHEN ${rowRejected} THEN ${dialect.literal('; row not merged')} ELSE ${dialect.literal('; NULL in silver')} END`
        : dialect.literal('; NULL in silver');
  const castChecks = checked.map((c, i) => ({
    when: `b.${castAlias(i)}`,
    reason: dialect.literal(REJECT_REASONS.castFailed),
    detail: `${invalidDetail(`column ${c.specName} (path ${c.path})`, `b.${q(`_RAW_${i}`)}`, dialect, c.type)} || ${outcome(c)}`,
    column: dialect.literal(c.specName),
    raw: `b.${q(`_RAW_${i}`)}`,
  }));
  const checks = [...(hasKey ? [keyCheck] : []), ...castChecks];
  const pick = (f: keyof (typeof checks)[number]) =>
    `CASE x.n ${checks.map((c, n) => `WHEN ${n} THEN ${c[f]}`).join(' ')} END`;
  const r = (c: string) => `r.${q(c)}`;
  const lineage = LINEAGE_KEY.map((c) => `t.${q(c)} = ${r(c)}`).join(' AND ');
  const { reason, detail, columnName, rawValue, rowRejected: rowRejectedCol, rejectedAt } = REJECT_COLUMNS;
  const cols = [...bronze, reason, detail, columnName, rawValue, rowRejectedCol, rejectedAt];
  const castFailedLiteral = dialect.literal(REJECT_REASONS.castFailed);
  return (
    `INSERT INTO ${target} (${cols.map(q).join(', ')})\n` +
    `SELECT ${[...bronze, reason, detail, columnName, rawValue, rowRejectedCol].map(r).join(', ')}, ${dialect.now}\n` +
    `FROM (\n  SELECT ${bronze.map((c) => `b.${q(c)}`).join(', ')},\n` +
    `    ${pick('reason')} AS ${q(reason)},\n` +
    `    ${pick('detail')} AS ${q(detail)},\n` +
    `    ${pick('column')} AS ${q(columnName)},\n` +
    `    ${pick('raw')} AS ${q(rawValue)},\n` +
    `    ${rowRejected ? `COALESCE(${rowRejected}, FALSE)` : 'FALSE'} AS ${q(rowRejectedCol)}\n` +
    `  FROM (\n    SELECT ${inner.join(', ')}\n    FROM ${streamSource(model, dialect)}\n  ) AS b\n` +
    `  CROSS JOIN (VALUES ${checks.map((_, n) => `(${n})`).join(', ')}) AS x(n)\n` +
    `  WHERE ${pick('when')}\n` +
    `) AS r\n` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${lineage} AND t.${q(reason)} = ${r(reason)}` +
    ` AND (${r(reason)} <> ${castFailedLiteral} OR t.${q(columnName)} = ${r(columnName)}))\n` +
    `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${[...LINEAGE_KEY, reason, columnName].map(r).join(', ')} ORDER BY ${r('STAGE_FILE')}, ${r('STAGE_ROW')}) = 1`
  );
}

/** The DML statements of one run, in order (rejects first), in the given dialect. */
export function mergeStatements(model: DatasetModel, dialect: Dialect): string[] {
  const rejects = rejectsInsertStatement(model, dialect);
  return [...(rejects ? [rejects] : []), silverWriteStatement(model, dialect)];
}

/**
 * The Snowflake task body. One statement runs as is; two run in a Snowflake Scripting block with
 * an explicit transaction (same stream offset for both, committed together, rolled back and
 * re-raised on error so the task run fails visibly and the stream keeps its rows).
 */
export function mergeTaskBody(model: DatasetModel): string {
  const statements = mergeStatements(model, snowflakeDialect);
  if (statements.length === 1) return statements[0] as string;
  const indent = (s: string) => s.replace(/\n/g, '\n    ');
  const body =
    `EXECUTE IMMEDIATE $$\nBEGIN\n  BEGIN TRANSACTION;\n` +
    statements.map((s) => `    ${indent(s)};\n`).join('') +
    `  COMMIT;\nEXCEPTION\n  WHEN OTHER THEN\n    ROLLBACK;\n    RAISE;\nEND;\n$$`;
  const inner = body.slice('EXECUTE IMMEDIATE $$'.length, -2);
  if (inner.includes('$$'))
    throw new DataModelError(`${model.spec.name}: the task body must not contain "$$" (it delimits the block)`);
  return body;
}

/**
 * DuckDB emulation of one task run: the "stream" is a plain table of new bronze rows
 * (`RAW.<DATASET>_STREAM`); consuming it is a DELETE in the same transaction, so a failed run
 * leaves the rows for the next one, exactly like a stream offset that only advances on commit.
 */
export function duckdbTaskRun(model: DatasetModel): string[] {
  return [
    'BEGIN TRANSACTION',
    ...mergeStatements(model, duckdbDialect),
    `DELETE FROM ${duckdbDialect.table(model.objects.stream)}`,
    'COMMIT',
  ];
}
