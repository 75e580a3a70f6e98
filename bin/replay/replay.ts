/**
 * Executes a replay plan: for each archived original, checks that it can be copied (storage
 * class, restore state, nothing pending under its inbound key) and copies it back into the inbound
 * bucket, with bounded concurrency. Never throws for one file: every file ends in the report.
 */
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { copyObject, type CopyLimits } from './copy';
import { REPLAYED_FROM_METADATA } from '../../contracts/constants';
import type { ArchivedFile, ReplayPlan } from './plan';

/** Metadata key set on every replayed inbound object: the (URI-encoded) archive key it came from. */
export { REPLAYED_FROM_METADATA };

export type ItemStatus = 'copied' | 'would-copy' | 'skipped' | 'failed';

/** Why a file was skipped or failed. Stable codes: operators and scripts match on them. */
export type ItemReason =
  /** A newer archived version of the same inbound key is replayed instead. */
  | 'superseded-version'
  /** Glacier Flexible Retrieval / Deep Archive (or an Intelligent-Tiering archive tier) without a restored copy. */
  | 'needs-restore'
  /** A restore was requested and is still running. */
  | 'restore-in-progress'
  /** The same bytes already wait in inbound (an earlier replay the parser has not processed yet). */
  | 'already-pending'
  /** A different object waits under the inbound key (a producer upload): copying would supersede it. */
  | 'inbound-busy'
  /** A key under the dataset's archive prefix that does not follow the archive layout. */
  | 'unrecognised-key'
  /** The archive object disappeared between listing and copy. */
  | 'not-found'
  /** The archive object changed between listing and copy (its ETag no longer matches). */
  | 'changed-during-replay'
  /** Any other error (permissions, throttling after retries…); `error` holds the message. */
  | 'error';

export interface ReplayItem {
  readonly archiveKey: string;
  readonly inboundKey?: string;
  readonly source?: string;
  readonly date?: string;
  readonly size?: number;
  readonly storageClass?: string;
  readonly status: ItemStatus;
  readonly reason?: ItemReason;
  readonly error?: string;
}

/** Whether an archived object can be read now, from its HeadObject response. */
export function archiveAccess(
  head: Pick<HeadObjectCommandOutput, 'StorageClass' | 'Restore' | 'ArchiveStatus'>,
): 'available' | 'needs-restore' | 'restore-in-progress' {
  const archived =
    head.StorageClass === 'GLACIER' ||
    head.StorageClass === 'DEEP_ARCHIVE' ||
    head.ArchiveStatus === 'ARCHIVE_ACCESS' ||
    head.ArchiveStatus === 'DEEP_ARCHIVE_ACCESS';
  if (!archived) return 'available';
  if (/ongoing-request="true"/.test(head.Restore ?? '')) return 'restore-in-progress';
  if (/ongoing-request="false"/.test(head.Restore ?? '')) return 'available';
  return 'needs-restore';
}

/** S3 user metadata is limited to 2 KB: a very long archive key is left out rather than cut. */
function replayMetadata(archiveKey: string): Record<string, string> {
  const encoded = encodeURIComponent(archiveKey);
  return encoded.length <= 1900 ? { [REPLAYED_FROM_METADATA]: encoded } : {};
}

const errorName = (err: unknown) => (err as { name?: string }).name ?? '';
const httpStatus = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isNotFound = (err: unknown) => ['NotFound', 'NoSuchKey'].includes(errorName(err)) || httpStatus(err) === 404;

async function headOrUndefined(s3: S3Client, bucket: string, key: string) {
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export interface ExecuteOptions {
  readonly archiveBucket: string;
  readonly inboundBucket: string;
  readonly dryRun: boolean;
  readonly concurrency: number;
  /** Single-copy and part sizes (tests lower them). @default 5 GiB single copies, 1 GiB parts */
  readonly copyLimits?: CopyLimits;
  /** Called once per finished file, in completion order. */
  readonly onItem?: (item: ReplayItem, done: number, total: number) => void;
}

async function replayOne(s3: S3Client, file: ArchivedFile, options: ExecuteOptions): Promise<ReplayItem> {
  const base = {
    archiveKey: file.archiveKey,
    inboundKey: file.inboundKey,
    source: file.source,
    date: file.date,
    size: file.size,
    storageClass: file.storageClass,
  };
  try {
    const head = await headOrUndefined(s3, options.archiveBucket, file.archiveKey);
    if (!head) return { ...base, status: 'failed', reason: 'not-found' };
    const storageClass = head.StorageClass ?? file.storageClass;
    const withClass = { ...base, storageClass };
    const access = archiveAccess({ ...head, StorageClass: storageClass as HeadObjectCommandOutput['StorageClass'] });
    if (access !== 'available') return { ...withClass, status: 'skipped', reason: access };
    const pending = await headOrUndefined(s3, options.inboundBucket, file.inboundKey);
    if (pending) {
      // Ours if it carries our replay marker (SSE-KMS ETags of two copies of the same bytes differ) or the same ETag.
      const ours =
        pending.Metadata?.[REPLAYED_FROM_METADATA] === encodeURIComponent(file.archiveKey) ||
        (pending.ETag !== undefined && pending.ETag === (head.ETag ?? file.etag));
      return { ...withClass, status: 'skipped', reason: ours ? 'already-pending' : 'inbound-busy' };
    }
    if (options.dryRun) return { ...withClass, status: 'would-copy' };
    await copyObject(
      s3,
      {
        sourceBucket: options.archiveBucket,
        sourceKey: file.archiveKey,
        sourceETag: head.ETag ?? file.etag,
        size: head.ContentLength ?? file.size,
        bucket: options.inboundBucket,
        key: file.inboundKey,
        metadata: replayMetadata(file.archiveKey),
        headers: {
          ContentType: head.ContentType,
          ContentEncoding: head.ContentEncoding,
          ContentDisposition: head.ContentDisposition,
          ContentLanguage: head.ContentLanguage,
          CacheControl: head.CacheControl,
        },
      },
      options.copyLimits,
    );
    return { ...withClass, status: 'copied' };
  } catch (err) {
    if (errorName(err) === 'PreconditionFailed' || httpStatus(err) === 412) {
      return { ...base, status: 'failed', reason: 'changed-during-replay' };
    }
    if (isNotFound(err)) return { ...base, status: 'failed', reason: 'not-found' };
    return {
      ...base,
      status: 'failed',
      reason: 'error',
      error: `${errorName(err) || 'Error'}: ${(err as Error).message}`,
    };
  }
}

/** Runs the plan; the result lists the plan's superseded and unrecognised keys first, then every file. */
export async function executePlan(s3: S3Client, plan: ReplayPlan, options: ExecuteOptions): Promise<ReplayItem[]> {
  const fixed: ReplayItem[] = [
    ...plan.superseded.map((f): ReplayItem => ({
      archiveKey: f.archiveKey,
      inboundKey: f.inboundKey,
      source: f.source,
      date: f.date,
      size: f.size,
      storageClass: f.storageClass,
      status: 'skipped',
      reason: 'superseded-version',
    })),
    ...plan.unrecognised.map((k): ReplayItem => ({ archiveKey: k, status: 'skipped', reason: 'unrecognised-key' })),
  ];
  const total = fixed.length + plan.files.length;
  let done = 0;
  for (const item of fixed) options.onItem?.(item, ++done, total);

  const results: ReplayItem[] = new Array(plan.files.length);
  let next = 0;
  const worker = async () => {
    while (next < plan.files.length) {
      const index = next++;
      results[index] = await replayOne(s3, plan.files[index], options);
      options.onItem?.(results[index], ++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, plan.files.length) }, worker));
  return [...fixed, ...results];
}
