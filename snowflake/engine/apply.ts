/**
 * Runs a plan on a session: statements in order, undo statements (e.g. resume a paused pipe) when a
 * later step fails, and retries of what can succeed later (IAM trust propagating, transient
 * errors, a pipe's owed REFRESH). A retry waits in this invocation only while the wait fits before
 * `deadline`; otherwise a RetryLaterError hands it to the provider's isComplete, which calls again.
 */
import { RetryLaterError, StatementFailedError } from './errors';
import type { Plan, SqlErrorLike, SqlSession, Step } from './types';
import {
  markedComment,
  parsePipeStatus,
  pipeStatusQuery,
  REFRESH_FROM_PLACEHOLDER,
  refreshInstant,
  refreshSincePause,
} from '../kinds/pipe';
import { stringLiteral } from '../identifiers';
import { generateServiceKeyPair } from './key-pair';
import type { PrivateKeyStore } from './key-pair';

export interface ApplyOptions {
  /** Clock (pause time of a pipe recreation). @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Epoch ms after which this invocation no longer waits (a wait that would end later becomes a
   * RetryLaterError for the provider). @default no limit
   */
  readonly deadline?: number;
  /** Attempts of a statement that failed with an AWS access error (IAM propagation). @default 6 */
  readonly accessRetryAttempts?: number;
  /** First delay between those attempts, doubled each time, capped at 30 s. @default 5000 */
  readonly accessRetryDelayMs?: number;
  /** Structured log sink. @default none */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  /** Where `install-key-pair` writes a service user's private key. @default none (such a step fails) */
  readonly keyStore?: PrivateKeyStore;
}

/** Snowflake's messages when it cannot assume the integration's AWS role (trust not yet propagated). */
const ACCESS_ERROR =
  /assum(e|ing) (the )?AWS_ROLE|not authorized to perform:? sts:AssumeRole|Access Denied|AccessDenied/i;

export function isAwsAccessError(error: unknown): boolean {
  return error instanceof Error && ACCESS_ERROR.test(error.message);
}

/**
 * Snowflake errors a later attempt can get past: 091089 "Unable to update graph with root task …
 * since that root task is not suspended" (another deployment resumed the graph meanwhile).
 */
export const RETRY_LATER_CODES: ReadonlySet<string> = new Set(['091089']);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Executes `plan` for `object`; returns the statements that ran (reads of pipe status included). */
export async function applyPlan(
  session: SqlSession,
  object: string,
  plan: Plan,
  options: ApplyOptions = {},
): Promise<string[]> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? (() => undefined);
  const executed: string[] = [];
  const undo: (readonly string[])[] = [];
  let pausedAt: Date | undefined;
  let refreshFrom: string | undefined;
  const deadline = options.deadline ?? Infinity;

  const run = async (sql: string, retryOnAccessError = false): Promise<Awaited<ReturnType<SqlSession['query']>>> => {
    const attempts = retryOnAccessError ? (options.accessRetryAttempts ?? 6) : 1;
    let delay = options.accessRetryDelayMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      executed.push(sql);
      try {
        return await session.query(sql);
      } catch (error) {
        const e = error as SqlErrorLike;
        if (attempt < attempts && isAwsAccessError(e) && Date.now() + delay > deadline)
          throw new RetryLaterError(object, 'Snowflake cannot assume the AWS role yet (IAM trust propagating)', {
            cause: error,
          });
        if (attempt < attempts && isAwsAccessError(e)) {
          log('AWS access error, retrying while the IAM trust propagates', {
            object,
            attempt,
            delayMs: delay,
            code: e.code,
          });
          await sleep(delay);
          delay = Math.min(delay * 2, 30_000);
          continue;
        }
        const note =
          attempts > 1 && isAwsAccessError(e)
            ? `Snowflake could not assume the integration's AWS role after ${attempts} attempts: check the role's trust policy (STORAGE_AWS_IAM_USER_ARN, sts:ExternalId) and its S3/KMS permissions.`
            : '';
        throw new StatementFailedError(
          object,
          sql,
          { message: e.detail ?? e.message, code: e.code, sqlState: e.sqlState },
          note,
          { cause: error },
        );
      }
    }
  };

  const refresh = async (pipe: string, instant: string) => {
    try {
      await run(refreshSincePause(pipe, instant));
    } catch (error) {
      // The new pipe runs; only the REFRESH is owed, and the marker in its comment keeps the instant.
      throw new RetryLaterError(object, `REFRESH MODIFIED_AFTER ${instant} failed; it is retried`, { cause: error });
    }
  };

  const step = async (s: Step) => {
    switch (s.type) {
      case 'sql': {
        if (s.marksPause) pausedAt = now();
        const sql = s.usesRefreshFrom ? s.sql.split(REFRESH_FROM_PLACEHOLDER).join(refreshFrom ?? '') : s.sql;
        if (s.usesRefreshFrom && !refreshFrom) throw new Error(`${object}: internal: no refresh instant recorded`);
        await run(sql, s.retryOnAccessError);
        if (s.settlesUndo) undo.length = 0;
        if (s.undo) undo.push(typeof s.undo === 'string' ? [s.undo] : s.undo);
        return;
      }
      case 'mark-refresh-from': {
        const [row] = await run(pipeStatusQuery(s.pipe));
        const status = parsePipeStatus(row ? Object.values(row)[0] : null);
        refreshFrom = refreshInstant(pausedAt ?? now(), status, s.recorded);
        log('refresh instant recorded in the pipe comment', { object, refreshFrom, ...status });
        await run(`ALTER PIPE ${s.pipe} SET COMMENT = ${stringLiteral(markedComment(s.comment, refreshFrom))}`);
        return;
      }
      case 'install-key-pair': {
        if (!options.keyStore) throw new Error(`${object}: no key store to write the service user's private key to`);
        const pair = generateServiceKeyPair();
        // The public key is not secret, but long: the executed list shows its fingerprint.
        const setKey = async (slot: string) => {
          await run(`ALTER USER ${s.user} SET ${slot} = ${stringLiteral(pair.publicKey)}`);
          executed[executed.length - 1] = `ALTER USER ${s.user} SET ${slot} = '<public key ${pair.fingerprint}>'`;
        };
        await setKey('RSA_PUBLIC_KEY_2');
        try {
          await options.keyStore.put(s.privateKeySecretArn, pair.privateKeyPem);
        } catch (error) {
          // The user still accepts the key the secret holds (RSA_PUBLIC_KEY); the next attempt starts over.
          const e = error as Error;
          throw new Error(
            `${object}: could not write the new private key to ${s.privateKeySecretArn} (${e.name}: ${e.message}); ` +
              'the user keeps its current key, and the next deploy installs a fresh pair',
            { cause: error },
          );
        }
        log('service user key pair installed', { object, fingerprint: pair.fingerprint });
        await setKey('RSA_PUBLIC_KEY');
        await run(`ALTER USER ${s.user} UNSET RSA_PUBLIC_KEY_2`);
        return;
      }
      case 'refresh-from-mark': {
        const instant = s.recorded ?? refreshFrom;
        if (!instant) throw new Error(`${object}: internal: no refresh instant recorded`);
        return refresh(s.pipe, instant);
      }
    }
  };

  for (const s of plan.steps) {
    try {
      await step(s);
    } catch (error) {
      const restored: string[] = [];
      for (const sql of undo.reverse().flat()) {
        try {
          executed.push(sql);
          await session.query(sql);
          restored.push(`restored: ${sql}`);
        } catch (undoError) {
          restored.push(`FAILED to restore (${(undoError as Error).message}): ${sql}`);
        }
      }
      if (restored.length && error instanceof Error) error.message += `\n  ${restored.join('\n  ')}`;
      // Another change holds the task graph (its root was resumed under us): undone above, retried later.
      if (error instanceof StatementFailedError && error.code !== undefined && RETRY_LATER_CODES.has(error.code))
        throw new RetryLaterError(object, `another change holds the task graph (${error.message})`, { cause: error });
      throw error;
    }
  }
  return executed;
}
