/**
 * The inbound bucket's event notification: s3rver's ObjectCreated records become S3 event
 * notification messages of the same JSON shape AWS sends to the queue, with the object key
 * URL-encoded the way S3 encodes it (s3rver does not), so the parser's key decoding runs for real.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from './s3-server';
import type { S3rverRecord } from './s3-server';

/**
 * Encodes a key as S3 does in event notifications: form-encoding with `+` for a space, `/` kept.
 * (`a b/ü=1.csv` → `a+b/%C3%BC%3D1.csv`)
 */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/%20/g, '+')
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/** The notification message body S3 sends for one ObjectCreated event (`{ Records: [...] }`). */
export function s3NotificationBody(record: S3rverRecord): string {
  const { bucket, object } = record.s3;
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: LOCAL_REGION,
        eventTime: record.eventTime,
        eventName: record.eventName,
        userIdentity: { principalId: 'AWS:SANDBOX' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': object.sequencer, 'x-amz-id-2': 'sandbox' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbound-object-created',
          bucket: { name: bucket.name, ownerIdentity: { principalId: 'SANDBOX' }, arn: `arn:aws:s3:::${bucket.name}` },
          object: {
            key: encodeEventKey(object.key),
            size: object.size ?? 0,
            ...(object.eTag ? { eTag: object.eTag } : {}),
            sequencer: object.sequencer,
          },
        },
      },
    ],
  });
}

/** Forwards the inbound bucket's ObjectCreated events to the queue; tracks sends still in flight. */
export class NotificationForwarder {
  private readonly pending = new Set<Promise<void>>();
  private sent = 0;
  private readonly errors: Error[] = [];

  /**
   * @param eTagOf looks up an object's eTag: s3rver's `ObjectCreated:Copy` events carry none, while
   *   AWS's always do.
   */
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly inboundBucket: string,
    private readonly eTagOf: (bucket: string, key: string) => Promise<string | undefined>,
  ) {}

  /** s3rver event listener: only the inbound bucket's ObjectCreated events are configured. */
  readonly onRecord = (record: S3rverRecord): void => {
    if (record.s3.bucket.name !== this.inboundBucket || !record.eventName.startsWith('ObjectCreated:')) return;
    const { bucket, object } = record.s3;
    const complete = object.eTag
      ? Promise.resolve(record)
      : this.eTagOf(bucket.name, object.key).then((eTag) => ({
          ...record,
          s3: { ...record.s3, object: { ...object, eTag } },
        }));
    const send = complete
      .then((r) =>
        this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: s3NotificationBody(r) })),
      )
      .then(() => void this.sent++)
      .catch((err: Error) => void this.errors.push(err))
      .finally(() => this.pending.delete(send));
    this.pending.add(send);
  };

  /** Resolves once every notification emitted so far has reached the queue (or failed). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  get sentCount(): number {
    return this.sent;
  }

  /** Notifications that could not be sent (the queue was unreachable). */
  get failures(): readonly Error[] {
    return this.errors;
  }
}
