/**
 * Values of bundled globals (BUNDLED_DATASETS_GLOBAL, …) for a handler bundle pre-built at package build
 * time: the construct writes them into BUNDLED_GLOBALS_FILE beside the bundle (esbuild `define` is used
 * when the construct bundles from source instead).
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { BUNDLED_GLOBALS_FILE } from '../../contracts/constants';

/** The bundled-globals file is unreadable or not an object of strings; names the file and the fault. */
export class BundledGlobalsError extends Error {
  override readonly name = 'BundledGlobalsError';
}

/**
 * Reads `<dir>/bundled-globals.json`; an empty object when there is none (bundled from source, tests).
 * `dir` defaults to the running bundle's directory (the Lambda task root).
 */
export function readBundledGlobals(dir: string = __dirname): Readonly<Record<string, string>> {
  const file = join(dir, BUNDLED_GLOBALS_FILE);
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BundledGlobalsError(`${file}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BundledGlobalsError(`${file}: must be a JSON object of strings, got ${JSON.stringify(parsed)}`);
  }
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') {
      throw new BundledGlobalsError(`${file}: "${name}" must be a string, got ${JSON.stringify(value)}`);
    }
  }
  return parsed as Record<string, string>;
}
