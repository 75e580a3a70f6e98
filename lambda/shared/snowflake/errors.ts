/** Errors of the Snowflake connection module. Messages never contain key material. */

/** A statement failed. `detail` is Snowflake's message; `code` / `sqlState` its codes. */
export class SnowflakeQueryError extends Error {
  override readonly name = 'SnowflakeQueryError';
  constructor(
    readonly statement: string,
    readonly detail: string,
    readonly code?: string,
    readonly sqlState?: string,
    options?: { cause?: unknown },
  ) {
    const codes = [code && `code ${code}`, sqlState && `SQLSTATE ${sqlState}`].filter(Boolean).join(', ');
    super(
      `Snowflake statement failed${codes ? ` (${codes})` : ''}: ${detail}\n  statement: ${statement.replace(/\s+/g, ' ').slice(0, 600)}`,
      options,
    );
  }
}

/** Login failed (bad key, unknown user, unreachable account). */
export class SnowflakeConnectionError extends Error {
  override readonly name = 'SnowflakeConnectionError';
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The private-key secret is missing, unreadable or not a PEM private key. */
export class PrivateKeySecretError extends Error {
  override readonly name = 'PrivateKeySecretError';
}

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g;

/**
 * The caught error, to keep as `cause`, with PEM blocks and the given secret values removed from its
 * message and stack in place (loggers print a cause's message and stack; the promise above holds for
 * them too).
 */
export function redactedCause(error: unknown, secrets: readonly (string | undefined)[] = []): unknown {
  if (typeof error === 'string') return redact(error, secrets);
  // Duck-typed: errors from Node's built-ins may come from another realm (e.g. under Jest).
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return error;
  const e = error as Error;
  e.message = redact(e.message, secrets);
  if (typeof e.stack === 'string') e.stack = redact(e.stack, secrets);
  return e;
}

/** Removes PEM blocks and the given secret values from a message. */
export function redact(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message.replace(PEM_BLOCK, '[redacted key]');
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
