/**
 * Retries with exponential backoff and full jitter (delay uniformly drawn from [0, min(cap, base · 2^n))),
 * for transient failures only: network errors, timeouts, throttling and 5xx. Anything else is permanent.
 */
import { retryLoop } from '../../lambda/shared/retry';
import { DEFAULTS } from './defaults';

export interface RetryOptions {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called before each wait with the attempt that failed (1-based), the error and the delay. */
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Raised when every attempt failed with a transient error; `cause` is the last one. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`gave up after ${attempts} attempts: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const RETRYABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ConditionalRequestConflict',
  'InternalError',
  'ServiceUnavailable',
  'ExpiredToken',
  'RequestAbortedError',
]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** True for errors worth retrying: network failures, timeouts, throttling (429, 503 SlowDown) and 5xx. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return true;
  if (e.$retryable) return true;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  // A response that is not S3's (a proxy's HTML, a cut body) surfaces as a deserialization error with no status.
  return (
    status === undefined &&
    /socket hang up|ECONNRESET|aborted|Deserialization error/i.test(String((err as Error).message))
  );
}

/** Full-jitter delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
}

/** Runs `fn` until it succeeds, fails permanently (thrown as is) or runs out of attempts (RetriesExhaustedError). */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const base = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const cap = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
  let last = 0;
  try {
    return await retryLoop(
      (attempt) => {
        last = attempt;
        return fn(attempt);
      },
      {
        attempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
        isTransient: isRetryable,
        delayMs: (attempt) => backoffDelay(attempt, base, cap, options.random),
        onRetry: options.onRetry,
        sleep: options.sleep,
      },
    );
  } catch (err) {
    // retryLoop rethrows a retryable error only when the attempts ran out.
    if (isRetryable(err)) throw new RetriesExhaustedError(last, err);
    throw err;
  }
}
