/**
 * Copies one archived object into the inbound bucket, only if it is still the object that was
 * listed (`x-amz-copy-source-if-match`): one CopyObject up to 5 GiB, multipart UploadPartCopy
 * above (S3's CopyObject limit).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Largest object a single CopyObject can copy (5 GiB). */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
/** Range of each UploadPartCopy above that: 10,000 parts × 1 GiB cover S3's 5 TiB object limit. */
export const COPY_PART_BYTES = 1024 ** 3;

export interface CopyRequest {
  readonly sourceBucket: string;
  readonly sourceKey: string;
  /** ETag the source must still have (quoted, as S3 returns it). */
  readonly sourceETag: string;
  readonly size: number;
  readonly bucket: string;
  readonly key: string;
  readonly metadata: Record<string, string>;
  /** Content headers carried over from the source. */
  readonly headers: {
    readonly ContentType?: string;
    readonly ContentEncoding?: string;
    readonly ContentDisposition?: string;
    readonly ContentLanguage?: string;
    readonly CacheControl?: string;
  };
}

export interface CopyLimits {
  /** @default MAX_SINGLE_COPY_BYTES */
  readonly singleCopyMaxBytes?: number;
  /** @default COPY_PART_BYTES */
  readonly copyPartBytes?: number;
}

/** `CopySource` value: bucket and URI-encoded key (slashes kept). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}

export async function copyObject(s3: S3Client, r: CopyRequest, limits: CopyLimits = {}): Promise<void> {
  const source = copySource(r.sourceBucket, r.sourceKey);
  const target = { Bucket: r.bucket, Key: r.key, Metadata: r.metadata, ...r.headers };
  if (r.size <= (limits.singleCopyMaxBytes ?? MAX_SINGLE_COPY_BYTES)) {
    await s3.send(
      new CopyObjectCommand({
        ...target,
        CopySource: source,
        CopySourceIfMatch: r.sourceETag,
        MetadataDirective: 'REPLACE',
      }),
    );
    return;
  }
  const partBytes = limits.copyPartBytes ?? COPY_PART_BYTES;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand(target));
  try {
    const parts: CompletedPart[] = [];
    for (let start = 0, n = 1; start < r.size; start += partBytes, n++) {
      const out = await s3.send(
        new UploadPartCopyCommand({
          Bucket: r.bucket,
          Key: r.key,
          UploadId,
          PartNumber: n,
          CopySource: source,
          CopySourceIfMatch: r.sourceETag,
          CopySourceRange: `bytes=${start}-${Math.min(r.size, start + partBytes) - 1}`,
        }),
      );
      parts.push({ PartNumber: n, ETag: out.CopyPartResult?.ETag });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: r.bucket,
        Key: r.key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: r.bucket, Key: r.key, UploadId })).catch(() => undefined);
    throw error;
  }
}
