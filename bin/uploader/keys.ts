/**
 * The object key of a spooled file, built in one place: `<source>/<dataset>/<relative dir/><stem>.<hash><ext>`.
 *
 * The key carries the first 32 hex digits (128 bits) of the file's SHA-256, so the same bytes under the same
 * name always map to the same key: a retry after an ambiguous timeout (or a file spooled twice after a crash)
 * meets `If-None-Match: *` → 412, which proves the object is already there, instead of writing it twice.
 * The extension stays last (the parser reads `.csv`, `.json.gz`, … from the end of the key).
 */
import { SOURCE_NAME_PATTERN, IDENTIFIER_PATTERN } from '../../contracts/config';

/** Hex digits of the SHA-256 kept in the key. */
export const KEY_HASH_HEX_DIGITS = 32;

const KNOWN_EXTENSION = /\.(csv|tsv|json|ndjson|jsonl)(\.gz)?$/i;
const ANY_EXTENSION = /\.[^./]+$/;

export class KeyError extends Error {
  override readonly name = 'KeyError';
}

/** Checks a source and dataset name against the project's rules (the same patterns as the config). */
export function checkTarget(source: string, dataset: string): void {
  if (!SOURCE_NAME_PATTERN.test(source))
    throw new KeyError(`--source "${source}" must match ${SOURCE_NAME_PATTERN.source}`);
  if (!IDENTIFIER_PATTERN.test(dataset))
    throw new KeyError(`--dataset "${dataset}" must match ${IDENTIFIER_PATTERN.source}`);
}

/**
 * `a\b/c.csv.gz` (any separator) → `a/b/c.<hash>.csv.gz` under `<source>/<dataset>/`.
 * @param relativePath the file's path relative to the folder it was taken from (or its base name)
 * @param sha256Hex the file's SHA-256, 64 hex digits
 */
export function objectKey(source: string, dataset: string, relativePath: string, sha256Hex: string): string {
  checkTarget(source, dataset);
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new KeyError(`sha256 "${sha256Hex}" is not 64 lower-case hex digits`);
  const segments = relativePath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) throw new KeyError(`file path "${relativePath}" has no file name`);
  if (segments.includes('..')) throw new KeyError(`file path "${relativePath}" must not contain ".."`);
  const name = segments.pop()!;
  const ext = KNOWN_EXTENSION.exec(name)?.[0] ?? ANY_EXTENSION.exec(name)?.[0] ?? '';
  const stem = name.slice(0, name.length - ext.length);
  if (stem === '') throw new KeyError(`file name "${name}" has nothing before its extension`);
  const hashed = `${stem}.${sha256Hex.slice(0, KEY_HASH_HEX_DIGITS)}${ext}`;
  return [source, dataset, ...segments, hashed].join('/');
}
