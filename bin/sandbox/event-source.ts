/**
 * Lambda's SQS event source, emulated: receive up to `batchSize` messages with the deployed
 * visibility timeout, invoke the REAL parser handler with an SQSEvent, delete the messages it
 * processed and leave its `batchItemFailures` on the queue for redelivery — SQS moves a message
 * to the dead-letter queue after maxReceiveCount receives, as in AWS.
 *
 * One deliberate difference: a failed message becomes visible again after `retryDelaySeconds`
 * (default 1 s) instead of the deployed visibility timeout (6 × the parser timeout, 90 minutes by
 * default), so retries and the DLQ redrive happen within a sandbox run.
 */
import { randomUUID } from 'crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from './s3-server';

export type ParserHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventSourceSettings {
  /** Messages per invocation (the deployed event source's batch size). */
  readonly batchSize: number;
  /** Visibility timeout of each receive, in seconds (the deployed queue's). */
  readonly visibilityTimeoutSeconds: number;
  /** Parser timeout in seconds (the Lambda context's remaining time). */
  readonly timeoutSeconds: number;
  /** Seconds before a failed message is visible again. @default 1 */
  readonly retryDelaySeconds?: number;
}

/** What one poll did. */
export interface PollResult {
  readonly received: number;
  readonly succeeded: number;
  readonly failed: number;
  /** The handler threw (the whole batch failed), with its message. */
  readonly error?: string;
  /** What each failed message was about (see {@link describeMessage}). */
  readonly failedMessages: readonly string[];
}

/** `s3://bucket/key` of each S3 record in a message body, or an excerpt of a body that is not an S3 event. */
export function describeMessage(body: string | undefined): string {
  try {
    const parsed = JSON.parse(body ?? '') as {
      Records?: { s3?: { bucket?: { name?: string }; object?: { key?: string } } }[];
    };
    const objects = (parsed.Records ?? []).map((r) => {
      const key = decodeURIComponent((r.s3?.object?.key ?? '').replace(/\+/g, ' '));
      return `s3://${r.s3?.bucket?.name ?? '?'}/${key}`;
    });
    if (objects.length) return objects.join(', ');
  } catch {
    // not JSON: fall through to the excerpt
  }
  const text = body ?? '';
  return `a message that is not an S3 event: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`;
}

/** The SQSEvent record Lambda builds from a received message. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'SANDBOX',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

function lambdaContext(timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sandbox-parser',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:sandbox-parser`,
    memoryLimitInMB: '2048',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/sandbox-parser',
    logStreamName: 'sandbox',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export class SqsEventSource {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly queueArn: string,
    private readonly handler: ParserHandler,
    private readonly settings: EventSourceSettings,
  ) {}

  /** Receives one batch (waiting up to `waitSeconds` for the first message) and invokes the handler. */
  async poll(waitSeconds = 0): Promise<PollResult> {
    const messages: Message[] = [];
    while (messages.length < this.settings.batchSize) {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.settings.batchSize - messages.length),
          VisibilityTimeout: this.settings.visibilityTimeoutSeconds,
          WaitTimeSeconds: messages.length ? 0 : waitSeconds,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (!out.Messages?.length) break;
      messages.push(...out.Messages);
    }
    if (!messages.length) return { received: 0, succeeded: 0, failed: 0, failedMessages: [] };

    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, this.queueArn)) };
    let failedIds: Set<string>;
    let error: string | undefined;
    try {
      const response = await this.handler(event, lambdaContext(this.settings.timeoutSeconds));
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (err) {
      // A thrown handler fails the whole batch, as in Lambda.
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      failedIds = new Set(messages.map((m) => m.MessageId ?? ''));
    }
    const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
    const failed = messages.filter((m) => failedIds.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    for (let i = 0; i < failed.length; i += 10) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: failed.slice(i, i + 10).map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: this.settings.retryDelaySeconds ?? 1,
          })),
        }),
      );
    }
    return {
      received: messages.length,
      succeeded: done.length,
      failed: failed.length,
      error,
      failedMessages: failed.map((m) => describeMessage(m.Body)),
    };
  }
}
