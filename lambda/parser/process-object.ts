import type { Readable } from 'stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { effectiveLimits } from '../../contracts/config';
import type { DatasetSpec } from '../../contracts/config';
import { archiveByStreaming, archiveExists, archiveObject, isNotFound, isPreconditionFailed } from './archive';
import type { ParserConfig } from './config';
import { FileRejectedError } from './errors';
import type { FileReason } from './errors';
import { createParser, resolveFormat } from './formats';
import type { InputFormat, TextParser } from './formats';
import { decodeInput, decodeInputBytes } from './input-stream';
import type { InputProgress } from './input-stream';
import { objectNames, routeKey } from './object-names';
import type { ObjectNames, ObjectVersion, Route } from './object-names';
import { buildManifest, SUPERSEDED_REASON, writeManifest } from './manifest';
import type { ManifestFacts } from './manifest';
import { trackFile } from './progress';
import { LineBatcher } from './record-sink';
import { ReplayMarkerIgnored, replayedVersion } from './replay-identity';
import { fileDrift, NestedKeys } from './schema-drift';
import { StageOutput } from './stage-output';
import type { FileDrift } from '../../contracts/file-manifest';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/** What happened to one object version. */
export interface ObjectOutcome {
  /**
   * staged: parsed (good rows staged, bad rows quarantined), archived, removed.
   * quarantined: whole file quarantined (unroutable or unreadable), archived, removed.
   * superseded: the key now holds another object (eTag mismatch; unversioned bucket only); its own event processes it.
   * missing: the object is gone and not archived (logged, acknowledged).
   * already-done: the object is gone and the archive holds it (a retry after the delete).
   */
  readonly status: 'staged' | 'quarantined' | 'superseded' | 'missing' | 'already-done';
  readonly reason?: FileReason;
  readonly message?: string;
  readonly format?: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rowsRejected: number;
  readonly bytesIn: number;
  readonly stageKeys: string[];
  readonly archiveKey: string;
  /** Quarantine objects written for this version (row rejects and/or the file report). */
  readonly quarantineKeys?: readonly string[];
  /** Schema drift of a staged file (null: not compared). */
  readonly drift?: FileDrift | null;
  /** The version's file manifest (absent for missing / already-done). */
  readonly manifestKey?: string;
  /** Set when the object is a replayed original processed as that version (its original event time). */
  readonly replayOf?: string;
  /** Set when a `replayed-from` marker was present but not honoured, with why. */
  readonly replayMarkerIgnored?: string;
}

export interface ProcessDeps {
  readonly s3: S3Client;
  readonly config: ParserConfig;
}

const empty = { rowsIn: 0, rowsOut: 0, rowsRejected: 0, bytesIn: 0, stageKeys: [] as string[] };

/**
 * Processes one received object version. Order of effects: stage outputs and quarantine entries
 * → byte-identical archive copy → delete from inbound, so a crash anywhere followed by a retry
 * converges (every output name is deterministic and every write an overwrite).
 * Throws only for failures worth retrying (S3 errors, throttling).
 */
export async function processObject(deps: ProcessDeps, v: ObjectVersion): Promise<ObjectOutcome> {
  const { s3, config } = deps;
  const route = routeKey(v.key, config.datasets, config.sources);
  const names = objectNames(v, route);
  // Exactly the version the event names: by its version id on a versioned bucket (a version never
  // changes, so there is nothing to compare), else the key's current object only while its eTag is
  // the event's (If-Match). Only the latter can be superseded.
  const ifMatch = v.versionId ? undefined : `"${v.eTag}"`;
  const wasSuperseded = (err: unknown) => ifMatch !== undefined && isPreconditionFailed(err);
  const isDone = () => archiveExists(s3, config.archiveBucket, names.archiveKey);
  const gone = async (): Promise<ObjectOutcome> => {
    const done = await isDone();
    return { ...empty, status: done ? 'already-done' : 'missing', archiveKey: names.archiveKey };
  };
  const superseded = async (): Promise<ObjectOutcome> => {
    await writeManifest(
      s3,
      config.stageBucket,
      names.manifestKey,
      buildManifest(v, { ...manifestBase(route), status: 'superseded', reason: SUPERSEDED_REASON }),
    );
    return {
      ...empty,
      status: 'superseded',
      archiveKey: names.archiveKey,
      manifestKey: names.manifestKey,
    };
  };

  // Read (or, for an unroutable key, check) exactly that version.
  let size: number;
  let contentType: string | undefined;
  let body: Readable | undefined;
  let metadata: Record<string, string> | undefined;
  try {
    const request = { Bucket: v.bucket, Key: v.key, VersionId: v.versionId, IfMatch: ifMatch };
    const got = route.ok ? await s3.send(new GetObjectCommand(request)) : await s3.send(new HeadObjectCommand(request));
    size = got.ContentLength ?? v.size;
    contentType = got.ContentType;
    body = 'Body' in got ? (got.Body as Readable) : undefined;
    metadata = got.Metadata;
    // A server that ignores If-Match (some S3-compatible ones do) still tells which object it served.
    if (ifMatch !== undefined && v.eTag && got.ETag && unquote(got.ETag) !== v.eTag) {
      body?.destroy();
      return superseded();
    }
  } catch (err) {
    if (isNotFound(err)) return gone();
    if (wasSuperseded(err)) return superseded();
    throw err;
  }

  // A replayed original is processed as the version it was (its event time, names and bytes).
  let replay;
  try {
    replay = await replayedVersion(s3, config.archiveBucket, v, size, metadata);
  } catch (err) {
    body?.destroy();
    throw err;
  }
  const replayed = replay instanceof ReplayMarkerIgnored ? undefined : replay;
  const id = replayed?.version ?? v;
  const out = replayed ? objectNames(id, route) : names;
  const replayInfo = {
    replayOf: replayed?.archiveKey,
    replayMarkerIgnored: replay instanceof ReplayMarkerIgnored ? replay.message : undefined,
  };

  let outcome: ObjectOutcome;
  if (route.ok) {
    outcome = { ...(await stageObject(deps, id, route.source, route.dataset, out, body!, size)), ...replayInfo };
  } else {
    await writeFileReport(deps, id, out, route.reason, route.message, undefined);
    outcome = {
      ...empty,
      status: 'quarantined',
      reason: route.reason,
      message: route.message,
      archiveKey: out.archiveKey,
      quarantineKeys: [out.fileReportKey],
      ...replayInfo,
    };
  }
  // The manifest is the last output before the archive copy: a crash before it leaves no manifest
  // and the retry writes it; a retry after it writes the same bytes.
  await writeManifest(s3, config.stageBucket, out.manifestKey, manifestOf(id, route, outcome));
  outcome = { ...outcome, manifestKey: out.manifestKey };

  try {
    // A replayed original is already in the archive under this very key: no second copy.
    if (replayed?.archiveKey !== out.archiveKey) {
      await archiveObject(s3, v, size, contentType, config.archiveBucket, out.archiveKey);
    }
  } catch (err) {
    // Deleted between the read and the copy: by a concurrent delivery of the same event that
    // finished first (the archive holds it), or by someone else. Overwritten (unversioned bucket
    // only): what was read stays staged, but these bytes can no longer be archived (the newer
    // version is processed by its own event).
    const lost = 'while it was processed: its rows are staged, its original could not be archived';
    if (wasSuperseded(err)) return { ...outcome, status: 'superseded', message: `the key was overwritten ${lost}` };
    if (!isNotFound(err)) throw err;
    if (await isDone()) return { ...outcome, status: 'already-done' };
    if (!(await sourceStillThere(s3, v, ifMatch))) {
      return { ...outcome, status: 'missing', message: `the object was deleted ${lost}` };
    }
    // The server-side copy could not resolve a source that exists: copy the bytes through the function.
    await archiveByStreaming(s3, v, contentType, config.archiveBucket, out.archiveKey);
  }
  try {
    // By version id (removes exactly that version, never another; no delete marker), else only while
    // the key still holds this eTag: a newer upload made meanwhile is never deleted (its own event
    // processes it).
    await s3.send(new DeleteObjectCommand({ Bucket: v.bucket, Key: v.key, VersionId: v.versionId, IfMatch: ifMatch }));
  } catch (err) {
    if (!isNotFound(err) && !wasSuperseded(err)) throw err;
  }
  return outcome;
}

/** The version (or, unversioned, the key while it holds the event's eTag) still exists. */
async function sourceStillThere(s3: S3Client, v: ObjectVersion, ifMatch: string | undefined): Promise<boolean> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: v.bucket, Key: v.key, VersionId: v.versionId, IfMatch: ifMatch }),
    );
    return ifMatch === undefined || !v.eTag || !head.ETag || unquote(head.ETag) === v.eTag;
  } catch (err) {
    if (isNotFound(err) || isPreconditionFailed(err)) return false;
    throw err;
  }
}

const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');

function manifestBase(route: Route): Omit<ManifestFacts, 'status'> {
  return {
    source: route.source,
    dataset: route.ok ? route.dataset.name : undefined,
    rowsIn: 0,
    rowsStaged: 0,
    rowsQuarantined: 0,
    stageObjects: [],
    quarantineObjects: [],
    drift: null,
  };
}

/** The manifest of a staged or quarantined version (`id`: its identity, the original's for a replay). */
function manifestOf(id: ObjectVersion, route: Route, o: ObjectOutcome) {
  return buildManifest(id, {
    ...manifestBase(route),
    status: o.status === 'staged' ? 'staged' : 'quarantined',
    reason: o.reason,
    rowsIn: o.rowsIn,
    rowsStaged: o.rowsOut,
    rowsQuarantined: o.rowsRejected,
    stageObjects: o.stageKeys,
    quarantineObjects: o.quarantineKeys ?? [],
    drift: o.drift ?? null,
  });
}

/** Parses the body into stage objects and a rejects object, committed only once the whole input was read. */
async function stageObject(
  deps: ProcessDeps,
  v: ObjectVersion,
  source: string,
  dataset: DatasetSpec,
  names: ObjectNames,
  body: Readable,
  size: number,
): Promise<ObjectOutcome> {
  const { s3, config } = deps;
  const limits = effectiveLimits(dataset);
  const batcher = new LineBatcher({
    source,
    sourceKey: v.key,
    receivedAt: v.receivedAt,
    bucket: v.bucket,
    versionId: v.versionId,
    eTag: v.eTag,
  });
  const stage = new StageOutput({
    s3,
    bucket: config.stageBucket,
    keyFor: names.stageKey,
    contentType: NDJSON_CONTENT_TYPE,
    gzipLevel: config.gzipLevel,
    splitBytes: limits.outputPartBytes,
  });
  const rejects = new StageOutput({
    s3,
    bucket: config.quarantineBucket,
    keyFor: () => names.rejectsKey,
    contentType: NDJSON_CONTENT_TYPE,
    splitBytes: Number.POSITIVE_INFINITY,
  });
  const progress: InputProgress = { bytesIn: 0, bytesDecoded: 0, compressed: false };
  const drain = async () => {
    while (batcher.stageBatches.length > 0) await stage.write(batcher.stageBatches.shift()!);
    while (batcher.rejectBatches.length > 0) await rejects.write(batcher.rejectBatches.shift()!);
  };
  const untrack = trackFile({
    key: v.key,
    size,
    startedAt: Date.now(),
    bytesIn: () => progress.bytesIn,
    rows: () => batcher.rows,
  });
  let format: string | undefined;
  const keys = new Set<string>();
  // Names along nested column paths (JSON/NDJSON only: CSV/TSV headers are flat).
  const nested = NestedKeys.forColumns(dataset.columns);
  let parser: TextParser | undefined;
  try {
    let sample = '';
    const inputLimits = { ...limits, expectedBytes: size };
    // A configured NDJSON/CSV/TSV format is read as validated UTF-8 bytes (records are not decoded to
    // text and encoded back); see pushBytes. `auto` and JSON read text.
    const input =
      dataset.format === 'ndjson' || dataset.format === 'csv' || dataset.format === 'tsv'
        ? decodeInputBytes(body, inputLimits, progress)
        : decodeInput(body, inputLimits, progress);
    for await (const text of input) {
      if (typeof text !== 'string') {
        const configured = dataset.format as InputFormat;
        format = configured;
        parser ??= createParser(configured, dataset, batcher, keys, nested);
        parser.pushBytes!(text);
        await drain();
        continue;
      }
      if (parser === undefined) {
        sample += text;
        const resolved = resolveFormat(dataset, sample, false);
        if (resolved === undefined) continue;
        format = resolved;
        parser = createParser(resolved, dataset, batcher, keys, nested);
        parser.push(sample);
        sample = '';
      } else {
        parser.push(text);
      }
      await drain();
    }
    if (parser === undefined && sample.length > 0) {
      const resolved = resolveFormat(dataset, sample, true) ?? 'csv';
      format = resolved;
      parser = createParser(resolved, dataset, batcher, keys, nested);
      parser.push(sample);
    }
    parser?.end();
    batcher.finish();
    await drain();
    await stage.finish();
    await rejects.finish();
  } catch (err) {
    untrack();
    body.destroy();
    await Promise.all([stage.abort(), rejects.abort()]);
    if (!(err instanceof FileRejectedError)) throw err;
    await writeFileReport(deps, v, names, err.reason, err.message, format);
    return {
      ...empty,
      status: 'quarantined',
      reason: err.reason,
      message: err.message,
      format,
      // Records read before the error (none is staged: the whole file is in its report).
      rowsIn: batcher.rows,
      bytesIn: progress.bytesIn,
      archiveKey: names.archiveKey,
      quarantineKeys: [names.fileReportKey],
    };
  }
  untrack();
  const stageKeys = await stage.commit();
  const rejectKeys = await rejects.commit();
  for (const name of parser?.fieldNames ?? []) keys.add(name);
  const observed = keys.size > 0 || batcher.rows > 0;
  return {
    status: 'staged',
    format,
    rowsIn: batcher.rows,
    rowsOut: batcher.rowsOut,
    rowsRejected: batcher.rowsRejected,
    bytesIn: progress.bytesIn,
    stageKeys,
    archiveKey: names.archiveKey,
    quarantineKeys: rejectKeys,
    drift: observed
      ? fileDrift(dataset.columns, keys, format === 'json' || format === 'ndjson' ? nested : undefined, {
          ignoreCase: dataset.pathMatch === 'case-insensitive',
        })
      : null,
  };
}

/** Writes the machine-readable report of a file-level reject (deterministic key: a retry overwrites it). */
async function writeFileReport(
  deps: ProcessDeps,
  v: ObjectVersion,
  names: ObjectNames,
  reason: FileReason,
  message: string,
  format: string | undefined,
): Promise<void> {
  const report = {
    reason,
    message: `${v.key}: ${message}`,
    source_bucket: v.bucket,
    source_key: v.key,
    source_version_id: v.versionId ?? null,
    source_etag: v.eTag,
    sequencer: v.sequencer,
    received_at: v.receivedAt,
    format: format ?? null,
    archive_bucket: deps.config.archiveBucket,
    archive_key: names.archiveKey,
  };
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.config.quarantineBucket,
      Key: names.fileReportKey,
      Body: JSON.stringify(report, null, 2) + '\n',
      ContentType: 'application/json',
    }),
  );
}
