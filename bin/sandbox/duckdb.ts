/**
 * A small harness around @duckdb/node-api for tests and the local sandbox: open an in-memory (or
 * file) database, run statements, fetch rows as plain JSON-compatible objects.
 *
 * Values come back as DuckDB's JSON rendering (`getRowObjectsJson`): DECIMAL and BIGINT as exact
 * strings (no float rounding), timestamps as ISO-like strings, JSON columns as their JSON text,
 * NULL as `null`. Tests compare against these exact strings.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';

/** A plain row: column name → JSON-compatible value. */
export type Row = Record<string, unknown>;

/** A statement failed; names the statement (first 200 characters) and keeps DuckDB's error as `cause`. */
export class DuckDbStatementError extends Error {
  override readonly name = 'DuckDbStatementError';
  constructor(
    readonly statement: string,
    cause: unknown,
  ) {
    super(
      `DuckDB statement failed: ${cause instanceof Error ? cause.message : String(cause)}\n  in: ${statement.slice(0, 200)}`,
      { cause },
    );
  }
}

export interface DuckDbOptions {
  /** Database file path. @default ':memory:' */
  readonly path?: string;
  /** Time zone of the session (TIMESTAMPTZ rendering). @default 'UTC' */
  readonly timeZone?: string;
}

export class DuckDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens a database (in memory unless `path` is given) with the session time zone set. */
  static async open(options: DuckDbOptions = {}): Promise<DuckDb> {
    const instance = await DuckDBInstance.create(options.path ?? ':memory:');
    const connection = await instance.connect();
    const db = new DuckDb(instance, connection);
    const tz = options.timeZone ?? 'UTC';
    await db.run(`SET TimeZone = '${tz.replace(/'/g, "''")}'`);
    return db;
  }

  /** Runs one statement (or several separated by `;`) and discards any result. */
  async run(sql: string): Promise<void> {
    try {
      await this.connection.run(sql);
    } catch (e) {
      throw new DuckDbStatementError(sql, e);
    }
  }

  /** Runs statements in order; stops at the first failure (the error names the statement). */
  async runAll(statements: readonly string[]): Promise<void> {
    for (const s of statements) await this.run(s);
  }

  /** Runs a query and returns its rows as plain objects. */
  async rows<T extends Row = Row>(sql: string): Promise<T[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as T[];
    } catch (e) {
      throw new DuckDbStatementError(sql, e);
    }
  }

  /** The single value of a one-row, one-column query. */
  async value(sql: string): Promise<unknown> {
    const rows = await this.rows(sql);
    const first = rows[0];
    if (!first) return undefined;
    return Object.values(first)[0];
  }

  /** Closes the connection and the database. Safe to call twice. */
  close(): void {
    try {
      this.connection.closeSync();
    } finally {
      this.instance.closeSync();
    }
  }
}
