/**
 * Copies one archived object into the inbound bucket, only if it is still the object that was
 * listed (`x-amz-copy-source-if-match`): one CopyObject up to 5 GiB, multipart UploadPartCopy
 * above (S3's CopyObject limit), by the server-side copy the parser's archive copy also uses.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { serverSideCopy, type CopyLimits } from '../../lambda/shared/s3-copy';

export type { CopyLimits } from '../../lambda/shared/s3-copy';

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

/** `CopySource` value: bucket and URI-encoded key (slashes kept). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
}

export async function copyObject(s3: S3Client, r: CopyRequest, limits: CopyLimits = {}): Promise<void> {
  await serverSideCopy(
    s3,
    {
      copySource: copySource(r.sourceBucket, r.sourceKey),
      copySourceIfMatch: r.sourceETag,
      size: r.size,
      target: { Bucket: r.bucket, Key: r.key, Metadata: r.metadata, ...r.headers },
    },
    limits,
  );
}
