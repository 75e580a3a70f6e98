/**
 * The sandbox's SQS: fauxqs (real SQS protocol, in memory) on 127.0.0.1 and a random free port,
 * with the inbound queue and its dead-letter queue created through the SQS API exactly as the
 * deployed ones are configured (visibility timeout, redrive after maxReceiveCount).
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './s3-server';

export const QUEUE_NAME = 'sandbox-inbound-events';
export const DLQ_NAME = 'sandbox-inbound-events-dlq';

export interface QueueSettings {
  /** Seconds a received message stays invisible (the deployed queue's visibility timeout). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export interface LocalSqs {
  readonly endpoint: string;
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  /** Visible + in-flight (+ delayed) messages of a queue. */
  depth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
  stop(): Promise<void>;
}

interface FastifyLike {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalSqs(settings: QueueSettings): Promise<LocalSqs> {
  // fauxqs is an ES module: a dynamic import keeps this CommonJS project loading it lazily.
  const { buildApp } = (await import('fauxqs')) as unknown as { buildApp(o: { logger: boolean }): FastifyLike };
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = new URL(address).origin;
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: DLQ_NAME }));
    const dlqArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: QUEUE_NAME,
        Attributes: {
          VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: settings.maxReceiveCount }),
        },
      }),
    );
    const queueArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    if (!queue.QueueUrl || !dlq.QueueUrl || !queueArn) throw new Error('fauxqs returned no queue URL or ARN');
    return {
      endpoint,
      client,
      queueUrl: queue.QueueUrl,
      queueArn,
      dlqUrl: dlq.QueueUrl,
      async depth(queueUrl) {
        const out = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        const n = (name: string) => Number(out.Attributes?.[name as keyof typeof out.Attributes] ?? 0);
        return {
          visible: n('ApproximateNumberOfMessages'),
          inFlight: n('ApproximateNumberOfMessagesNotVisible'),
          delayed: n('ApproximateNumberOfMessagesDelayed'),
        };
      },
      async stop() {
        client.destroy();
        await app.close();
      },
    };
  } catch (err) {
    client.destroy();
    await app.close();
    throw err;
  }
}
