/**
 * Reads the user's SQL files (gold views in `snowflake/gold/`, follow-up tasks in `snowflake/tasks/`) for the
 * Snowflake domain, which does no I/O itself: the domain validates and plans what this loader read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqlFileError } from '../snowflake/model/errors';
import { parseFollowUpTaskFile, type FollowUpTaskSpec } from '../snowflake/model/follow-up-tasks';
import type { GoldViewSource } from '../snowflake/model/gold';

/** Stands for "no directory": no SQL files (the S3SnowflakePipeline default for gold views and tasks). */
export const NO_SQL_DIRECTORY = '<none>';

/** Names of the `*.sql` files of a directory, sorted; a missing directory (or NO_SQL_DIRECTORY) has none. */
export function listSqlFiles(dir: string): string[] {
  if (dir === NO_SQL_DIRECTORY) return [];
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Reads `*.sql` of a directory (sorted); `*.duckdb.sql` files become the DuckDB twin of their view. */
export function loadGoldViews(dir: string): GoldViewSource[] {
  const files = listSqlFiles(dir);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const twins = new Set(files.filter((f) => f.endsWith('.duckdb.sql')));
  for (const t of twins)
    if (!files.includes(t.replace(/\.duckdb\.sql$/, '.sql')))
      throw new SqlFileError(join(dir, t), 'DuckDB translation without a view of the same name');
  return files
    .filter((f) => !twins.has(f))
    .map((f) => {
      const twin = f.replace(/\.sql$/, '.duckdb.sql');
      return {
        name: f.replace(/\.sql$/, ''),
        file: join(dir, f),
        sql: read(f),
        duckdbSql: twins.has(twin) ? read(twin) : undefined,
      };
    });
}

/** Reads every `*.sql` file of a directory (sorted by name); a missing directory yields none. */
export function loadFollowUpTasks(dir: string): FollowUpTaskSpec[] {
  const files = listSqlFiles(dir);
  return files.map((f) => parseFollowUpTaskFile(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}
