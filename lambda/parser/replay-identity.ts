/**
 * A replayed original is processed as the version it was: the replay tool copies an archived
 * original back into inbound with `replayed-from: <archive key>` metadata, and the parser takes the
 * version's identity (event time, eTag, sequencer, version id) from that archive object's metadata —
 * never from the inbound object's own metadata, so an uploader cannot forge an event time. Same
 * identity → same stage object names and bytes (Snowpipe's load history skips them), same rejects,
 * same manifest, and the archive already holds the original (no second copy).
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ARCHIVE_METADATA, REPLAYED_FROM_METADATA } from '../../contracts/constants';
import { isNotFound } from './archive';
import type { ObjectVersion } from './object-names';

export interface ReplayedVersion {
  /** The original version's identity (bucket and key are the inbound ones). */
  readonly version: ObjectVersion;
  /** The archive object the copy came from (it exists and holds these bytes). */
  readonly archiveKey: string;
}

/** Why a `replayed-from` marker was not honoured (the object is then processed as a new upload). */
export class ReplayMarkerIgnored {
  constructor(readonly message: string) {}
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The original identity of `v` when it is a replayed copy (its metadata names an archive object
 * of the same key and size with complete archive metadata); undefined for an ordinary upload;
 * {@link ReplayMarkerIgnored} when the marker is there but does not check out.
 */
export async function replayedVersion(
  s3: S3Client,
  archiveBucket: string,
  v: ObjectVersion,
  size: number,
  metadata: Readonly<Record<string, string>> | undefined,
): Promise<ReplayedVersion | ReplayMarkerIgnored | undefined> {
  const marker = metadata?.[REPLAYED_FROM_METADATA];
  if (marker === undefined) return undefined;
  let archiveKey: string;
  try {
    archiveKey = decodeURIComponent(marker);
  } catch {
    return new ReplayMarkerIgnored(`${REPLAYED_FROM_METADATA} ${JSON.stringify(marker)} is not URI-encoded`);
  }
  let head;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: archiveBucket, Key: archiveKey }));
  } catch (err) {
    if (isNotFound(err)) return new ReplayMarkerIgnored(`archive object ${archiveKey} does not exist`);
    throw err;
  }
  const m = head.Metadata ?? {};
  const get = (name: string) => m[name];
  let originalKey: string | undefined;
  try {
    originalKey = get(ARCHIVE_METADATA.originalKey) && decodeURIComponent(get(ARCHIVE_METADATA.originalKey));
  } catch {
    originalKey = undefined;
  }
  const receivedAt = get(ARCHIVE_METADATA.receivedAt);
  const eTag = get(ARCHIVE_METADATA.originalETag);
  const sequencer = get(ARCHIVE_METADATA.sequencer);
  const versionId = get(ARCHIVE_METADATA.originalVersionId);
  if (originalKey !== v.key) {
    return new ReplayMarkerIgnored(`archive object ${archiveKey} is the original of ${JSON.stringify(originalKey)}`);
  }
  if (head.ContentLength !== undefined && head.ContentLength !== size) {
    return new ReplayMarkerIgnored(`archive object ${archiveKey} has ${head.ContentLength} bytes, the copy ${size}`);
  }
  if (!receivedAt || !ISO_UTC.test(receivedAt) || !eTag || !sequencer || !versionId) {
    return new ReplayMarkerIgnored(`archive object ${archiveKey} lacks the original's identity metadata`);
  }
  return {
    archiveKey,
    version: {
      bucket: v.bucket,
      key: v.key,
      size,
      eTag,
      versionId: versionId === 'null' ? undefined : versionId,
      sequencer,
      receivedAt,
    },
  };
}
