/**
 * Server-side S3 copy, the one implementation the parser's archive copy and the replay tool share:
 * one CopyObject up to 5 GiB (S3's CopyObject limit), multipart UploadPartCopy above, the multipart
 * upload aborted when a part or the completion fails. Every request carries the same copy-source
 * condition, so an object overwritten meanwhile is never copied in part.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';

/** Largest object a single CopyObject can copy (5 GiB). */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
/** Range of each UploadPartCopy above that: 10,000 parts × 1 GiB cover S3's 5 TiB object limit. */
export const COPY_PART_BYTES = 1024 ** 3;

export interface CopyLimits {
  /** Largest object copied with one CopyObject. @default MAX_SINGLE_COPY_BYTES (5 GiB) */
  readonly singleCopyMaxBytes?: number;
  /** Range of each UploadPartCopy above that. @default COPY_PART_BYTES (1 GiB) */
  readonly copyPartBytes?: number;
}

/** The destination object: where it goes, its (replaced) metadata and content headers. */
export interface CopyTarget {
  readonly Bucket: string;
  readonly Key: string;
  readonly Metadata: Record<string, string>;
  readonly ContentType?: string;
  readonly ContentEncoding?: string;
  readonly ContentDisposition?: string;
  readonly ContentLanguage?: string;
  readonly CacheControl?: string;
}

export interface ServerSideCopy {
  /** `x-amz-copy-source`: bucket and URL-encoded key (and `?versionId=` when a version is named). */
  readonly copySource: string;
  /** `x-amz-copy-source-if-match` (a quoted ETag), sent with every copy request; none when undefined. */
  readonly copySourceIfMatch?: string;
  /** Size of the source object in bytes: decides single copy or multipart, and the part ranges. */
  readonly size: number;
  readonly target: CopyTarget;
}

/** Copies `copy.copySource` to `copy.target` byte for byte on the S3 side. */
export async function serverSideCopy(s3: S3Client, copy: ServerSideCopy, limits: CopyLimits = {}): Promise<void> {
  const { Bucket, Key } = copy.target;
  const condition = { CopySource: copy.copySource, CopySourceIfMatch: copy.copySourceIfMatch };
  if (copy.size <= (limits.singleCopyMaxBytes ?? MAX_SINGLE_COPY_BYTES)) {
    await s3.send(new CopyObjectCommand({ ...copy.target, ...condition, MetadataDirective: 'REPLACE' }));
    return;
  }
  const partBytes = limits.copyPartBytes ?? COPY_PART_BYTES;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand(copy.target));
  try {
    const parts: CompletedPart[] = [];
    for (let start = 0, n = 1; start < copy.size; start += partBytes, n++) {
      const end = Math.min(copy.size, start + partBytes) - 1;
      const out = await s3.send(
        new UploadPartCopyCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber: n,
          ...condition,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      parts.push({ PartNumber: n, ETag: out.CopyPartResult?.ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    throw error;
  }
}
