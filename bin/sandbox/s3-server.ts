/**
 * The sandbox's S3: s3rver (real S3 HTTP protocol, objects on the local disk) on 127.0.0.1 and a
 * random free port, with the pipeline's buckets, plus the S3 behaviours the parser relies on that
 * s3rver lacks, added in front of it with S3's semantics (the tests' harness uses the same server):
 * - `If-Match` on GetObject / HeadObject / DeleteObject → 412 PreconditionFailed on an eTag mismatch;
 * - `x-amz-copy-source-if-match` on CopyObject and UploadPartCopy → 412 on a mismatch;
 * - AbortMultipartUpload (`DELETE ?uploadId=`) → 204 (the upload's parts never become visible);
 * - `x-amz-copy-source` fully URL-decoded, as S3 does (s3rver uses decodeURI, so a key with `+`,
 *   `=` or `&` could not be copied);
 * - UploadPartCopy (`PUT ?partNumber=&uploadId=` with `x-amz-copy-source[-range]`);
 * - optionally, version ids for `versionedBuckets` (see {@link LocalS3Options.versionedBuckets});
 * - `If-None-Match: *` on PutObject and CompleteMultipartUpload → 412 PreconditionFailed when the key exists;
 * - `x-amz-checksum-sha256` on PutObject and UploadPart: the body's SHA-256 is checked (400 BadDigest on a
 *   mismatch) and echoed in the response, as S3 does for additional checksums.
 *
 * s3rver's paginated ListObjectsV2 uses a DES cipher: the process must run with
 * `--openssl-legacy-provider` (bin/sandbox.ts re-executes itself with it when it is missing).
 */
import { createHash, randomBytes } from 'crypto';
import type { AddressInfo } from 'net';
import { Readable } from 'stream';
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

/** One request as it reached the server (before any handling), for tests that check what a client sent. */
export interface LocalS3Request {
  readonly method: string;
  readonly bucket: string;
  /** Fully decoded; `''` for bucket-level requests. */
  readonly key: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names, as sent. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface LocalS3Options {
  /** Called with every request before it is handled. @default none */
  readonly onRequest?: (request: LocalS3Request) => void;
  /**
   * Buckets given S3 version ids (s3rver has no versioning): every PutObject / CompleteMultipartUpload
   * answers a new `x-amz-version-id`, and a request naming a version (`?versionId=` on Get/Head/Delete,
   * `x-amz-copy-source: …?versionId=`) is served by the key's current object when that is the version,
   * else answers 404 NoSuchVersion (DeleteObject: 204, nothing deleted). Older versions are NOT
   * retained: an overwrite makes the previous version unreadable. A version id sent to any other bucket
   * answers 400 InvalidArgument, as S3 does for an unversioned bucket.
   * @default none
   */
  readonly versionedBuckets?: readonly string[];
  /**
   * Run s3rver as it ships, without the S3 semantics above (If-Match ignored, copy sources decoded with
   * `decodeURI`, no UploadPartCopy): for proving the parser also copes with such S3-compatible servers.
   * @default false
   */
  readonly plain?: boolean;
}

interface KoaContext {
  req: NodeJS.ReadableStream;
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

async function currentETag(ctx: KoaContext, bucket: string, key: string): Promise<string | undefined> {
  try {
    return unquote((await ctx.store.getMetadata(bucket, key)).etag);
  } catch {
    return undefined;
  }
}

function s3Error(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.set('Content-Type', 'application/xml');
  ctx.body =
    ctx.method === 'HEAD'
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function preconditionFailed(ctx: KoaContext): void {
  s3Error(ctx, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
}

/** `x-amz-copy-source` → bucket, fully decoded key and version id (if any). */
function parseCopySource(copySource: string): { bucket: string; key: string; versionId?: string } {
  const [sourcePath, versionQuery] = copySource.replace(/^\//, '').split('?');
  const [bucket, ...keyParts] = decodeURIComponent(sourcePath).split('/');
  const versionId = new URLSearchParams(versionQuery ?? '').get('versionId') ?? undefined;
  return { bucket, key: keyParts.join('/'), versionId };
}

/**
 * Version ids in front of s3rver (see LocalS3Options.versionedBuckets): the current version id of
 * each key of a versioned bucket. Returns a middleware that answers requests naming an unknown
 * version and strips the version from the rest (s3rver ignores `?versionId=`, not a copy source's).
 */
function versioning(versioned: ReadonlySet<string>) {
  const current = new Map<string, string>();
  const at = (bucket: string, key: string) => `${bucket}/${key}`;
  return async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = rest.map((s) => decodeURIComponent(s)).join('/');
    if (!bucket || !key) return next();
    const query = new URLSearchParams(ctx.querystring);
    const copySource = ctx.headers['x-amz-copy-source'];
    const source = copySource ? parseCopySource(copySource) : undefined;
    // The version a request names: its own (?versionId=) or its copy source's.
    const named = source?.versionId
      ? { bucket: source.bucket, key: source.key, versionId: source.versionId }
      : query.has('versionId')
        ? { bucket, key, versionId: query.get('versionId')! }
        : undefined;
    if (named) {
      if (!versioned.has(named.bucket)) return s3Error(ctx, 400, 'InvalidArgument', 'Invalid version id specified');
      if (current.get(at(named.bucket, named.key)) !== named.versionId) {
        if (ctx.method === 'DELETE') {
          ctx.status = 204;
          return;
        }
        return s3Error(ctx, 404, 'NoSuchVersion', 'The specified version does not exist.');
      }
      if (source?.versionId) ctx.headers['x-amz-copy-source'] = copySource!.split('?')[0];
    }
    await next();
    if (!versioned.has(bucket) || ctx.status >= 300) return;
    const created =
      (ctx.method === 'PUT' && !query.has('uploadId') && !query.has('partNumber') && !query.has('tagging')) ||
      (ctx.method === 'POST' && query.has('uploadId'));
    if (created) {
      const versionId = randomBytes(24).toString('base64url');
      current.set(at(bucket, key), versionId);
      ctx.set('x-amz-version-id', versionId);
    } else if (ctx.method === 'DELETE' && !query.has('uploadId')) {
      current.delete(at(bucket, key));
    }
  };
}

/** UploadPartCopy: s3rver answers NotImplemented; this copies the (ranged) source into the part. */
async function uploadPartCopy(
  ctx: KoaContext,
  bucket: string,
  query: URLSearchParams,
  copySource: string,
  copyIfMatch: string | undefined,
): Promise<void> {
  const { bucket: sourceBucket, key: sourceKey } = parseCopySource(copySource);
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

/** `If-None-Match: *` on PutObject / CompleteMultipartUpload: 412 when the key already holds an object. */
async function ifNoneMatch(ctx: KoaContext, bucket: string, key: string, query: URLSearchParams): Promise<boolean> {
  const writes =
    (ctx.method === 'PUT' && !query.has('uploadId') && !query.has('partNumber') && !ctx.headers['x-amz-copy-source']) ||
    (ctx.method === 'POST' && query.has('uploadId'));
  if (!writes || ctx.headers['if-none-match']?.trim() !== '*') return false;
  if ((await currentETag(ctx, bucket, key)) === undefined) return false;
  preconditionFailed(ctx);
  return true;
}

/**
 * `x-amz-checksum-sha256` on PutObject / UploadPart: reads the body, answers 400 BadDigest when its SHA-256
 * differs, else hands s3rver the same bytes and echoes the checksum in the response.
 */
async function verifyChecksum(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  const expected = ctx.headers['x-amz-checksum-sha256']!;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const actual = createHash('sha256').update(body).digest('base64');
  if (actual !== expected) {
    return s3Error(
      ctx,
      400,
      'BadDigest',
      `The SHA256 you specified did not match the calculated checksum (${actual}).`,
    );
  }
  ctx.req = Readable.from([body]);
  await next();
  if (ctx.status < 300) ctx.set('x-amz-checksum-sha256', expected);
}

/** Koa middleware giving s3rver S3's conditional requests, AbortMultipartUpload, UploadPartCopy and decoded copy sources. */
async function s3Semantics(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  const [, bucket, ...rest] = ctx.path.split('/');
  const key = rest.map((s) => decodeURIComponent(s)).join('/');
  const query = new URLSearchParams(ctx.querystring);
  if (!bucket || !key) return next();
  if (ctx.method === 'DELETE' && query.has('uploadId')) {
    ctx.status = 204;
    return;
  }
  if (await ifNoneMatch(ctx, bucket, key, query)) return;
  if (ctx.method === 'PUT' && ctx.headers['x-amz-checksum-sha256'] && !ctx.headers['x-amz-copy-source']) {
    return verifyChecksum(ctx, next);
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
    const source = parseCopySource(copySource);
    const etag = await currentETag(ctx, source.bucket, source.key);
    if (etag !== undefined && etag !== unquote(copyIfMatch)) return preconditionFailed(ctx);
  }
  return next();
}

function describeRequest(ctx: KoaContext): LocalS3Request {
  const [, bucket = '', ...rest] = ctx.path.split('/');
  return {
    method: ctx.method,
    bucket,
    key: rest.map((s) => decodeURIComponent(s)).join('/'),
    query: Object.fromEntries(new URLSearchParams(ctx.querystring)),
    headers: { ...ctx.headers },
  };
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
export async function startLocalS3(
  directory: string,
  buckets: readonly string[],
  options: LocalS3Options = {},
): Promise<LocalS3> {
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
  // Koa runs these first to last, before s3rver's own: record, version ids, then S3 semantics.
  const extensions: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[] = [];
  const { onRequest, versionedBuckets = [] } = options;
  if (onRequest) {
    extensions.push((ctx, next) => {
      onRequest(describeRequest(ctx));
      return next();
    });
  }
  if (versionedBuckets.length > 0) extensions.push(versioning(new Set(versionedBuckets)));
  server.middleware.unshift(...extensions, ...(options.plain ? [] : [s3Semantics]));
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
