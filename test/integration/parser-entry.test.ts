import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startS3Server } from '../support/s3-server';
import type { S3TestServer } from '../support/s3-server';
import { awsEncodeKey, BUCKETS, sqsRecord, TEST_DATASETS } from './parser-harness';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const savedEnv = { ...process.env };
let server: S3TestServer;

beforeEach(async () => {
  server = await startS3Server({ buckets: Object.values(BUCKETS) });
});

afterEach(async () => {
  process.env = { ...savedEnv };
  jest.restoreAllMocks();
  await server.stop();
});

function loadEntry(): Handler {
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module load per test
    handler = (require('../../lambda/parser/index') as { handler: Handler }).handler;
  });
  return handler!;
}

describe('parser entry point (lambda/parser/index.ts)', () => {
  test('GIVEN the environment WHEN the module is loaded and invoked THEN it stages the file and publishes EMF metrics', async () => {
    Object.assign(process.env, server.env, {
      INBOUND_BUCKET: BUCKETS.inbound,
      STAGE_BUCKET: BUCKETS.stage,
      ARCHIVE_BUCKET: BUCKETS.archive,
      DATASETS: JSON.stringify(TEST_DATASETS),
      PIPELINE_ENVIRONMENT: 'dev',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const handler = loadEntry();
    await server.put(BUCKETS.inbound, 'acme/orders/x y.csv', 'id\n1\n2\n,\n');
    const created = server.events.filter((e) => e.eventName.startsWith('ObjectCreated'));
    const body = {
      Records: created.map((r) => ({
        ...r,
        s3: { ...r.s3, object: { ...r.s3.object, key: awsEncodeKey(r.s3.object.key) } },
      })),
    };
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    const response = await handler({ Records: [sqsRecord(body)] }, {} as Context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await server.list(BUCKETS.stage, 'data/orders/')).toHaveLength(1);
    // Quarantine defaults to the stage bucket.
    expect(await server.list(BUCKETS.stage, 'quarantine/orders/')).toHaveLength(1);
    const emf = written.map((w) => JSON.parse(w)).find((o) => o._aws);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'S3SnowflakePipeline', Dimensions: [['service', 'environment']] }] },
      service: 'parser',
      environment: 'dev',
      FilesProcessed: 1,
      RowsIn: 3,
      RowsOut: 2,
      RowsRejected: 1,
      BytesIn: 9,
    });
  });

  test('GIVEN a missing variable WHEN the module is loaded THEN it fails fast naming the variable', () => {
    Object.assign(process.env, { INBOUND_BUCKET: 'in', STAGE_BUCKET: 'stage', DATASETS: '[]' });
    delete process.env.ARCHIVE_BUCKET;
    expect(() => loadEntry()).toThrow('environment variable ARCHIVE_BUCKET is required');
  });
});
