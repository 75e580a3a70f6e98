/**
 * Errors of the data model generators. Each names what was wrong and where (dataset, column,
 * file), so a bad spec or SQL file fails synth or plan with one clear message.
 */

/** A dataset spec cannot be turned into SQL (bad path, unsupported type, reserved name…). */
export class DataModelError extends Error {
  override readonly name: string = 'DataModelError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A gold view or follow-up task file is invalid, references something unknown, or forms a cycle. */
export class SqlFileError extends DataModelError {
  override readonly name = 'SqlFileError';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** A dependency graph (gold views, task graph) has a cycle; `cycle` lists it in order. */
export class DependencyCycleError extends DataModelError {
  override readonly name = 'DependencyCycleError';
  constructor(
    readonly what: string,
    readonly cycle: readonly string[],
  ) {
    super(`${what} form a dependency cycle: ${cycle.join(' -> ')}`);
  }
}
