import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'stream';
import { ARCHIVE_METADATA } from '../../contracts/constants';
import { serverSideCopy, type CopyLimits } from '../shared/s3-copy';
import type { ObjectVersion } from './object-names';

/** HTTP status of an S3 SDK error, if any. */
export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * The object (version) does not exist: GetObject/CopyObject NoSuchKey, or NoSuchVersion when a
 * version id was named (S3 answers that for a version deleted with its id), HeadObject NotFound.
 * A missing bucket is not this.
 */
export function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound';
}

/** 412 / PreconditionFailed (an If-Match did not hold). */
export function isPreconditionFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'PreconditionFailed' || httpStatus(err) === 412;
}

/** `x-amz-copy-source`: bucket and URL-encoded key (slashes kept), plus the version. */
export function copySource(v: ObjectVersion): string {
  const key = v.key.split('/').map(encodeURIComponent).join('/');
  return `${v.bucket}/${key}${v.versionId ? `?versionId=${encodeURIComponent(v.versionId)}` : ''}`;
}

/** Metadata stored on every archive copy (S3 metadata is ASCII: the key is URL-encoded). */
export function archiveMetadata(v: ObjectVersion): Record<string, string> {
  return {
    [ARCHIVE_METADATA.originalKey]: encodeURIComponent(v.key),
    [ARCHIVE_METADATA.originalBucket]: v.bucket,
    [ARCHIVE_METADATA.originalVersionId]: v.versionId ?? 'null',
    [ARCHIVE_METADATA.originalETag]: v.eTag,
    [ARCHIVE_METADATA.sequencer]: v.sequencer,
    [ARCHIVE_METADATA.receivedAt]: v.receivedAt,
  };
}

/** True when the archive already holds this version (the crash-after-delete case). */
export async function archiveExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * The copy-source condition: `x-amz-copy-source-if-match` with the event's eTag when the source is
 * the key's current object (unversioned bucket), so an overwrite meanwhile is never archived under
 * this version's name. A source named by its version id is immutable: no condition (a missing
 * version answers NoSuchVersion).
 */
export function copySourceIfMatch(v: ObjectVersion): string | undefined {
  return v.versionId ? undefined : `"${v.eTag}"`;
}

/**
 * Byte-for-byte archive copy by streaming the object through the function (GetObject → multipart upload),
 * for when the server-side copy cannot resolve a source that exists: some S3-compatible servers decode
 * `x-amz-copy-source` with `decodeURI`, so a key with `+`, `=` or `&` is "NoSuchKey" to CopyObject.
 */
export async function archiveByStreaming(
  s3: S3Client,
  v: ObjectVersion,
  contentType: string | undefined,
  bucket: string,
  key: string,
): Promise<void> {
  const got = await s3.send(
    new GetObjectCommand({ Bucket: v.bucket, Key: v.key, VersionId: v.versionId, IfMatch: copySourceIfMatch(v) }),
  );
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: got.Body as Readable,
      Metadata: archiveMetadata(v),
      ContentType: contentType,
    },
    queueSize: 2,
    partSize: 16 * 1024 * 1024,
    leavePartsOnError: false,
  });
  await upload.done();
}

/**
 * Copies the object version byte for byte into the archive: the version the event names (by
 * version id, or by `x-amz-copy-source-if-match` on an unversioned bucket). Objects over 5 GiB go
 * by multipart UploadPartCopy.
 */
export async function archiveObject(
  s3: S3Client,
  v: ObjectVersion,
  size: number,
  contentType: string | undefined,
  bucket: string,
  key: string,
  limits: CopyLimits = {},
): Promise<void> {
  await serverSideCopy(
    s3,
    {
      copySource: copySource(v),
      copySourceIfMatch: copySourceIfMatch(v),
      size,
      target: { Bucket: bucket, Key: key, Metadata: archiveMetadata(v), ContentType: contentType },
    },
    limits,
  );
}
