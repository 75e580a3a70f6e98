/**
 * The command-line parsing shared by the plan and replay CLIs: strict flags (no positionals), an error
 * that names the flag at fault, and the S3 bucket name rule. Each CLI keeps its own error class,
 * messages and exit codes.
 */
import { parseArgs } from 'util';
import type { ParseArgsConfig } from 'util';

/** A bad or missing argument; `flag` names it (e.g. `--env`). The message reads `<flag>: <message>`. */
export class CliArgsError extends Error {
  override readonly name: string = 'CliArgsError';
  constructor(
    readonly flag: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${flag}: ${message}`, options);
  }
}

/** The parsed flags, by long name. */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

/** An S3 bucket name (3-63 lowercase letters, digits, dots and hyphens). */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `argv` (without `node script`) strictly against `options`, with no positionals. A parse
 * error (unknown option, missing or unexpected value) is passed to `toError`, whose result is thrown.
 */
export function parseFlags(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  toError: (cause: Error) => Error,
): FlagValues {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as FlagValues;
  } catch (cause) {
    throw toError(cause as Error);
  }
}

/** The value of a string flag, or undefined when it is absent. */
export function stringFlag(values: FlagValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}
