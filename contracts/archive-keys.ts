/**
 * The archive key layout, built (by the parser) and parsed (by the replay, which maps an archive key back
 * to an inbound key) here only. Pure functions, no I/O.
 *
 * - routed:     `<source>/<dataset>/dt=<YYYY-MM-DD>/<versionTag>/<rest of the original path>`
 * - unroutable: `_unrouted/dt=<YYYY-MM-DD>/<versionTag>/<full original key>`
 *
 * The replayed inbound key is `<source>/<dataset>/<rest>`: the original key, so the parser applies
 * the same routing and rules as on first arrival.
 */

/** First segment of archive keys of objects the parser could not route to a dataset. */
export const UNROUTED_PREFIX = '_unrouted/';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** The archive key of a routed upload: `<source>/<dataset>/dt=<date>/<versionTag>/<rest>`. */
export function routedArchiveKey(
  source: string,
  dataset: string,
  date: string,
  versionTag: string,
  rest: string,
): string {
  return `${routedDatePrefix(source, dataset)}${date}/${versionTag}/${rest}`;
}

/** The archive key of an unroutable upload: `_unrouted/dt=<date>/<versionTag>/<original key>`. */
export function unroutedArchiveKey(date: string, versionTag: string, originalKey: string): string {
  return `${unroutedDatePrefix()}${date}/${versionTag}/${originalKey}`;
}

/** Prefix under which all routed archive objects of one source and dataset live: `<source>/<dataset>/dt=`. */
export function routedDatePrefix(source: string, dataset: string): string {
  return `${source}/${dataset}/dt=`;
}

/** Prefix of unroutable archive objects: `_unrouted/dt=`. */
export function unroutedDatePrefix(): string {
  return `${UNROUTED_PREFIX}dt=`;
}

/** Where a listing under `<datePrefix>` must start to begin at date `from` (ListObjectsV2 StartAfter is exclusive). */
export function startAfterFor(datePrefix: string, from: string): string {
  return `${datePrefix}${from}`;
}

/** An archive object the replay understands. */
export interface ArchiveKeyParts {
  readonly date: string;
  readonly versionTag: string;
  /** Source of the original upload (first segment of the inbound key). */
  readonly source: string;
  /** Dataset of the original upload (second segment of the inbound key). */
  readonly dataset: string;
  /** The inbound key a replay writes: `<source>/<dataset>/<rest>`. */
  readonly inboundKey: string;
  readonly unrouted: boolean;
}

/**
 * Parses an archive key; undefined when it does not follow the layout (such objects are reported,
 * never guessed at). For unroutable objects, `source`/`dataset` are the first two segments of the
 * original key (undefined when it has fewer than three segments).
 */
export function parseArchiveKey(key: string): ArchiveKeyParts | undefined {
  const unrouted = key.startsWith(UNROUTED_PREFIX);
  const parts = key.split('/');
  if (unrouted) {
    // _unrouted / dt=D / versionTag / original…
    const [, dt, versionTag, ...original] = parts;
    const date = dt?.startsWith('dt=') ? dt.slice(3) : '';
    if (!isIsoDate(date) || !versionTag || original.length < 3 || original.some((s) => s === '')) return undefined;
    return {
      date,
      versionTag,
      source: original[0],
      dataset: original[1],
      inboundKey: original.join('/'),
      unrouted: true,
    };
  }
  // source / dataset / dt=D / versionTag / rest…
  const [source, dataset, dt, versionTag, ...rest] = parts;
  const date = dt?.startsWith('dt=') ? dt.slice(3) : '';
  if (!source || !dataset || !isIsoDate(date) || !versionTag || rest.length === 0 || rest.some((s) => s === '')) {
    return undefined;
  }
  return { date, versionTag, source, dataset, inboundKey: [source, dataset, ...rest].join('/'), unrouted: false };
}

/** Number of calendar days from `from` to `to`, inclusive (both `YYYY-MM-DD`). */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}
