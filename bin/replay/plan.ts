/**
 * Lists the archived originals of a dataset in a date range and decides, per file, what a replay
 * does with it. Reads only.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { parseArchiveKey, routedDatePrefix, startAfterFor, unroutedDatePrefix } from '../../contracts/archive-keys';

export interface ArchivedFile {
  readonly archiveKey: string;
  /** Where the replay copies it: the original inbound key. */
  readonly inboundKey: string;
  readonly source: string;
  /** The `dt=` date of the archive key. */
  readonly date: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
  /** Storage class from the listing (HeadObject refines it). */
  readonly storageClass: string;
  readonly unrouted: boolean;
}

export interface ReplayPlan {
  /** Files to replay: the newest archived version of each inbound key, sorted by date then key. */
  readonly files: readonly ArchivedFile[];
  /** Older archived versions of an inbound key that a newer archived version replaces. */
  readonly superseded: readonly ArchivedFile[];
  /** Keys under the dataset's prefixes that do not follow the archive layout (never copied). */
  readonly unrecognised: readonly string[];
}

export interface PlanRequest {
  readonly archiveBucket: string;
  readonly dataset: string;
  readonly sources: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Also replay `_unrouted/` originals whose key starts `<source>/<dataset>/`. @default false */
  readonly includeUnrouted?: boolean;
}

interface ListedObject {
  readonly Key?: string;
  readonly Size?: number;
  readonly ETag?: string;
  readonly LastModified?: Date;
  readonly StorageClass?: string;
}

/**
 * Objects under `<datePrefix><date>/…` for dates in [from, to], in key order. One paginated
 * listing per prefix starting at `from`; it stops at the first key past `to`.
 */
async function* listDateRange(
  s3: S3Client,
  bucket: string,
  datePrefix: string,
  from: string,
  to: string,
): AsyncGenerator<ListedObject> {
  // StartAfter is only sent with the first page; the paginator follows the continuation tokens.
  const pages = paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: datePrefix, StartAfter: startAfterFor(datePrefix, from) },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      const date = object.Key!.slice(datePrefix.length, datePrefix.length + 10);
      if (date > to) return;
      if (date >= from) yield object;
    }
  }
}

const toFile = (object: ListedObject, parsed: NonNullable<ReturnType<typeof parseArchiveKey>>): ArchivedFile => ({
  archiveKey: object.Key!,
  inboundKey: parsed.inboundKey,
  source: parsed.source,
  date: parsed.date,
  size: object.Size ?? 0,
  etag: object.ETag ?? '',
  lastModified: (object.LastModified ?? new Date(0)).toISOString(),
  storageClass: object.StorageClass ?? 'STANDARD',
  unrouted: parsed.unrouted,
});

/** Lists the archive and builds the plan. */
export async function planReplay(s3: S3Client, request: PlanRequest): Promise<ReplayPlan> {
  const candidates: ArchivedFile[] = [];
  const unrecognised: string[] = [];
  for (const source of request.sources) {
    const prefix = routedDatePrefix(source, request.dataset);
    for await (const object of listDateRange(s3, request.archiveBucket, prefix, request.from, request.to)) {
      const parsed = parseArchiveKey(object.Key!);
      if (parsed && parsed.source === source && parsed.dataset === request.dataset)
        candidates.push(toFile(object, parsed));
      else unrecognised.push(object.Key!);
    }
  }
  if (request.includeUnrouted) {
    const sources = new Set(request.sources);
    const prefix = unroutedDatePrefix();
    for await (const object of listDateRange(s3, request.archiveBucket, prefix, request.from, request.to)) {
      const parsed = parseArchiveKey(object.Key!);
      if (!parsed) unrecognised.push(object.Key!);
      else if (sources.has(parsed.source) && parsed.dataset === request.dataset)
        candidates.push(toFile(object, parsed));
    }
  }
  return { ...selectNewest(candidates), unrecognised: unrecognised.sort() };
}

/**
 * Keeps the newest archived version of each inbound key (by archive LastModified, then key).
 * Copying two versions to one inbound key would let the second overwrite the first before the
 * parser reads it (the first is then acknowledged as superseded), so only the newest is replayed.
 */
export function selectNewest(candidates: readonly ArchivedFile[]): Pick<ReplayPlan, 'files' | 'superseded'> {
  const newest = new Map<string, ArchivedFile>();
  const superseded: ArchivedFile[] = [];
  for (const file of candidates) {
    const current = newest.get(file.inboundKey);
    if (!current) {
      newest.set(file.inboundKey, file);
      continue;
    }
    const fileIsNewer =
      file.lastModified > current.lastModified ||
      (file.lastModified === current.lastModified && file.archiveKey > current.archiveKey);
    superseded.push(fileIsNewer ? current : file);
    if (fileIsNewer) newest.set(file.inboundKey, file);
  }
  const order = (a: ArchivedFile, b: ArchivedFile) =>
    a.date.localeCompare(b.date) || a.archiveKey.localeCompare(b.archiveKey);
  return { files: [...newest.values()].sort(order), superseded: superseded.sort(order) };
}
