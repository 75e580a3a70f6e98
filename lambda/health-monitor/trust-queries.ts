/**
 * The health monitor's trust checks, rendered for Snowflake (deployed) or DuckDB (tests of their semantics):
 *
 * - cast failures of one dataset: CAST_FAILED rows of `CORE.<DATASET>_REJECTS` (one per value that failed its
 *   column's cast) whose REJECTED_AT (TIMESTAMP_TZ, the MERGE task's CURRENT_TIMESTAMP()) lies in the last
 *   `windowMinutes`: each run counts what the MERGE rejected since the previous run (the schedule period);
 * - unaccounted files: `OPS.FILE_LEDGER` rows (one per input object version) that are not ACCOUNTED although
 *   their RECEIVED_AT (TIMESTAMP_TZ, the upload's event time) is more than `graceMinutes` ago — the age of
 *   the oldest and its source key name where to start;
 * - the manifests pipe's SYSTEM$PIPE_STATUS (Snowflake only): when it stops, no manifest reaches the ledger
 *   and no file can show as unaccounted, so it is watched too.
 *
 * TIMESTAMP_TZ compared with CURRENT_TIMESTAMP() (TIMESTAMP_LTZ) compares instants, whatever the offsets.
 * Every name goes through snowflake/identifiers.ts (validated, quoted), every literal through the dialect.
 */
import { qualifiedName, quoteIdentifier, stringLiteral } from '../../snowflake/identifiers';
import { REJECT_COLUMNS, REJECT_REASONS } from '../../snowflake/model/dataset-model';
import { snowflakeDialect } from '../../snowflake/model/dialect';
import type { Dialect } from '../../snowflake/model/dialect';
import { datasetObjectNames, opsObjectNames } from '../../snowflake/names';
import type { SchemaNames } from '../../snowflake/names';

const q = quoteIdentifier;

function minutes(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_080)
    throw new RangeError(`${what} ${value} must be an integer from 1 to 10080`);
  return value;
}

/** The instant `n` minutes before now. */
const minutesAgo = (d: Dialect, n: number) =>
  d.name === 'snowflake' ? `DATEADD(MINUTE, -${n}, ${d.now})` : `(${d.now} - INTERVAL ${n} MINUTE)`;
/** Whole seconds from `from` to now. */
const secondsSince = (d: Dialect, from: string) =>
  d.name === 'snowflake' ? `DATEDIFF(SECOND, ${from}, ${d.now})` : `date_diff('second', ${from}, ${d.now})`;

/** `CAST_FAILURES`: CAST_FAILED rejects of `dataset` written in the last `windowMinutes`. */
export function castFailuresQuery(
  schemas: SchemaNames,
  dataset: string,
  windowMinutes: number,
  d: Dialect = snowflakeDialect,
): string {
  const rejects = d.table(datasetObjectNames(schemas, dataset).rejects);
  return (
    `SELECT COUNT(*) AS "CAST_FAILURES" FROM ${rejects} ` +
    `WHERE ${q(REJECT_COLUMNS.reason)} = ${d.literal(REJECT_REASONS.castFailed)} ` +
    `AND ${q(REJECT_COLUMNS.rejectedAt)} >= ${minutesAgo(d, minutes(windowMinutes, 'windowMinutes'))}`
  );
}

/** `UNACCOUNTED_FILES`, `OLDEST_SECONDS`, `OLDEST_SOURCE_KEY`: ledger rows not accounted for after the grace period. */
export function unaccountedFilesQuery(
  schemas: SchemaNames,
  graceMinutes: number,
  d: Dialect = snowflakeDialect,
): string {
  const ledger = d.table(opsObjectNames(schemas).ledger);
  const receivedAt = q('RECEIVED_AT');
  return (
    `SELECT COUNT(*) AS "UNACCOUNTED_FILES", ` +
    `COALESCE(${secondsSince(d, `MIN(${receivedAt})`)}, 0) AS "OLDEST_SECONDS", ` +
    `MIN_BY(${q('SOURCE_KEY')}, ${receivedAt}) AS "OLDEST_SOURCE_KEY" ` +
    `FROM ${ledger} ` +
    `WHERE NOT COALESCE(${q('ACCOUNTED')}, FALSE) ` +
    `AND ${receivedAt} < ${minutesAgo(d, minutes(graceMinutes, 'graceMinutes'))}`
  );
}

/** `STATUS`: SYSTEM$PIPE_STATUS of OPS.FILE_MANIFESTS_PIPE (Snowflake). */
export function manifestsPipeStatusQuery(schemas: SchemaNames): string {
  return `SELECT SYSTEM$PIPE_STATUS(${stringLiteral(qualifiedName(...opsObjectNames(schemas).manifestsPipe))}) AS "STATUS"`;
}
