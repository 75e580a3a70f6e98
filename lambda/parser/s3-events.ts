/**
 * The body of one SQS message sent by an S3 event notification, validated with Powertools' S3 event
 * schemas (`@aws-lambda-powertools/parser/schemas/s3`, the record shape AWS documents in "Event message
 * structure"), narrowed to what the pipeline reads and tightened where an ObjectCreated record must carry
 * a field that Powertools leaves optional (it also covers delete events).
 */
import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { z } from 'zod';
import { echo, formatPath } from '../../contracts/config';
import type { ObjectVersion } from './object-names';

/** Raised for an SQS message that is not an S3 notification (it goes to the DLQ after retries). */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What one SQS message asks for. */
export interface ParsedMessage {
  /** Object versions to process (ObjectCreated events only). */
  readonly objects: ObjectVersion[];
  /** Records skipped, with why (test events, folder markers, non-create events). */
  readonly skipped: string[];
}

/** Powertools' schema of one S3 notification record, and of its `s3` entity. */
const S3RecordSchema = S3Schema.shape.Records.element;
const S3EntitySchema = S3RecordSchema.shape.s3.shape;

/** The message S3 sends once when a notification configuration is saved (no Records). */
const S3TestEventSchema = z.object({ Event: z.literal('s3:TestEvent') });

/**
 * Every record's event name decides whether it is processed or skipped. The other documented fields
 * (requestParameters, userIdentity, …) are not read, so they are not required: Powertools types
 * `sourceIPAddress` as IPv4 only, while S3 also reports IPv6 clients.
 */
const S3NotificationSchema = z.object({
  Records: z.array(S3RecordSchema.pick({ eventName: true })).min(1),
});

/** An ObjectCreated record: every field the pipeline needs is required (eventTime is ISO-8601 UTC). */
const ObjectCreatedRecordSchema = S3RecordSchema.pick({ eventName: true, eventTime: true }).extend({
  s3: z.object({
    bucket: S3EntitySchema.bucket.pick({ name: true }).extend({ name: z.string().min(1) }),
    object: S3EntitySchema.object.extend({
      key: z.string().min(1),
      size: z.number().int().nonnegative(),
      eTag: z.string().min(1),
      sequencer: z.string().min(1),
    }),
  }),
});

/** Zod issues as one line: `Records[0].s3.object.size: <rule> (got "12")` or `(missing)`. */
function describeIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  return error.issues
    .map((issue) => {
      const at = formatPath([...prefix, ...issue.path]) || '(root)';
      const value = (issue as { input?: unknown }).input;
      return `${at}: ${issue.message} (${value === undefined ? 'missing' : `got ${echo(value)}`})`;
    })
    .join('; ');
}

function validate<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new InvalidMessageError(`not an S3 event notification: ${describeIssues(result.error, prefix)}`, {
    cause: result.error,
  });
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new InvalidMessageError(`message body is not JSON (got ${echo(body)})`, { cause: err });
  }
  if (S3TestEventSchema.safeParse(parsed).success) return { objects: [], skipped: ['s3:TestEvent'] };
  const { Records } = validate(S3NotificationSchema, parsed);
  const raw = (parsed as { Records: unknown[] }).Records;
  const objects: ObjectVersion[] = [];
  const skipped: string[] = [];
  Records.forEach(({ eventName }, i) => {
    if (!eventName.startsWith('ObjectCreated:')) {
      skipped.push(`event ${eventName}`);
      return;
    }
    const r = validate(ObjectCreatedRecordSchema, raw[i], ['Records', i]);
    const o = r.s3.object;
    const key = decodeEventKey(o.key);
    if (o.size === 0 && key.endsWith('/')) {
      skipped.push(`folder marker ${key}`);
      return;
    }
    objects.push({
      bucket: r.s3.bucket.name,
      key,
      size: o.size,
      eTag: o.eTag.replace(/"/g, ''),
      // "null" is the null version of an unversioned or versioning-suspended bucket: it is
      // overwritten in place like an unversioned object, so it is treated as one (eTag checks,
      // eTag-sequencer version tag) — never as a version id shared by every upload of the key.
      versionId: o.versionId && o.versionId !== 'null' ? o.versionId : undefined,
      sequencer: o.sequencer,
      receivedAt: new Date(r.eventTime).toISOString(),
    });
  });
  return { objects, skipped };
}
