/**
 * The environment-wide trust checks of one monitor run (no dataset dimension): files not accounted for in
 * OPS.FILE_LEDGER after the grace period, and the state of OPS.FILE_MANIFESTS_PIPE. A failing statement never
 * stops the run: it counts in LedgerCheckErrors and says why in `problems`.
 */
import { LEDGER_HEALTH_METRICS } from '../../contracts/constants';
import type { SchemaNames } from '../../snowflake/names';
import type { Row, SqlSession } from '../../contracts/sql-session';
import { HealthResultError, parsePipeStatus } from './health';
import { manifestsPipeStatusQuery, unaccountedFilesQuery } from './trust-queries';

export { LEDGER_HEALTH_METRICS };

export interface EnvironmentPoint {
  readonly name: (typeof LEDGER_HEALTH_METRICS)[keyof typeof LEDGER_HEALTH_METRICS];
  readonly unit: 'Count' | 'Seconds';
  readonly value: number;
}

export interface LedgerReport {
  readonly points: readonly EnvironmentPoint[];
  readonly problems: readonly string[];
}

function value(row: Row | undefined, name: string, check: string): string | null {
  const key = row ? Object.keys(row).find((k) => k.toUpperCase() === name) : undefined;
  if (!row || key === undefined) throw new HealthResultError(`${check}: no ${name} in the result`);
  return row[key];
}

function count(row: Row | undefined, name: string, check: string): number {
  const raw = value(row, name, check);
  const n = raw === null || raw === '' ? 0 : Number(raw);
  if (!Number.isFinite(n)) throw new HealthResultError(`${check}: ${name} is not a number: ${JSON.stringify(raw)}`);
  return n;
}

/** Runs both checks over `session`; `graceMinutes` as in unaccountedFilesQuery. */
export async function collectLedgerHealth(
  session: SqlSession,
  options: { readonly schemas: SchemaNames; readonly graceMinutes: number },
): Promise<LedgerReport> {
  const points: EnvironmentPoint[] = [];
  const problems: string[] = [];
  let errors = 0;
  const check = async (name: string, sql: string, read: (rows: readonly Row[]) => EnvironmentPoint[]) => {
    try {
      points.push(...read(await session.query(sql)));
    } catch (error) {
      errors += 1;
      const e = error as Error;
      problems.push(e instanceof HealthResultError ? e.message : `${name}: ${e.name}: ${e.message}`);
    }
  };
  await check('unaccounted', unaccountedFilesQuery(options.schemas, options.graceMinutes), (rows) => {
    const files = count(rows[0], 'UNACCOUNTED_FILES', 'unaccounted');
    const oldest = count(rows[0], 'OLDEST_SECONDS', 'unaccounted');
    if (files > 0)
      problems.push(
        `unaccounted: ${files} file(s) not accounted for in OPS.FILE_LEDGER ${options.graceMinutes} minutes after upload; ` +
          `oldest ${value(rows[0], 'OLDEST_SOURCE_KEY', 'unaccounted')} (${Math.round(oldest / 60)} minutes)`,
      );
    return [
      { name: LEDGER_HEALTH_METRICS.unaccountedFiles, unit: 'Count', value: files },
      { name: LEDGER_HEALTH_METRICS.oldestUnaccountedSeconds, unit: 'Seconds', value: files > 0 ? oldest : 0 },
    ];
  });
  await check('manifestsPipe', manifestsPipeStatusQuery(options.schemas), (rows) => {
    const status = parsePipeStatus(value(rows[0], 'STATUS', 'manifestsPipe'));
    if (status.executionState !== 'RUNNING')
      problems.push(`manifestsPipe: OPS.FILE_MANIFESTS_PIPE is ${status.executionState}: the ledger gets no manifests`);
    return [
      {
        name: LEDGER_HEALTH_METRICS.manifestsPipeNotRunning,
        unit: 'Count',
        value: status.executionState === 'RUNNING' ? 0 : 1,
      },
    ];
  });
  points.push({ name: LEDGER_HEALTH_METRICS.ledgerCheckErrors, unit: 'Count', value: errors });
  return { points, problems };
}
