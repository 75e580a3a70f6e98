/**
 * Runs a plan on a session: statements in order, bounded waits, bounded retries while IAM trust
 * propagates, and undo statements (e.g. resume a paused pipe) when a later step fails.
 */
import { PIPE_DRAIN_TIMEOUT } from '../../contracts/defaults';
import { PipeDrainTimeoutError, StatementFailedError } from './errors';
import type { Plan, SqlErrorLike, SqlSession, Step } from './types';
import { parsePipeStatus, pipeStatusQuery, refreshSincePause } from '../kinds/pipe';

export interface ApplyOptions {
  /** Clock (pause time of a pipe recreation). @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Longest wait for a paused pipe's pendingFileCount to reach 0. @default 240000 (4 min) */
  readonly drainTimeoutMs?: number;
  /** Poll interval of SYSTEM$PIPE_STATUS while draining. @default 5000 */
  readonly drainPollMs?: number;
  /** Attempts of a statement that failed with an AWS access error (IAM propagation). @default 6 */
  readonly accessRetryAttempts?: number;
  /** First delay between those attempts, doubled each time, capped at 30 s. @default 5000 */
  readonly accessRetryDelayMs?: number;
  /** Structured log sink. @default none */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Snowflake's messages when it cannot assume the integration's AWS role (trust not yet propagated). */
const ACCESS_ERROR =
  /assum(e|ing) (the )?AWS_ROLE|not authorized to perform:? sts:AssumeRole|Access Denied|AccessDenied/i;

export function isAwsAccessError(error: unknown): boolean {
  return error instanceof Error && ACCESS_ERROR.test(error.message);
}

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
  const undo: string[] = [];
  let pausedAt: Date | undefined;

  const run = async (sql: string, retryOnAccessError = false): Promise<Awaited<ReturnType<SqlSession['query']>>> => {
    const attempts = retryOnAccessError ? (options.accessRetryAttempts ?? 6) : 1;
    let delay = options.accessRetryDelayMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      executed.push(sql);
      try {
        return await session.query(sql);
      } catch (error) {
        const e = error as SqlErrorLike;
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
        );
      }
    }
  };

  const awaitDrained = async (pipe: string) => {
    const timeout = options.drainTimeoutMs ?? PIPE_DRAIN_TIMEOUT.defaultSeconds * 1000;
    const poll = options.drainPollMs ?? 5000;
    const started = Date.now();
    for (;;) {
      const [row] = await run(pipeStatusQuery(pipe));
      const status = parsePipeStatus(row ? Object.values(row)[0] : null);
      if (status.pendingFileCount === 0) return;
      if (Date.now() - started >= timeout) throw new PipeDrainTimeoutError(object, status.pendingFileCount, timeout);
      log('waiting for the paused pipe to drain', { object, pendingFileCount: status.pendingFileCount });
      await sleep(poll);
    }
  };

  const step = async (s: Step) => {
    switch (s.type) {
      case 'sql':
        if (s.marksPause) pausedAt = now();
        await run(s.sql, s.retryOnAccessError);
        if (s.settlesUndo) undo.length = 0;
        if (s.undo) undo.push(s.undo);
        return;
      case 'await-pipe-drained':
        return awaitDrained(s.pipe);
      case 'refresh-since-pause':
        await run(refreshSincePause(s.pipe, pausedAt ?? now()));
        return;
    }
  };

  for (const s of plan.steps) {
    try {
      await step(s);
    } catch (error) {
      const restored: string[] = [];
      for (const sql of undo.reverse()) {
        try {
          executed.push(sql);
          await session.query(sql);
          restored.push(`restored: ${sql}`);
        } catch (undoError) {
          restored.push(`FAILED to restore (${(undoError as Error).message}): ${sql}`);
        }
      }
      if (restored.length && error instanceof Error) error.message += `\n  ${restored.join('\n  ')}`;
      throw error;
    }
  }
  return executed;
}
