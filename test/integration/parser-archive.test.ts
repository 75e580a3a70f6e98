import { randomBytes } from 'crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { archiveObject } from '../../lambda/parser/archive';
import type { ObjectVersion } from '../../lambda/parser/object-names';
import { startS3Server } from '../support/s3-server';
import type { S3TestServer } from '../support/s3-server';

let server: S3TestServer;

beforeEach(async () => {
  server = await startS3Server({ buckets: ['inbound', 'archive'] });
});

afterEach(async () => {
  await server.stop();
});

const version = (key: string, eTag: string): ObjectVersion => ({
  bucket: 'inbound',
  key,
  size: 0,
  eTag: eTag.replace(/"/g, ''),
  sequencer: '0A',
  receivedAt: '2024-05-06T07:08:09.123Z',
});

describe('archive copy', () => {
  test('GIVEN an object above the single-copy limit WHEN archived THEN a multipart UploadPartCopy reproduces it byte for byte, with metadata', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const key = 'acme/orders/big file+é.bin';
    const etag = await server.put('inbound', key, bytes);

    await archiveObject(
      server.client,
      version(key, etag),
      bytes.length,
      'application/octet-stream',
      'archive',
      'copy',
      {
        singleCopyMaxBytes: 1024 * 1024,
        copyPartBytes: 1024 * 1024,
      },
    );

    expect((await server.get('archive', 'copy'))!.equals(bytes)).toBe(true);
    const head = await server.client.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'copy' }));
    expect(head.Metadata).toMatchObject({
      'original-key': encodeURIComponent(key),
      'original-etag': etag.replace(/"/g, ''),
      'received-at': '2024-05-06T07:08:09.123Z',
    });
  });

  test('GIVEN the source changed since the event WHEN archived THEN 412 PreconditionFailed and no copy', async () => {
    await server.put('inbound', 'a/b/c', 'old');
    const stale = version('a/b/c', '00000000000000000000000000000000');
    await expect(archiveObject(server.client, stale, 3, undefined, 'archive', 'copy')).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
    await expect(
      archiveObject(server.client, stale, 3, undefined, 'archive', 'copy2', {
        singleCopyMaxBytes: 1,
        copyPartBytes: 1,
      }),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    expect(await server.list('archive')).toEqual([]);
  });
});
