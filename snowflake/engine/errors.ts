/** Errors the engine raises: each names the object and, where one ran, the statement. */

/** A change the planner refuses to make automatically (e.g. retyping a column, replacing an integration). */
export class UnsafeChangeError extends Error {
  override readonly name = 'UnsafeChangeError';
  constructor(
    readonly object: string,
    message: string,
  ) {
    super(`${object}: ${message}`);
  }
}

/** Create found the object already there and adoption was not requested. */
export class ObjectExistsError extends Error {
  override readonly name = 'ObjectExistsError';
  constructor(
    readonly object: string,
    label: string,
  ) {
    super(
      `${label} ${object} already exists in Snowflake and was not created by this stack. ` +
        'Set `adopt: true` on its construct to take it over (an adopted object is converged to the definition and never dropped by the stack), or give it another name.',
    );
  }
}

/** A statement failed: names the object, the statement and Snowflake's code / SQLSTATE. */
export class StatementFailedError extends Error {
  override readonly name = 'StatementFailedError';
  readonly code?: string;
  readonly sqlState?: string;
  constructor(
    readonly object: string,
    readonly statement: string,
    cause: { message: string; code?: string; sqlState?: string },
    note = '',
    options?: { cause?: unknown },
  ) {
    const codes = [cause.code && `code ${cause.code}`, cause.sqlState && `SQLSTATE ${cause.sqlState}`].filter(Boolean);
    super(
      `${object}: statement failed${codes.length ? ` (${codes.join(', ')})` : ''}: ${cause.message}\n  statement: ${oneLine(statement)}${note ? `\n  ${note}` : ''}`,
      { cause: options && 'cause' in options ? options.cause : cause },
    );
    this.code = cause.code;
    this.sqlState = cause.sqlState;
  }
}

/**
 * The change could not finish now but may later (IAM trust still propagating, a transient Snowflake
 * error, a REFRESH owed after a recreation, a task graph another deployment is changing): the
 * provider's isComplete calls again after its query interval. The state needed to continue is in
 * Snowflake (e.g. the pipe's refresh marker), so the next attempt re-reads and re-plans.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    readonly object: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${object}: not finished yet, retried by the provider: ${reason}`, options);
  }
}

/** Collapses whitespace so a statement fits one log / error line. */
export function oneLine(sql: string, max = 600): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
