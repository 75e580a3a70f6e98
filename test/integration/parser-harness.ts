import { gunzipSync } from 'zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DatasetSpec } from '../../contracts/config';
import { loadParserConfig } from '../../lambda/parser/config';
import { createHandler } from '../../lambda/parser/handler';
import { createS3Client } from '../../lambda/shared/s3-client';
import { startS3Server } from '../support/s3-server';
import type { S3ServerOptions, S3TestServer } from '../support/s3-server';

export const BUCKETS = { inbound: 'inbound', stage: 'stage', archive: 'archive', quarantine: 'quarantine' };

/** Datasets used by the parser integration tests. */
export const TEST_DATASETS: DatasetSpec[] = [
  { name: 'orders', format: 'csv', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  { name: 'events', format: 'ndjson', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  { name: 'mixed', format: 'auto', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  { name: 'docs', format: 'json', columns: [{ name: 'id', type: 'NUMBER(38,0)' }] },
  {
    name: 'small',
    format: 'auto',
    columns: [{ name: 'id', type: 'NUMBER(38,0)' }],
    limits: { maxDecompressedBytes: 1000 },
  },
  {
    name: 'strict',
    format: 'ndjson',
    columns: [{ name: 'id', type: 'NUMBER(38,0)' }],
    limits: { maxRecordBytes: 1024, maxDepth: 2 },
  },
  {
    name: 'split',
    format: 'ndjson',
    columns: [{ name: 'id', type: 'NUMBER(38,0)' }],
    limits: { outputPartBytes: 5 * 1024 * 1024 },
  },
];

/** S3 encodes keys in notifications: URL-encoded UTF-8, `+` for space, `/` kept. */
export function awsEncodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export interface StageLine {
  source: string;
  source_key: string;
  source_row: number;
  received_at: string;
  record: Record<string, unknown>;
}

let messageCounter = 0;

/** The SQS record S3 would deliver for the last events of `server` (keys encoded like AWS). */
export function sqsRecord(body: unknown, messageId = `msg-${++messageCounter}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inbound',
    awsRegion: 'us-east-1',
  };
}

export class ParserFixture {
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** The Lambda context the handler gets: set `getRemainingTimeInMillis` to simulate a running-out invocation. */
  context: Partial<Context> = {};

  constructor(
    readonly server: S3TestServer,
    readonly s3: S3Client = createS3Client(),
    env: Record<string, string> = {},
    startReserveMillis?: number,
  ) {
    const config = loadParserConfig({
      INBOUND_BUCKET: BUCKETS.inbound,
      STAGE_BUCKET: BUCKETS.stage,
      ARCHIVE_BUCKET: BUCKETS.archive,
      QUARANTINE_BUCKET: BUCKETS.quarantine,
      DATASETS: JSON.stringify(TEST_DATASETS),
      ...env,
    });
    const parse = createHandler(config, {
      s3,
      logger: new Logger({ serviceName: 'parser', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'parser' }),
      startReserveMillis,
    });
    this.handler = (event) => parse(event, this.context as Context);
  }

  /** Uploads an object and returns the S3 notification message body for it (AWS-encoded key). */
  async upload(key: string, body: string | Uint8Array): Promise<{ Records: unknown[] }> {
    this.server.clearEvents();
    await this.server.put(BUCKETS.inbound, key, body);
    const records = this.server.events.filter((e) => e.eventName.startsWith('ObjectCreated'));
    return {
      Records: records.map((r) => ({
        ...r,
        s3: { ...r.s3, object: { ...r.s3.object, key: awsEncodeKey(r.s3.object.key) } },
      })),
    };
  }

  /** Runs the handler on one SQS batch made of these message bodies. */
  async deliver(...bodies: unknown[]): Promise<SQSBatchResponse> {
    return this.handler({ Records: bodies.map((b) => sqsRecord(b)) });
  }

  async stageLines(prefix = 'data/'): Promise<StageLine[]> {
    const lines: StageLine[] = [];
    for (const key of await this.server.list(BUCKETS.stage, prefix)) {
      const text = gunzipSync((await this.server.get(BUCKETS.stage, key))!).toString('utf8');
      lines.push(
        ...text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as StageLine),
      );
    }
    return lines;
  }

  async quarantineJson(suffix: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const key of await this.server.list(BUCKETS.quarantine)) {
      if (!key.endsWith(suffix)) continue;
      const text = (await this.server.get(BUCKETS.quarantine, key))!.toString('utf8');
      if (suffix.endsWith('.json')) out.push(JSON.parse(text));
      else
        out.push(
          ...text
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l)),
        );
    }
    return out;
  }

  /** Every object in every bucket, as `bucket/key` → bytes (for end-state comparisons). */
  async snapshot(): Promise<Map<string, Buffer>> {
    const all = new Map<string, Buffer>();
    for (const bucket of Object.values(BUCKETS)) {
      for (const key of await this.server.list(bucket))
        all.set(`${bucket}/${key}`, (await this.server.get(bucket, key))!);
    }
    return all;
  }
}

/** Makes the client fail the next `count` calls of `commandName` (optionally only when `when` holds). */
export function injectFailure(
  client: S3Client,
  commandName: string,
  options: { count?: number; when?: (input: Record<string, unknown>) => boolean } = {},
): void {
  let remaining = options.count ?? 1;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (remaining > 0 && context.commandName === commandName && (options.when?.(input) ?? true)) {
        remaining--;
        throw Object.assign(new Error(`injected failure in ${commandName}`), { name: 'InjectedFailure' });
      }
      return next(args);
    },
    { step: 'initialize', name: `inject-${commandName}-${Math.random()}` },
  );
}

/** The local S3 server and parser fixture of the running test; a test may replace either (the last ones are torn down). */
export interface ParserBed {
  server: S3TestServer;
  fx: ParserFixture;
}

export interface ParserBedOptions {
  /** Options of the local S3 server (its buckets are always {@link BUCKETS}). @default none */
  readonly s3?: Omit<S3ServerOptions, 'buckets'>;
  /** Parser environment added to the fixture's (e.g. `DATASETS`). @default none */
  readonly env?: Record<string, string>;
}

/**
 * Registers, for every test of the calling file: before it, a local S3 server with the {@link BUCKETS}, the SDK
 * pointed at it (Powertools metrics off: they are asserted in parser-entry.test.ts and would only flood the
 * output) and a {@link ParserFixture}; after it, the fixture's client destroyed, the server stopped and
 * `process.env` restored.
 */
export function useParserBed(options: ParserBedOptions = {}): ParserBed {
  const savedEnv = { ...process.env };
  const bed = {} as ParserBed;
  beforeEach(async () => {
    bed.server = await startS3Server({ ...options.s3, buckets: Object.values(BUCKETS) });
    Object.assign(process.env, bed.server.env, { POWERTOOLS_METRICS_DISABLED: 'true' });
    bed.fx = new ParserFixture(bed.server, undefined, options.env);
  });
  afterEach(async () => {
    bed.fx.s3.destroy();
    await bed.server.stop();
    process.env = { ...savedEnv };
  });
  return bed;
}
