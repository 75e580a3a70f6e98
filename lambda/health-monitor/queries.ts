/**
 * The health monitor's SQL, one statement per check and dataset. Every name goes through
 * snowflake/identifiers.ts (validated and quoted) and every literal through `stringLiteral`.
 */
import { qualifiedName, quoteIdentifier, stringLiteral } from '../../snowflake/identifiers';
import { datasetObjectNames, type SchemaNames } from '../../snowflake/names';

/**
 * How long before the window a counted run may have been scheduled: Snowflake's default task
 * timeout (USER_TASK_TIMEOUT_MS, 60 minutes), which the pipeline's tasks keep.
 */
export const TASK_RUN_LOOKBACK_MINUTES = 60;

/** Checks run per dataset, in this order. */
export const CHECKS = ['pipe', 'loads', 'taskRuns', 'task', 'stream', 'merge'] as const;
export type CheckName = (typeof CHECKS)[number];

export type DatasetQueries = Readonly<Record<CheckName, string>>;

/**
 * The statements for one dataset. `windowMinutes` is the look-back of the history checks (load
 * errors and task failures): the monitor's schedule period, so each event is counted once.
 */
export function datasetQueries(schemas: SchemaNames, dataset: string, windowMinutes: number): DatasetQueries {
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > 10_080) {
    throw new RangeError(`windowMinutes ${windowMinutes} must be an integer from 1 to 10080`);
  }
  const o = datasetObjectNames(schemas, dataset);
  const db = quoteIdentifier(schemas.database);
  const since = `DATEADD(MINUTE, -${windowMinutes}, CURRENT_TIMESTAMP())`;
  return {
    pipe: `SELECT SYSTEM$PIPE_STATUS(${stringLiteral(qualifiedName(...o.pipe))}) AS "STATUS"`,
    loads:
      `SELECT COUNT(*) AS "FILES", COUNT_IF(UPPER("STATUS") <> 'LOADED') AS "FAILED_FILES", ` +
      `COALESCE(SUM("ERROR_COUNT"), 0) AS "ERROR_ROWS", COALESCE(SUM("ROW_COUNT"), 0) AS "ROWS_LOADED" ` +
      `FROM TABLE(${db}.INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME => ${stringLiteral(qualifiedName(...o.bronze))}, ` +
      `START_TIME => ${since}))`,
    // Runs are counted in the window of their completion (each once); they are fetched by scheduled
    // time from TASK_RUN_LOOKBACK_MINUTES earlier so a long run that ends in the window is included.
    // A failure that auto-suspends the task is FAILED_AND_AUTO_SUSPENDED; TASK_NAME is unqualified.
    taskRuns:
      `SELECT COUNT_IF("STATE" IN ('FAILED', 'FAILED_AND_AUTO_SUSPENDED')) AS "FAILED_RUNS", ` +
      `COUNT_IF("STATE" = 'SUCCEEDED') AS "SUCCEEDED_RUNS", ` +
      `MAX_BY("ERROR_MESSAGE", "COMPLETED_TIME") AS "LAST_ERROR" ` +
      `FROM TABLE(${db}.INFORMATION_SCHEMA.TASK_HISTORY(` +
      `SCHEDULED_TIME_RANGE_START => DATEADD(MINUTE, -${windowMinutes + TASK_RUN_LOOKBACK_MINUTES}, CURRENT_TIMESTAMP()), ` +
      `TASK_NAME => ${stringLiteral(o.task[2])})) ` +
      `WHERE "DATABASE_NAME" = ${stringLiteral(o.task[0])} AND "SCHEMA_NAME" = ${stringLiteral(o.task[1])} ` +
      `AND "COMPLETED_TIME" >= ${since}`,
    task: `SHOW TASKS LIKE ${stringLiteral(o.task[2])} IN SCHEMA ${qualifiedName(o.task[0], o.task[1])}`,
    stream: `SHOW STREAMS LIKE ${stringLiteral(o.stream[2])} IN SCHEMA ${qualifiedName(o.stream[0], o.stream[1])}`,
    merge:
      `SELECT COUNT(*) AS "PENDING_ROWS", ` +
      `COALESCE(DATEDIFF(SECOND, MIN("LOADED_AT"), CURRENT_TIMESTAMP()), 0) AS "OLDEST_PENDING_SECONDS" ` +
      `FROM ${qualifiedName(...o.stream)}`,
  };
}
