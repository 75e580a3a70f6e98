import type { ObjectVersion } from './object-names';

/** Raised for an SQS message that is not an S3 notification (it goes to the DLQ after retries). */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface S3NotificationRecord {
  eventName?: string;
  eventTime?: string;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

/** What one SQS message asks for. */
export interface ParsedMessage {
  /** Object versions to process (ObjectCreated events only). */
  readonly objects: ObjectVersion[];
  /** Records skipped, with why (test events, folder markers, non-create events). */
  readonly skipped: string[];
}

/** Decodes a key as S3 writes it into notifications: URL-encoded UTF-8 with `+` for space. */
export function decodeEventKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch (err) {
    throw new InvalidMessageError(`object key ${JSON.stringify(key)} is not valid URL encoding`, { cause: err });
  }
}

/** Parses the body of one SQS message sent by an S3 event notification. */
export function parseS3Message(body: string): ParsedMessage {
  let parsed: { Event?: string; Records?: S3NotificationRecord[] };
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new InvalidMessageError('message body is not JSON', { cause: err });
  }
  if (parsed?.Event === 's3:TestEvent') return { objects: [], skipped: ['s3:TestEvent'] };
  if (!Array.isArray(parsed?.Records)) throw new InvalidMessageError('message body has no S3 Records');
  const objects: ObjectVersion[] = [];
  const skipped: string[] = [];
  for (const r of parsed.Records) {
    const o = r.s3?.object;
    const bucket = r.s3?.bucket?.name;
    if (!r.eventName?.startsWith('ObjectCreated:')) {
      skipped.push(`event ${r.eventName ?? '(none)'}`);
      continue;
    }
    if (!o?.key || !bucket || !r.eventTime) throw new InvalidMessageError('S3 record lacks bucket, key or eventTime');
    const key = decodeEventKey(o.key);
    const size = o.size ?? 0;
    if (size === 0 && key.endsWith('/')) {
      skipped.push(`folder marker ${key}`);
      continue;
    }
    const time = new Date(r.eventTime);
    if (Number.isNaN(time.getTime())) throw new InvalidMessageError(`invalid eventTime ${JSON.stringify(r.eventTime)}`);
    if (!o.eTag || !o.sequencer) throw new InvalidMessageError(`S3 record for ${key} lacks eTag or sequencer`);
    objects.push({
      bucket,
      key,
      size,
      eTag: o.eTag.replace(/"/g, ''),
      // "null" is the null version of an unversioned or versioning-suspended bucket: it is
      // overwritten in place like an unversioned object, so it is treated as one (eTag checks,
      // eTag-sequencer version tag) — never as a version id shared by every upload of the key.
      versionId: o.versionId && o.versionId !== 'null' ? o.versionId : undefined,
      sequencer: o.sequencer,
      receivedAt: time.toISOString(),
    });
  }
  return { objects, skipped };
}
