/**
 * `npm run sql -- "SELECT …"`: queries the sandbox's DuckDB warehouse (`<state>/warehouse.duckdb`, the state
 * directory `npm start` uses, `.sandbox` by default) read-only. Without a statement: an interactive prompt.
 */
import { existsSync } from 'fs';
import { join, resolve } from 'path';
import { createInterface } from 'readline';
import { parseArgs } from 'util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DATA_STATE_PARENT, DEFAULT_STATE_DIR, dataStateDir } from '../sandbox/options';

export const USAGE = `Usage: npm run sql -- [--state <dir> | --data <dir>] [--json] ["<SQL>"]
  Runs one statement on the sandbox warehouse (read-only) and prints the rows; without a statement, opens a
  prompt (end statements with ;, .quit to leave). Tables: raw.<dataset>, core.<dataset>, gold.<view>.
  --state <dir>   the sandbox's state directory (default: .sandbox, as npm start)
  --data <dir>    the state of \`npm start -- --data <dir>\` (its own, under ${DATA_STATE_PARENT}/)
  --json          one JSON object per row instead of a table`;

export class SqlCliError extends Error {
  override readonly name = 'SqlCliError';
}

export interface SqlIo {
  readonly cwd: string;
  out(line: string): void;
  err(line: string): void;
  /** Lines typed at the prompt; undefined when there is no terminal input. */
  readonly input?: NodeJS.ReadableStream;
}

/** Rows as an aligned text table (values as DuckDB renders them to JSON; NULL shown as NULL). */
export function formatTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(0 rows)';
  const columns = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v));
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...cells.map(line),
    `(${rows.length} rows)`,
  ].join('\n');
}

async function query(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Runs the command; returns the exit code (0 ok, 1 query error, 2 usage or missing warehouse). */
export async function runSqlCli(argv: readonly string[], io: SqlIo): Promise<number> {
  let values: { state?: string; data?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        state: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    }));
  } catch (e) {
    io.err(`sql: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.state !== undefined && values.data !== undefined) {
    io.err(`sql: --state and --data both name the state directory: give one\n\n${USAGE}`);
    return 2;
  }
  const stateDir =
    values.data !== undefined ? dataStateDir(resolve(io.cwd, values.data)) : (values.state ?? DEFAULT_STATE_DIR);
  const file = join(resolve(io.cwd, stateDir), 'warehouse.duckdb');
  if (!existsSync(file)) {
    io.err(`sql: no sandbox warehouse at ${file}: run \`npm start\` first (or give its --state <dir>)`);
    return 2;
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  } catch (e) {
    const message = (e as Error).message;
    io.err(
      /lock/i.test(message)
        ? `sql: ${file} is held by a running sandbox: stop it (Ctrl-C) and run again`
        : `sql: cannot open ${file}: ${message}`,
    );
    return 2;
  }
  const connection = await instance.connect();
  const print = (rows: Record<string, unknown>[]) =>
    values.json ? rows.forEach((r) => io.out(JSON.stringify(r))) : io.out(formatTable(rows));
  const runOne = async (sql: string): Promise<boolean> => {
    try {
      print(await query(connection, sql));
      return true;
    } catch (e) {
      const message = (e as Error).message;
      io.err(`sql: ${message}`);
      // A table another sandbox run has: say which warehouse this was (a --data run has its own).
      if (/^Catalog Error: Table/.test(message))
        io.err(`sql: (queried ${file}; --data <dir> or --state <dir> for another run's)`);
      return false;
    }
  };
  try {
    if (positionals.length > 0) return (await runOne(positionals.join(' '))) ? 0 : 1;
    if (!io.input) {
      io.err(`sql: no statement given and no terminal to prompt on\n\n${USAGE}`);
      return 2;
    }
    return await prompt(io, runOne);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The interactive prompt: statements end with `;`, `.quit` (or end of input) leaves. */
async function prompt(io: SqlIo, runOne: (sql: string) => Promise<boolean>): Promise<number> {
  const rl = createInterface({ input: io.input!, terminal: false });
  io.out('sandbox warehouse (read-only): end statements with ;, .quit to leave');
  let buffer = '';
  for await (const line of rl) {
    if (buffer === '' && /^\s*\.(quit|exit)\s*$/.test(line)) break;
    buffer += `${line}\n`;
    if (/;\s*$/.test(line)) {
      await runOne(buffer.trim());
      buffer = '';
    }
  }
  rl.close();
  if (buffer.trim() !== '') await runOne(buffer.trim());
  return 0;
}
