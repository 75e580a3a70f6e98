/**
 * In-memory S3 for the parser benchmark: fauxqs (real S3 protocol, objects held in memory) on
 * 127.0.0.1 and a random free port, with buckets created through the S3 API. Memory-backed, so
 * the server's own cost stays small next to the work measured (a disk-backed server such as
 * s3rver dominates the ceiling and flatters the ratio).
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** Fixed local credentials (fauxqs accepts any); never real ones. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const REGION = 'us-east-1';

interface FastifyLike {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

export interface MemoryS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  /** Variables that point `createS3Client()` (the handler's client) at this server. */
  readonly env: Record<string, string>;
  list(bucket: string, prefix: string): Promise<string[]>;
  get(bucket: string, key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startMemoryS3(buckets: readonly string[]): Promise<MemoryS3> {
  // fauxqs is an ES module: a dynamic import keeps this CommonJS project loading it lazily.
  const { buildApp } = (await import('fauxqs')) as unknown as { buildApp(o: { logger: boolean }): FastifyLike };
  const app = buildApp({ logger: false });
  const endpoint = new URL(await app.listen({ port: 0, host: '127.0.0.1' })).origin;
  const client = new S3Client({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    client,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    async list(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) keys.push(o.Key!);
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async get(bucket, key) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await got.Body!.transformToByteArray());
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}
