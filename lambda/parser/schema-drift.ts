/**
 * Schema drift of one file: the record keys the parser saw compared with the dataset's column
 * paths. Cheap by design: CSV/TSV contribute their header once (headers are flat: a nested path
 * such as `location.name` is checked by its top-level key only); JSON/NDJSON the top-level property
 * names of each record (collected into one Set by the JSON validator) and, for nested column paths,
 * the property names of the objects ALONG those paths only ({@link NestedKeys}: for `device.id` the
 * names inside `device`, nothing else of the record). Array steps (`tags[0]`, `a[1].b`) are not
 * followed: such a path is checked up to its first indexed key.
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
 * Compares the keys `seen` in a file with the column paths (spec `path`, default the name). With
 * `nested` (JSON/NDJSON) a nested path is followed key by key (up to its first array index); without
 * it (CSV/TSV) only its top-level key counts. Each difference is reported once:
 * - `case_mismatches`: a path the file had only with some key in another letter case, `seen` being
 *   the path as the records spelled it (`{ path: 'id', seen: 'ID' }`, `{ path: 'device.id', seen:
 *   'device.ID' }`; Snowflake's VARIANT paths are case-sensitive, so the column would be NULL). Not reported
 *   for a dataset with `pathMatch: 'case-insensitive'` (options.ignoreCase), which reads such keys;
 * - `missing_paths`: other paths no record had (`device.id` when records have `device` but never
 *   `device.id`, nor as an object);
 * - `unknown_keys`: keys no column path starts with and that are not a case mismatch, sorted.
 */
export function fileDrift(
  columns: readonly { readonly name: string; readonly path?: string }[],
  seen: ReadonlySet<string>,
  nested?: NestedKeys,
  options: { readonly ignoreCase?: boolean } = {},
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
    const segments = nested === undefined ? [top] : objectSteps(path);
    if (segments.length > 1) {
      const found = findPath(seen, nested!.seen, segments);
      if (found !== undefined && found.every((k, i) => k === segments[i])) continue;
      if (found !== undefined) {
        // A dataset with pathMatch 'case-insensitive' reads it: no drift.
        if (!options.ignoreCase) mismatches.push({ path, seen: found.join('.') });
        explained.add(found[0]);
        continue;
      }
      if (seen.has(top)) {
        missing.push(path);
        continue;
      }
    } else if (seen.has(top)) continue;
    const other = byLowerCase.get(top.toLowerCase());
    if (other !== undefined) {
      if (!options.ignoreCase) mismatches.push({ path, seen: other });
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

/** The object keys of a column path up to its first array index: `a.b[0].c` → `a`, `b`. */
export function objectSteps(path: string): string[] {
  const steps: string[] = [];
  for (const part of path.split('.')) {
    const bracket = part.indexOf('[');
    steps.push(bracket < 0 ? part : part.slice(0, bracket));
    if (bracket >= 0) break;
  }
  return steps;
}

/** Lower-cases ASCII letters only (column path keys are ASCII): the same on strings and on bytes. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** An object along a nested column path: its property names wanted, and the objects deeper along some path. */
export class WantedObject {
  /** Deeper wanted objects by their key, ASCII lower case (the byte path compares `names`/`objects`). */
  readonly children = new Map<string, WantedObject>();
  readonly names: Buffer[] = [];
  readonly objects: WantedObject[] = [];

  child(key: string): WantedObject {
    const lower = asciiLower(key);
    let c = this.children.get(lower);
    if (c === undefined) {
      c = new WantedObject();
      this.children.set(lower, c);
      this.names.push(Buffer.from(lower, 'utf8'));
      this.objects.push(c);
    }
    return c;
  }
}

/** Property names seen in the objects at one actual key path of a file's records. */
export class SeenObject {
  readonly keys = new Set<string>();
  readonly children = new Map<string, SeenObject>();

  child(key: string): SeenObject {
    let c = this.children.get(key);
    if (c === undefined) {
      c = new SeenObject();
      this.children.set(key, c);
    }
    return c;
  }
}

/**
 * The nested key collector of one file (JSON/NDJSON): which objects to look into (`wanted`, from
 * the dataset's nested column paths, matched ignoring ASCII case so that `Device` is looked into for
 * `device.id`) and what they held (`seen`, by the keys as the records spelled them; the root's own
 * names are the top-level Set). The parsers add a record's names only once the record is accepted.
 */
export class NestedKeys {
  readonly wanted = new WantedObject();
  readonly seen = new SeenObject();

  /** The collector for these columns, or undefined when no column path is nested (nothing to collect). */
  static forColumns(columns: readonly { readonly name: string; readonly path?: string }[]): NestedKeys | undefined {
    let nested: NestedKeys | undefined;
    for (const c of columns) {
      const steps = objectSteps(c.path ?? c.name);
      if (steps.length < 2) continue;
      nested ??= new NestedKeys();
      let w = nested.wanted;
      for (let i = 0; i < steps.length - 1; i++) w = w.child(steps[i]);
    }
    return nested;
  }
}

/** Events a parser records while scanning one record's wanted objects, replayed into {@link SeenObject}s. */
export const NESTED_EVENT = { KEY: 0, OPEN: 1, CLOSE: 2 } as const;

/**
 * Replays one accepted record's events: OPEN name (the key whose object value is entered, from the
 * record's root), KEY name (a property of the current object), CLOSE (back to the enclosing object).
 */
export function addNestedEvents(seen: SeenObject, kinds: ArrayLike<number>, names: readonly string[]): void {
  const stack: SeenObject[] = [];
  let at = seen;
  for (let i = 0; i < names.length; i++) {
    const kind = kinds[i];
    if (kind === NESTED_EVENT.KEY) at.keys.add(names[i]);
    else if (kind === NESTED_EVENT.OPEN) {
      stack.push(at);
      at = at.child(names[i]);
    } else at = stack.pop()!;
  }
}

/**
 * The key path of the records that matches `steps` ignoring case, exact keys tried first (so an
 * exact path, when any record had it, is the one found); undefined when none matches.
 */
function findPath(top: ReadonlySet<string>, root: SeenObject, steps: readonly string[]): string[] | undefined {
  const walk = (keys: ReadonlySet<string>, children: Map<string, SeenObject>, i: number): string[] | undefined => {
    const step = steps[i];
    const lower = step.toLowerCase();
    const last = i === steps.length - 1;
    const candidates = keys.has(step) ? [step] : [];
    // Before the last step only keys with an object value along a wanted path can lead further.
    for (const k of last ? keys : children.keys()) if (k !== step && k.toLowerCase() === lower) candidates.push(k);
    for (const k of candidates) {
      if (last) return [k];
      const child = children.get(k);
      if (child === undefined) continue;
      const rest = walk(child.keys, child.children, i + 1);
      if (rest !== undefined) return [k, ...rest];
    }
    return undefined;
  };
  return walk(top, root.children, 0);
}
