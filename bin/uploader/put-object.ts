/**
 * One file, one request: PutObject with the file's SHA-256 as an S3 additional checksum (S3 recomputes it and
 * refuses the object on a mismatch) and `If-None-Match: *` (S3 refuses to overwrite an existing key).
 */
import { promises as fs } from 'fs';
import { join } from 'path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ENTRY_FILES } from './defaults';
import { withRetry, type RetryOptions } from './retry';
import { isPreconditionFailed } from './s3-errors';
import type { SpoolEntry } from './spool';

export interface UploadContext {
  readonly client: S3Client;
  readonly bucket: string;
  readonly partSizeBytes: number;
  readonly partConcurrency: number;
  readonly retry: RetryOptions;
}

export interface UploadResult {
  /** uploaded: this run wrote the object; already-present: S3 already held these bytes at this key. */
  readonly outcome: 'uploaded' | 'already-present';
  readonly bucket: string;
  readonly key: string;
  readonly eTag?: string;
  /** S3's checksum of the object (`<base64>` for one request, `<base64>-<parts>` for multipart). */
  readonly checksumSHA256?: string;
  readonly parts?: number;
}

/** `ab12…` (hex) → base64, the form of `x-amz-checksum-sha256`. */
export const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export async function putWhole(ctx: UploadContext, entry: SpoolEntry): Promise<UploadResult> {
  const body = await fs.readFile(join(entry.dir, ENTRY_FILES.data));
  const { key, sha256 } = entry.meta;
  try {
    const out = await withRetry(
      () =>
        ctx.client.send(
          new PutObjectCommand({
            Bucket: ctx.bucket,
            Key: key,
            Body: body,
            ContentLength: body.length,
            ChecksumSHA256: hexToBase64(sha256),
            IfNoneMatch: '*',
          }),
        ),
      ctx.retry,
    );
    return { outcome: 'uploaded', bucket: ctx.bucket, key, eTag: out.ETag, checksumSHA256: out.ChecksumSHA256 };
  } catch (err) {
    if (isPreconditionFailed(err)) return { outcome: 'already-present', bucket: ctx.bucket, key };
    throw err;
  }
}
