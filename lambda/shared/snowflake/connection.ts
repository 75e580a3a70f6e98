/**
 * Snowflake sessions for Lambda functions (the provisioner, the health monitor): key-pair (JWT)
 * auth with the key from Secrets Manager, optional host (PrivateLink) or access URL (local test
 * servers), driver logs to stdout, and bounded retries with backoff on transient errors.
 */
import './driver-environment';
import type * as snowflake from 'snowflake-sdk';
import type { SnowflakeConnection } from '../../../contracts/config';
import type { Row, SqlSession } from '../../../contracts/sql-session';
import { SnowflakeConnectionError, SnowflakeQueryError, redact, redactedCause } from './errors';
import type { PrivateKey } from './private-key';
import { readPrivateKey } from './private-key';
import { retryLoop } from '../retry';

/** Snowflake's login error for a JWT its public keys do not verify. */
const JWT_INVALID = '390144';

/** Where and as whom to connect: the {@link SnowflakeConnection} of contracts/config.ts. */
export type ConnectionSettings = SnowflakeConnection;

export interface SessionOptions {
  /** Attempts for a transient failure (connect, and read-only statements). @default 3 */
  readonly attempts?: number;
  /** First backoff delay, doubled per attempt (with jitter). @default 500 */
  readonly baseDelayMs?: number;
  /** The driver's own login retries (within each attempt). @default 2 */
  readonly loginRetries?: number;
  /** Called before each statement (structured logs). @default none */
  readonly onStatement?: (sql: string) => void;
  /** Key source. @default readPrivateKey (Secrets Manager) */
  readonly readKey?: (secretArn: string) => Promise<PrivateKey>;
}

/** An open session. `query` throws {@link SnowflakeQueryError}. */
export interface SnowflakeSession extends SqlSession {
  close(): Promise<void>;
}

let driver: typeof snowflake | undefined;

/**
 * Loads and configures snowflake-sdk on first use. The driver is most of the bundle and of its load
 * time: requests that need no session (invalid properties, the Delete after a failed Create) never
 * pay for it. Exported for the benchmark.
 */
export function loadDriver(): typeof snowflake {
  if (driver) return driver;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('snowflake-sdk') as typeof snowflake;
  const write = (level: string) => (message: string) =>
    process.stdout.write(`${JSON.stringify({ level, logger: 'snowflake-sdk', message: redact(message) })}\n`);
  sdk.configure({
    logLevel: (process.env.SNOWFLAKE_LOG_LEVEL as snowflake.LogLevel | undefined) ?? 'WARN',
    customLogger: {
      error: write('ERROR'),
      warn: write('WARN'),
      info: write('INFO'),
      debug: write('DEBUG'),
      trace: write('TRACE'),
    },
  });
  driver = sdk;
  return sdk;
}

/** Driver errors worth another attempt: the request never got an answer. */
const TRANSIENT_CODES = new Set(['401001', '401002', '401003', '402001']);
const TRANSIENT_NODE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EPIPE|socket hang up/i;
const READ_ONLY = /^\s*(SHOW|DESC|DESCRIBE|SELECT)\b/i;

export function isTransient(error: { code?: unknown; message?: string; sqlState?: string }): boolean {
  return (
    TRANSIENT_CODES.has(String(error.code ?? '')) ||
    TRANSIENT_NODE.test(error.message ?? '') ||
    /^08/.test(error.sqlState ?? '')
  );
}

const backoff = (base: number, attempt: number) => base * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);

function connectionOptions(
  settings: ConnectionSettings,
  key: PrivateKey,
  loginRetries: number,
): snowflake.ConnectionOptions {
  return {
    account: settings.account,
    username: settings.user,
    role: settings.role,
    warehouse: settings.warehouse,
    authenticator: 'SNOWFLAKE_JWT',
    privateKey: key.privateKey,
    privateKeyPass: key.passphrase,
    ...(settings.host ? { host: settings.host, accessUrl: `https://${settings.host}` } : {}),
    ...(settings.accessUrl ? { accessUrl: settings.accessUrl } : {}),
    application: 's3-snowflake-pipeline',
    clientSessionKeepAlive: false,
    sfRetryMaxLoginRetries: loginRetries,
  } as snowflake.ConnectionOptions;
}

/** Opens a session; retries transient connection failures. */
export async function openSession(
  settings: ConnectionSettings,
  options: SessionOptions = {},
): Promise<SnowflakeSession> {
  const sdk = loadDriver();
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 500;
  let key = await (options.readKey ?? readPrivateKey)(settings.privateKeySecretArn);
  const secrets = [key.privateKey, key.passphrase];
  const transient = (error: unknown) => {
    const e = error as snowflake.SnowflakeError;
    return isTransient({
      code: e.code === undefined ? undefined : String(e.code),
      message: e.message,
      sqlState: e.sqlState,
    });
  };
  const retrying = { attempts, isTransient: transient, delayMs: (attempt: number) => backoff(base, attempt) };
  const connect = () => {
    const candidate = sdk.createConnection(connectionOptions(settings, key, options.loginRetries ?? 2));
    // connect(callback), not connectAsync(): the latter resolves on some login failures.
    return new Promise<snowflake.Connection>((resolve, reject) =>
      candidate.connect((err, conn) => (err ? reject(err) : resolve(conn))),
    );
  };
  let connection: snowflake.Connection | undefined;
  let reread = false;
  while (!connection) {
    try {
      connection = await retryLoop(connect, retrying);
    } catch (error) {
      const e = error as snowflake.SnowflakeError;
      // 390144 JWT invalid with a cached key: the key was rotated (docs/snowflake.md); read the secret once more.
      if (!reread && !options.readKey && String(e.code) === JWT_INVALID) {
        reread = true;
        key = await readPrivateKey(settings.privateKeySecretArn, { forceFetch: true });
        secrets.push(key.privateKey, key.passphrase);
        continue;
      }
      const where = settings.accessUrl ?? settings.host ?? `${settings.account}.snowflakecomputing.com`;
      throw new SnowflakeConnectionError(
        `cannot log in to Snowflake ${where} as ${settings.user} with the key from ${settings.privateKeySecretArn}` +
          `${e.code ? ` (code ${e.code})` : ''}: ${redact(e.message, secrets)}`,
        e.code === undefined ? undefined : String(e.code),
        { cause: redactedCause(e, secrets) },
      );
    }
  }
  const conn = connection;

  const execute = (sql: string) =>
    new Promise<Row[]>((resolve, reject) => {
      conn.execute({
        sqlText: sql,
        rowMode: 'object',
        fetchAsString: ['Boolean', 'Number', 'Date', 'JSON', 'Buffer'],
        complete: (err, _stmt, rows) => (err ? reject(err) : resolve((rows ?? []) as Row[])),
      });
    });

  return {
    async query(sql) {
      options.onStatement?.(sql);
      // Only read-only statements are repeated: a DDL/DML whose answer was lost may have run.
      try {
        return await retryLoop(() => execute(sql), { ...retrying, attempts: READ_ONLY.test(sql) ? attempts : 1 });
      } catch (error) {
        const e = error as snowflake.SnowflakeError;
        const code = e.code === undefined ? undefined : String(e.code);
        throw new SnowflakeQueryError(sql, redact(e.message, secrets), code, e.sqlState, {
          cause: redactedCause(e, secrets),
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        conn.destroy(() => resolve());
      }),
  };
}
