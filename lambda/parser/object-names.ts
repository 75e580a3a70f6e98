import { createHash } from 'crypto';
import { SOURCE_NAME_PATTERN } from '../../contracts/config';
import type { DatasetSpec } from '../../contracts/config';
import type { SourceAllowlist } from './config';
import { routedArchiveKey, unroutedArchiveKey } from '../../contracts/archive-keys';
import { manifestDirectory, quarantineDirectory, stageDirectory } from '../../contracts/object-keys';
import { FILE_REASONS } from './errors';
import type { FileReason } from './errors';

/** One received object version, as its S3 event describes it (key already decoded). */
export interface ObjectVersion {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Without quotes. */
  readonly eTag: string;
  readonly versionId?: string;
  readonly sequencer: string;
  /** The event time, ISO-8601 UTC with milliseconds. */
  readonly receivedAt: string;
}

export type Route =
  | { readonly ok: true; readonly source: string; readonly dataset: DatasetSpec; readonly rest: string }
  | { readonly ok: false; readonly reason: FileReason; readonly message: string; readonly source?: string };

/**
 * Routes an inbound key `<source>/<dataset>/<any path>`. `sources` undefined accepts any
 * well-formed source name and any dataset; otherwise the source must be listed and allowed to
 * write the dataset.
 */
export function routeKey(
  key: string,
  datasets: ReadonlyMap<string, DatasetSpec>,
  sources: SourceAllowlist | undefined,
): Route {
  const [source = '', dataset = '', ...restParts] = key.split('/');
  const rest = restParts.join('/');
  const validSource = SOURCE_NAME_PATTERN.test(source) ? source : undefined;
  if (restParts.length === 0 || dataset === '' || rest === '' || source === '') {
    return {
      ok: false,
      reason: FILE_REASONS.NO_DATASET_SEGMENT,
      message: `key ${JSON.stringify(key)} is not <source>/<dataset>/<file>`,
      source: validSource,
    };
  }
  if (validSource === undefined || (sources !== undefined && !sources.has(source))) {
    return { ok: false, reason: FILE_REASONS.UNKNOWN_SOURCE, message: `unknown source ${JSON.stringify(source)}` };
  }
  const spec = datasets.get(dataset);
  if (spec === undefined) {
    return {
      ok: false,
      reason: FILE_REASONS.UNKNOWN_DATASET,
      message: `unknown dataset ${JSON.stringify(dataset)}`,
      source,
    };
  }
  const allowed = sources?.get(source);
  if (allowed !== undefined && allowed !== '*' && !allowed.has(dataset)) {
    return {
      ok: false,
      reason: FILE_REASONS.DATASET_NOT_ALLOWED,
      message: `source ${JSON.stringify(source)} may not write dataset ${JSON.stringify(dataset)}`,
      source,
    };
  }
  return { ok: true, source, dataset: spec, rest };
}

/** Characters kept as they are in generated names; anything else becomes `_`. */
const unsafe = /[^A-Za-z0-9._-]+/g;

/**
 * The version tag of an object: its S3 version id when the bucket is versioned, else
 * `<eTag>-<sequencer>` (a re-upload of the same bytes is a new sequencer, hence a new version).
 */
export function versionTag(v: ObjectVersion): string {
  return (v.versionId ?? `${v.eTag}-${v.sequencer}`).replace(unsafe, '_');
}

/** Every key one object version produces. */
export interface ObjectNames {
  /** `YYYY-MM-DD` of receivedAt. */
  readonly date: string;
  readonly versionTag: string;
  /** Stage object key of output part `index` (0-based; parts after the first get a `.part-NNNN` suffix). */
  stageKey(index: number): string;
  /** Row rejects of the file (NDJSON). */
  readonly rejectsKey: string;
  /** File-level quarantine report (JSON). */
  readonly fileReportKey: string;
  /** Byte-for-byte copy of the original. */
  readonly archiveKey: string;
  /** The version's file manifest (stage bucket, one gzip JSON line; see contracts/file-manifest.ts). */
  readonly manifestKey: string;
}

/**
 * Deterministic names: a readable slug of the path plus a hash of the key and version tag, so a
 * repeated delivery of the same version overwrites the same objects and any other version (or
 * key) gets its own.
 *
 * Manifest layout: `manifests/<dataset>/<date>/<source>/<slug>-<hash>.manifest.json.gz` (same name
 * stem as the version's stage objects; `_unrouted` / `_unknown` as for quarantine).
 *
 * Archive layout (stable, used by the replay tool):
 * `<source>/<dataset>/dt=<date>/<versionTag>/<rest of the key after the dataset segment>`, or for
 * unroutable keys `_unrouted/dt=<date>/<versionTag>/<full original key>`.
 */
export function objectNames(v: ObjectVersion, route: Route): ObjectNames {
  const date = v.receivedAt.slice(0, 10);
  const tag = versionTag(v);
  const hash = createHash('sha256').update(`${v.key}\n${tag}`).digest('hex').slice(0, 16);
  const path = route.ok ? route.rest : v.key;
  const slug = path
    .replace(/\.(gz|gzip)$/i, '')
    .replace(unsafe, '_')
    .slice(-80)
    .replace(/^[._-]+/, '');
  const base = `${slug || 'object'}-${hash}`;
  const dataset = route.ok ? route.dataset.name : '_unrouted';
  const source = route.source ?? '_unknown';
  const stageDir = stageDirectory(dataset, date, source);
  const quarantineDir = quarantineDirectory(dataset, date, source);
  const manifestDir = manifestDirectory(dataset, date, source);
  return {
    date,
    versionTag: tag,
    stageKey: (index) =>
      `${stageDir}${base}${index === 0 ? '' : `.part-${String(index + 1).padStart(4, '0')}`}.ndjson.gz`,
    rejectsKey: `${quarantineDir}${base}.rejects.ndjson`,
    fileReportKey: `${quarantineDir}${base}.file.json`,
    archiveKey: route.ok
      ? routedArchiveKey(route.source, route.dataset.name, date, tag, route.rest)
      : unroutedArchiveKey(date, tag, v.key),
    manifestKey: `${manifestDir}${base}.manifest.json.gz`,
  };
}
