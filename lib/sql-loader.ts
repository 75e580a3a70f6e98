/**
 * The folders of user SQL files (gold views in `snowflake/gold/`, follow-up tasks in `snowflake/tasks/`).
 */
import { readdirSync } from 'node:fs';

/** Names of the `*.sql` files of a directory, sorted; a missing directory has none. */
export function listSqlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
