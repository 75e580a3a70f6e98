/**
 * A real S3 server for tests: s3rver on 127.0.0.1 (random free port, temporary directory), with
 * buckets created and an AWS SDK v3 client configured for it. The server, and the S3 behaviours
 * added in front of s3rver (conditional requests, AbortMultipartUpload, UploadPartCopy, decoded
 * copy sources), are the sandbox's: bin/sandbox/s3-server.ts.
 *
 * Options also record every request (`onRequest`) and give buckets version ids (`versionedBuckets`).
 *
 * Run jest with `NODE_OPTIONS=--openssl-legacy-provider` (s3rver's paginated ListObjectsV2 needs it).
 */
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startLocalS3,
  type LocalS3Options,
  type S3rverRecord,
} from '../../bin/sandbox/s3-server';

export type { LocalS3Request } from '../../bin/sandbox/s3-server';

/** An S3 event notification record as s3rver emits it (keys are NOT URL-encoded, unlike AWS). */
export type S3rverEventRecord = S3rverRecord;

export interface S3ServerOptions extends LocalS3Options {
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

/** Starts s3rver on 127.0.0.1 with a random free port and a fresh temporary directory. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const { buckets = [], ...serverOptions } = options;
  const s3 = await startLocalS3(directory, buckets, serverOptions);
  const events: S3rverEventRecord[] = [];
  s3.onEvent((record) => events.push(record));
  const { endpoint, client } = s3;
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    client,
    events,
    clearEvents: () => void events.splice(0),
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
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
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      }
      return keys.sort();
    },
    async stop() {
      await s3.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
