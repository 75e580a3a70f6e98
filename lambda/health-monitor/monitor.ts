/** Runs the health checks of every dataset over one Snowflake session. */
import { datasetObjectNames, type SchemaNames } from '../../snowflake/names';
import type { SqlSession } from '../../contracts/sql-session';
import { datasetMetrics, type CheckResults, type MetricPoint } from './health';
import { CHECKS, datasetQueries, type CheckName } from './queries';

/** The checks that read a dataset's own pipe or its COPY_HISTORY. */
const PIPE_CHECKS: ReadonlySet<CheckName> = new Set(['pipe', 'loads']);

export interface DatasetReport {
  readonly dataset: string;
  readonly points: readonly MetricPoint[];
  /** Why a check failed, or what is wrong (paused pipe, stale stream…), for the logs. */
  readonly problems: readonly string[];
}

export interface CollectOptions {
  readonly schemas: SchemaNames;
  readonly datasets: readonly string[];
  /**
   * Datasets loaded through their split dataset's pipe and bronze table: the `pipe` and `loads` checks
   * are not run for them (they would name a pipe that does not exist; the split dataset reports them).
   */
  readonly splitTargets?: readonly string[];
  /** Look-back of the history checks, in minutes: the schedule period. */
  readonly windowMinutes: number;
  /** @default new Date() */
  readonly now?: Date;
}

/**
 * Runs every check of every dataset, one statement at a time (the session is one connection).
 * A failing statement never stops the run: it is reported as a check error of its dataset.
 */
export async function collectHealth(session: SqlSession, options: CollectOptions): Promise<DatasetReport[]> {
  const now = options.now ?? new Date();
  const reports: DatasetReport[] = [];
  for (const dataset of options.datasets) {
    const queries = datasetQueries(options.schemas, dataset, options.windowMinutes);
    const names = datasetObjectNames(options.schemas, dataset);
    const results: CheckResults = {};
    const ownPipe = !(options.splitTargets ?? []).includes(dataset);
    for (const check of CHECKS) {
      if (!ownPipe && PIPE_CHECKS.has(check)) continue;
      try {
        results[check] = { rows: await session.query(queries[check]) };
      } catch (error) {
        results[check] = { error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }
    const { points, problems } = datasetMetrics(
      dataset,
      { task: names.task[2], stream: names.stream[2] },
      results,
      now,
    );
    reports.push({ dataset, points, problems });
  }
  return reports;
}
