/**
 * The one definition of a Snowflake result row and of the session every layer runs statements on:
 * the provisioning engine (snowflake/), the handlers (lambda/: the health monitor, the pipe
 * refresher, the provisioner), and the tools (bin/plan). The real session is
 * lambda/shared/snowflake/connection.ts (`SnowflakeSession`, which adds `close`); tests and
 * `npm run plan` supply scripted ones. Types only.
 */

/** One result row, column name → value as text (the session fetches every type as a string). */
export type Row = Readonly<Record<string, string | null>>;

/** Runs one statement and returns its rows. Implementations throw an error with Snowflake's `code` / `sqlState`. */
export interface SqlSession {
  query(sql: string): Promise<Row[]>;
}
