/**
 * A real S3 server for tests: s3rver on 127.0.0.1 (random free port, temporary directory), with
 * buckets created and an AWS SDK v3 client configured for it.
 *
 * s3rver speaks the real S3 HTTP protocol but lacks a few conditional/multipart operations that
 * production code relies on; this harness adds them in front of s3rver, with S3's semantics:
 * - `If-Match` on GetObject / HeadObject / DeleteObject → 412 PreconditionFailed on an eTag mismatch;
 * - `x-amz-copy-source-if-match` on CopyObject → 412 on a mismatch;
 * - AbortMultipartUpload (`DELETE ?uploadId=`) → 204 (the upload's parts are never visible);
 * - `x-amz-copy-source` fully URL-decoded, as S3 does (s3rver leaves `%2B` and friends encoded);
 * - UploadPartCopy (`PUT ?partNumber=&uploadId=` with `x-amz-copy-source[-range]`), with `-if-match`.
 *
 * Run jest with `NODE_OPTIONS=--openssl-legacy-provider` (s3rver's paginated ListObjectsV2 needs it).
 */
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import type { AddressInfo } from 'net';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

/** An S3 event notification record as s3rver emits it (keys are NOT URL-encoded, unlike AWS). */
export interface S3rverEventRecord {
  readonly eventName: string;
  readonly eventTime: string;
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly eTag?: string;
      readonly sequencer: string;
    };
  };
}

export interface S3ServerOptions {
  /** Buckets to create before the server accepts requests. @default none */
  readonly buckets?: readonly string[];
}

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** A client for this server (path-style, fixed test credentials, WHEN_REQUIRED checksums). */
  readonly client: S3Client;
  /** Every ObjectCreated/ObjectRemoved record emitted since start (or since {@link clearEvents}). */
  readonly events: S3rverEventRecord[];
  clearEvents(): void;
  /** Environment variables that point `createS3Client()` (and any SDK client) at this server. */
  readonly env: Record<string, string>;
  /** Uploads an object and returns its quoted eTag. */
  put(bucket: string, key: string, body: string | Uint8Array): Promise<string>;
  /** Reads an object's bytes; undefined when it does not exist. */
  get(bucket: string, key: string): Promise<Buffer | undefined>;
  /** Every key in a bucket (optionally under a prefix), sorted. */
  list(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

interface KoaLikeContext {
  method: string;
  path: string;
  querystring: string;
  headers: Record<string, string | undefined>;
  status: number;
  body: unknown;
  set(name: string, value: string): void;
  store: {
    getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
    getObject(
      bucket: string,
      key: string,
      range?: { start: number; end: number },
    ): Promise<{ content: unknown } | null>;
    putPart(bucket: string, uploadId: string, partNumber: number, content: unknown): Promise<{ md5: string }>;
  };
}

const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');

async function currentETag(ctx: KoaLikeContext, bucket: string, key: string): Promise<string | undefined> {
  try {
    return unquote((await ctx.store.getMetadata(bucket, key)).etag);
  } catch {
    return undefined;
  }
}

function preconditionFailed(ctx: KoaLikeContext): void {
  ctx.status = 412;
  ctx.set('Content-Type', 'application/xml');
  ctx.body =
    ctx.method === 'HEAD'
      ? ''
      : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
        '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
}

/** UploadPartCopy: s3rver answers NotImplemented; this copies the (ranged) source into the part. */
async function uploadPartCopy(
  ctx: KoaLikeContext,
  bucket: string,
  query: URLSearchParams,
  copySource: string,
  copyIfMatch: string | undefined,
): Promise<void> {
  const [sourcePath] = decodeURIComponent(copySource).replace(/^\//, '').split('?');
  const [sourceBucket, ...sourceKeyParts] = sourcePath.split('/');
  const sourceKey = sourceKeyParts.join('/');
  const etag = await currentETag(ctx, sourceBucket, sourceKey);
  if (etag === undefined) {
    ctx.status = 404;
    ctx.set('Content-Type', 'application/xml');
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>';
    return;
  }
  if (copyIfMatch && etag !== unquote(copyIfMatch)) return preconditionFailed(ctx);
  const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.headers['x-amz-copy-source-range'] ?? '');
  const object = await ctx.store.getObject(
    sourceBucket,
    sourceKey,
    range ? { start: Number(range[1]), end: Number(range[2]) } : undefined,
  );
  const { md5 } = await ctx.store.putPart(
    bucket,
    query.get('uploadId')!,
    Number(query.get('partNumber')),
    object!.content,
  );
  ctx.status = 200;
  ctx.set('Content-Type', 'application/xml');
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?><CopyPartResult>' +
    `<LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`;
}

/** Koa middleware adding S3's conditional requests and AbortMultipartUpload to s3rver. */
async function s3Emulation(ctx: KoaLikeContext, next: () => Promise<void>): Promise<void> {
  const [, bucket, ...rest] = ctx.path.split('/');
  const key = rest.map((s) => decodeURIComponent(s)).join('/');
  const query = new URLSearchParams(ctx.querystring);
  if (!bucket || !key) return next();
  if (ctx.method === 'DELETE' && query.has('uploadId')) {
    ctx.status = 204;
    return;
  }
  const ifMatch = ctx.headers['if-match'];
  if (ifMatch && ['GET', 'HEAD', 'DELETE'].includes(ctx.method)) {
    const etag = await currentETag(ctx, bucket, key);
    if (etag !== undefined && etag !== unquote(ifMatch) && unquote(ifMatch) !== '*') return preconditionFailed(ctx);
  }
  const copyIfMatch = ctx.headers['x-amz-copy-source-if-match'];
  const copySource = ctx.headers['x-amz-copy-source'];
  if (ctx.method === 'PUT' && copySource && query.has('uploadId') && query.has('partNumber')) {
    return uploadPartCopy(ctx, bucket, query, copySource, copyIfMatch);
  }
  if (copySource) {
    // S3 fully URL-decodes the copy source; s3rver uses decodeURI (which leaves %2B, %2F, … encoded).
    const [sourcePath, versionQuery] = copySource.split('?');
    ctx.headers['x-amz-copy-source'] =
      encodeURI(decodeURIComponent(sourcePath)) + (versionQuery ? `?${versionQuery}` : '');
  }
  if (ctx.method === 'PUT' && copyIfMatch && copySource) {
    const [sourcePath] = decodeURIComponent(copySource).replace(/^\//, '').split('?');
    const [sourceBucket, ...sourceKey] = sourcePath.split('/');
    const etag = await currentETag(ctx, sourceBucket, sourceKey.join('/'));
    if (etag !== undefined && etag !== unquote(copyIfMatch)) return preconditionFailed(ctx);
  }
  return next();
}

/** Starts s3rver on 127.0.0.1 with a random free port and a fresh temporary directory. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  server.middleware.unshift(s3Emulation);
  const events: S3rverEventRecord[] = [];
  server.on('event', (e: { Records: S3rverEventRecord[] }) => events.push(...e.Records));
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    port: address.port,
    client,
    events,
    clearEvents: () => void events.splice(0),
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    },
    async put(bucket, key, body) {
      const out = await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body }),
      );
      return out.ETag ?? '';
    },
    async get(bucket, key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (err) {
        if ((err as Error).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    async list(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
