import { randomBytes } from 'crypto';
import { gunzipSync } from 'zlib';
import { StageOutput } from '../../lambda/parser/stage-output';
import { startS3Server } from '../support/s3-server';
import type { S3TestServer } from '../support/s3-server';

let server: S3TestServer;

beforeEach(async () => {
  server = await startS3Server({ buckets: ['stage'] });
});

afterEach(async () => {
  await server.stop();
});

const output = (gzipLevel?: number) =>
  new StageOutput({
    s3: server.client,
    bucket: 'stage',
    keyFor: (i) => `out/o-${i}.ndjson${gzipLevel ? '.gz' : ''}`,
    contentType: 'application/x-ndjson',
    gzipLevel,
    splitBytes: Number.POSITIVE_INFINITY,
  });

/** 20 MiB of line-aligned, incompressible batches. */
const batches = Array.from({ length: 20 }, () => randomBytes(768 * 1024).toString('base64') + '\n');

describe('StageOutput', () => {
  test('GIVEN several multipart parts were uploaded WHEN the output is aborted THEN the upload is aborted and no object is visible', async () => {
    const sent: string[] = [];
    server.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'record-commands' },
    );
    const out = output();
    for (const b of batches) await out.write(b);
    await out.finish();
    await out.abort();
    expect(sent.filter((c) => c === 'UploadPartCommand').length).toBeGreaterThanOrEqual(2);
    expect(sent.filter((c) => c === 'AbortMultipartUploadCommand')).toHaveLength(1);
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(await server.list('stage')).toEqual([]);
  });

  test('GIVEN parts and a tail WHEN committed THEN one object with exactly the written bytes, invisible before commit', async () => {
    const out = output(1);
    for (const b of batches) await out.write(b);
    await out.finish();
    expect(await server.list('stage')).toEqual([]);
    expect(await out.commit()).toEqual(['out/o-0.ndjson.gz']);
    expect(gunzipSync((await server.get('stage', 'out/o-0.ndjson.gz'))!).toString()).toBe(batches.join(''));
  });

  test('GIVEN nothing written WHEN committed THEN no object at all', async () => {
    const out = output(6);
    await out.finish();
    expect(await out.commit()).toEqual([]);
    expect(await server.list('stage')).toEqual([]);
  });
});
