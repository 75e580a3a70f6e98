/**
 * The one retry loop: runs `fn` until it succeeds, fails with an error `isTransient` rejects, or has
 * run `attempts` times; the last error is rethrown as it is (callers wrap it). Used by the Snowflake
 * session (lambda/shared/snowflake/connection.ts: login and read-only statements) and the uploader
 * (bin/uploader/retry.ts: S3 requests); each brings its own transient test and backoff.
 */

export interface RetryLoopOptions {
  /** Total attempts, the first included (1 = no retry). */
  readonly attempts: number;
  /** Whether an error is worth another attempt. */
  readonly isTransient: (error: unknown) => boolean;
  /** Wait before the attempt after `attempt` (1-based, the one that failed). */
  readonly delayMs: (attempt: number) => number;
  /** Called before each wait. @default none */
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryLoop<T>(fn: (attempt: number) => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const sleep = options.sleep ?? timer;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.isTransient(error)) throw error;
      const delay = options.delayMs(attempt);
      options.onRetry?.(attempt, error, delay);
      await sleep(delay);
    }
  }
}
