/**
 * Schema drift of one file: the record keys the parser saw compared with the dataset's column
 * paths. Cheap by design: CSV/TSV contribute their header once; JSON/NDJSON the top-level property
 * names of each record (collected into one Set by the JSON validator). Nested paths are checked by
 * their top-level key only (`location.name` is present when records have `location`).
 */
import type { FileDrift } from '../../contracts/file-manifest';

/** Longest list reported per drift field (a file with thousands of stray keys still gets a small manifest). */
export const MAX_DRIFT_KEYS = 100;

/** The record key a column path starts with: `location.name` → `location`, `tags[0]` → `tags`. */
export function topLevelKey(path: string): string {
  const dot = path.indexOf('.');
  const first = dot < 0 ? path : path.slice(0, dot);
  const bracket = first.indexOf('[');
  return bracket < 0 ? first : first.slice(0, bracket);
}

/**
 * Compares the keys `seen` in a file with the column paths (spec `path`, default the name). Each
 * difference is reported once:
 * - `case_mismatches`: a path whose top-level key the file had only in another letter case
 *   (`ID` for `id`; Snowflake's VARIANT paths are case-sensitive, so the column would be NULL);
 * - `missing_paths`: other paths whose top-level key no record had;
 * - `unknown_keys`: keys no column path starts with and that are not a case mismatch, sorted.
 */
export function fileDrift(
  columns: readonly { readonly name: string; readonly path?: string }[],
  seen: ReadonlySet<string>,
): FileDrift {
  const expected = new Set<string>();
  const byLowerCase = new Map<string, string>();
  for (const key of seen) {
    const lower = key.toLowerCase();
    if (!byLowerCase.has(lower)) byLowerCase.set(lower, key);
  }
  const missing: string[] = [];
  const mismatches: { path: string; seen: string }[] = [];
  const explained = new Set<string>();
  for (const c of columns) {
    const path = c.path ?? c.name;
    const top = topLevelKey(path);
    expected.add(top);
    if (seen.has(top)) continue;
    const other = byLowerCase.get(top.toLowerCase());
    if (other !== undefined) {
      mismatches.push({ path, seen: other });
      explained.add(other);
    } else missing.push(path);
  }
  const unknown = [...seen].filter((k) => !expected.has(k) && !explained.has(k)).sort();
  return {
    missing_paths: missing.slice(0, MAX_DRIFT_KEYS),
    unknown_keys: unknown.slice(0, MAX_DRIFT_KEYS),
    case_mismatches: mismatches.slice(0, MAX_DRIFT_KEYS),
  };
}

/** Any difference at all. */
export function hasDrift(drift: FileDrift | null | undefined): boolean {
  if (drift === null || drift === undefined) return false;
  return drift.missing_paths.length + drift.unknown_keys.length + drift.case_mismatches.length > 0;
}
