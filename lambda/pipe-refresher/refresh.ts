/**
 * The missed-notification safety net: `ALTER PIPE <pipe> REFRESH PREFIX = '<YYYY-MM-DD>/'` for each
 * dataset over the most recent UTC date prefixes of the stage layout
 * (`data/<dataset>/<YYYY-MM-DD>/<source>/…`; the pipe reads `@stage/data/<dataset>/`, so the prefix
 * is relative to that). Snowflake queues only files staged in the last 7 days that its load
 * metadata does not already list, and returns one row per file queued.
 *
 * The file manifests (`manifests/<dataset>/<YYYY-MM-DD>/<source>/…`, loaded by `OPS.FILE_MANIFESTS_PIPE`
 * from `@stage/manifests/`) get the same net, with `PREFIX = '<dataset>/<YYYY-MM-DD>/'`: a manifest whose
 * notification was lost would leave its file out of the ledger, where no check could see it.
 */
import type { Row, SqlSession } from '../../contracts/sql-session';
import { qualifiedName, stringLiteral } from '../../snowflake/identifiers';
import { datasetObjectNames, opsObjectNames, type SchemaNames } from '../../snowflake/names';
import { MAX_REFRESH_LOOKBACK_DAYS } from '../../contracts/defaults';
import { IDENTIFIER_PATTERN } from '../../contracts/config';
import { manifestDatePrefix } from '../../contracts/object-keys';

/** `['2026-11-21/', '2026-11-20/']`: today first, `lookbackDays` UTC dates in all. */
export function datePrefixes(now: Date, lookbackDays: number): string[] {
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > MAX_REFRESH_LOOKBACK_DAYS)
    throw new RangeError(`lookbackDays ${lookbackDays} must be an integer from 1 to ${MAX_REFRESH_LOOKBACK_DAYS}`);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from(
    { length: lookbackDays },
    (_, i) => `${new Date(midnight - i * 86_400_000).toISOString().slice(0, 10)}/`,
  );
}

function checkDatePrefix(prefix: string): void {
  if (!/^\d{4}-\d{2}-\d{2}\/$/.test(prefix))
    throw new RangeError(`prefix ${JSON.stringify(prefix)} is not YYYY-MM-DD/`);
}

/** The REFRESH of one dataset's pipe for one date prefix; names quoted, the prefix a literal. */
export function refreshStatement(schemas: SchemaNames, dataset: string, prefix: string): string {
  checkDatePrefix(prefix);
  return `ALTER PIPE ${qualifiedName(...datasetObjectNames(schemas, dataset).pipe)} REFRESH PREFIX = ${stringLiteral(prefix)}`;
}

/** The REFRESH of the manifests pipe for one dataset's date prefix (`<dataset>/<YYYY-MM-DD>/`). */
export function manifestsRefreshStatement(schemas: SchemaNames, dataset: string, prefix: string): string {
  checkDatePrefix(prefix);
  if (!IDENTIFIER_PATTERN.test(dataset))
    throw new RangeError(`dataset ${JSON.stringify(dataset)} is not a dataset name`);
  const pipe = qualifiedName(...opsObjectNames(schemas).manifestsPipe);
  return `ALTER PIPE ${pipe} REFRESH PREFIX = ${stringLiteral(manifestDatePrefix(dataset, prefix.slice(0, -1)))}`;
}

/** What the REFRESH statements of one pipe over the date prefixes did. */
export interface PipeRefreshOutcome {
  /** Files the REFRESH statements sent to the pipe (status SENT). */
  readonly filesQueued: number;
  /** Their stage paths, for the logs: each one was missed by (or is racing) its S3 notification. */
  readonly files: readonly string[];
  /** REFRESH statements that failed. */
  readonly failures: number;
  /** Why a statement failed, or rows with another status, for the logs. */
  readonly problems: readonly string[];
}

export interface DatasetRefresh extends PipeRefreshOutcome {
  readonly dataset: string;
  /** The same for the dataset's file manifests (`OPS.FILE_MANIFESTS_PIPE`, prefix `<dataset>/<date>/`). */
  readonly manifests: PipeRefreshOutcome;
}

export interface RefreshOptions {
  readonly schemas: SchemaNames;
  readonly datasets: readonly string[];
  readonly lookbackDays: number;
  /** @default new Date() */
  readonly now?: Date;
}

/** Case-insensitive column read (REFRESH answers `File`, `Status`). */
function field(row: Row, name: string): string | null | undefined {
  const key = Object.keys(row).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : row[key];
}

/** Runs one pipe's REFRESH statements, one at a time; a failing statement counts and never stops the rest. */
async function refreshOne(
  session: SqlSession,
  prefixes: readonly string[],
  statement: (prefix: string) => string,
): Promise<PipeRefreshOutcome> {
  const files: string[] = [];
  const problems: string[] = [];
  let failures = 0;
  for (const prefix of prefixes) {
    let rows: readonly Row[];
    try {
      rows = await session.query(statement(prefix));
    } catch (error) {
      failures += 1;
      problems.push(`${prefix}: ${(error as Error).name}: ${(error as Error).message}`);
      continue;
    }
    for (const row of rows) {
      const status = (field(row, 'status') ?? '').toUpperCase();
      const file = field(row, 'file') ?? '';
      if (status === 'SENT') files.push(file);
      else problems.push(`${prefix}: ${file || 'a file'} was not queued (status ${status || 'unknown'})`);
    }
  }
  return { filesQueued: files.length, files, failures, problems };
}

/**
 * Refreshes every dataset's pipe, then the manifests pipe for that dataset, over the recent date prefixes,
 * one statement at a time (the session is one connection).
 */
export async function refreshPipes(session: SqlSession, options: RefreshOptions): Promise<DatasetRefresh[]> {
  const prefixes = datePrefixes(options.now ?? new Date(), options.lookbackDays);
  const results: DatasetRefresh[] = [];
  for (const dataset of options.datasets) {
    const data = await refreshOne(session, prefixes, (p) => refreshStatement(options.schemas, dataset, p));
    const manifests = await refreshOne(session, prefixes, (p) =>
      manifestsRefreshStatement(options.schemas, dataset, p),
    );
    results.push({ dataset, ...data, manifests });
  }
  return results;
}
