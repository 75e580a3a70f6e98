/**
 * The sandbox's S3: s3rver (real S3 HTTP protocol, objects on the local disk) on 127.0.0.1 and a
 * random free port, with the pipeline's buckets, plus the S3 behaviours the parser relies on that
 * s3rver lacks: conditional requests (`If-Match`, `x-amz-copy-source-if-match` → 412),
 * AbortMultipartUpload (204; the parts never become visible) and fully URL-decoded copy sources
 * (s3rver uses decodeURI, so a key with `+`, `=` or `&` could not be copied).
 *
 * s3rver's paginated ListObjectsV2 uses a DES cipher: the process must run with
 * `--openssl-legacy-provider` (bin/sandbox.ts re-executes itself with it when it is missing).
 */
import type { AddressInfo } from 'net';
import { S3Client } from '@aws-sdk/client-s3';

/** s3rver's built-in account (fauxqs accepts any): fixed local credentials, never real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

/** An ObjectCreated/ObjectRemoved record as s3rver emits it (keys NOT URL-encoded, unlike AWS). */
export interface S3rverRecord {
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

export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A path-style client with WHEN_REQUIRED checksums (s3rver stores aws-chunked bodies otherwise). */
  readonly client: S3Client;
  /** Subscribes to every object event s3rver emits. */
  onEvent(listener: (record: S3rverRecord) => void): void;
  stop(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  headers: Record<string, string | undefined>;
  status: number;
  body: unknown;
  set(name: string, value: string): void;
  store: { getMetadata(bucket: string, key: string): Promise<{ etag: string }> };
}

const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');

async function currentETag(ctx: KoaContext, bucket: string, key: string): Promise<string | undefined> {
  try {
    return unquote((await ctx.store.getMetadata(bucket, key)).etag);
  } catch {
    return undefined;
  }
}

function preconditionFailed(ctx: KoaContext): void {
  ctx.status = 412;
  ctx.set('Content-Type', 'application/xml');
  ctx.body =
    ctx.method === 'HEAD'
      ? ''
      : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
        '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
}

/** Koa middleware giving s3rver S3's conditional requests and AbortMultipartUpload. */
async function s3Semantics(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  const [, bucket, ...rest] = ctx.path.split('/');
  const key = rest.map((s) => decodeURIComponent(s)).join('/');
  if (!bucket || !key) return next();
  const query = new URLSearchParams(ctx.querystring);
  if (ctx.method === 'DELETE' && query.has('uploadId')) {
    ctx.status = 204;
    return;
  }
  const ifMatch = ctx.headers['if-match'];
  if (ifMatch && ['GET', 'HEAD', 'DELETE'].includes(ctx.method) && unquote(ifMatch) !== '*') {
    const etag = await currentETag(ctx, bucket, key);
    if (etag !== undefined && etag !== unquote(ifMatch)) return preconditionFailed(ctx);
  }
  const copySource = ctx.headers['x-amz-copy-source'];
  if (ctx.method === 'PUT' && copySource) {
    // S3 takes the copy source URL-encoded (`+` as %2B); s3rver decodes it with decodeURI, which
    // leaves reserved characters encoded. Hand it a form decodeURI round-trips (and no ?versionId).
    const [sourcePath] = copySource.replace(/^\//, '').split('?');
    const decoded = decodeURIComponent(sourcePath);
    ctx.headers['x-amz-copy-source'] = encodeURI(`/${decoded}`);
    const copyIfMatch = ctx.headers['x-amz-copy-source-if-match'];
    const [sourceBucket, ...sourceKey] = decoded.split('/');
    const etag = copyIfMatch ? await currentETag(ctx, sourceBucket, sourceKey.join('/')) : undefined;
    if (copyIfMatch && etag !== undefined && etag !== unquote(copyIfMatch)) return preconditionFailed(ctx);
  }
  return next();
}

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Starts s3rver over `directory` (kept between runs) with `buckets` created if missing. */
export async function startLocalS3(directory: string, buckets: readonly string[]): Promise<LocalS3> {
  // s3rver ships no types; loaded here so bin/upload.ts (which only needs the client) stays light.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  server.middleware.unshift(s3Semantics);
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = localS3Client(endpoint);
  return {
    endpoint,
    client,
    onEvent(listener) {
      server.on('event', (e: { Records: S3rverRecord[] }) => e.Records.forEach(listener));
    },
    async stop() {
      client.destroy();
      await server.close();
    },
  };
}
