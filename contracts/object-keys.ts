/**
 * The stage bucket's key layout, built and parsed here only (the parser writes it, Snowpipe reads it by
 * dataset prefix, the sandbox's warehouse and the tools parse it back). No imports but the prefixes.
 *
 * - staged data:  `data/<dataset>/<YYYY-MM-DD>/<source>/<name>.ndjson.gz` (Snowpipe reads `data/<dataset>/`)
 * - quarantine:   `quarantine/<dataset>/<YYYY-MM-DD>/<source>/<name>.(rejects.ndjson|file.json)`
 * - manifests:    `manifests/<dataset>/<YYYY-MM-DD>/<source>/<name>.manifest.json.gz` (see file-manifest.ts)
 */
import { MANIFEST_PREFIX, QUARANTINE_PREFIX, STAGE_DATA_PREFIX } from './constants';

/** The part of a stage or quarantine key that says where a file came from. */
export interface StageKeyParts {
  readonly dataset: string;
  /** `YYYY-MM-DD` of the original upload's event time. */
  readonly date: string;
  readonly source: string;
  /** File name below the source directory. */
  readonly name: string;
}

/** `data/<dataset>/`: everything one dataset's pipe loads. */
export function stageDatasetPrefix(dataset: string): string {
  return `${STAGE_DATA_PREFIX}${dataset}/`;
}

/** `data/<dataset>/<date>/<source>/`: the directory of one upload's staged parts. */
export function stageDirectory(dataset: string, date: string, source: string): string {
  return `${stageDatasetPrefix(dataset)}${date}/${source}/`;
}

/** `quarantine/<dataset>/<date>/<source>/`: the directory of one upload's rejects and file report. */
export function quarantineDirectory(dataset: string, date: string, source: string): string {
  return `${QUARANTINE_PREFIX}${dataset}/${date}/${source}/`;
}

/**
 * `<dataset>/<date>/`: one dataset's manifests of one day, relative to `manifests/` (what the manifests pipe
 * reads), so the pipe refresher's `REFRESH PREFIX` for them.
 */
export function manifestDatePrefix(dataset: string, date: string): string {
  return `${dataset}/${date}/`;
}

/** `manifests/<dataset>/<date>/<source>/`: the directory of one upload's file manifest. */
export function manifestDirectory(dataset: string, date: string, source: string): string {
  return `${MANIFEST_PREFIX}${manifestDatePrefix(dataset, date)}${source}/`;
}

function parseUnder(prefix: string, key: string): StageKeyParts | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const [dataset, date, source, ...rest] = key.slice(prefix.length).split('/');
  const name = rest.join('/');
  if (!dataset || !date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !source || !name) return undefined;
  return { dataset, date, source, name };
}

/**
 * The dataset whose pipe loads `key`: any object under `data/<dataset>/` (a pipe reads its whole prefix,
 * whatever the rest of the key); undefined outside `data/`.
 */
export function stagePipeDataset(key: string): string | undefined {
  if (!key.startsWith(STAGE_DATA_PREFIX)) return undefined;
  const [dataset, ...rest] = key.slice(STAGE_DATA_PREFIX.length).split('/');
  return dataset && rest.join('/') ? dataset : undefined;
}

/** Parses a staged data key; undefined when it does not follow the layout. */
export function parseStageKey(key: string): StageKeyParts | undefined {
  return parseUnder(STAGE_DATA_PREFIX, key);
}

/** Parses a quarantine key; undefined when it does not follow the layout. */
export function parseQuarantineKey(key: string): StageKeyParts | undefined {
  return parseUnder(QUARANTINE_PREFIX, key);
}
