/**
 * The S3 client of the uploader: the SDK's own retries off (the uploader retries with full jitter itself),
 * a request timeout (so a silent connection becomes an ambiguous timeout that is retried), checksums only
 * where the uploader sets them, and credentials from Roles Anywhere or the SDK's default chain (a host in
 * AWS: its instance, task or function role).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { TemporaryCredentials } from './roles-anywhere';

export interface ClientOptions {
  readonly region: string;
  /** @default the SDK's (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS) */
  readonly endpoint?: string;
  /** Path-style addressing (local servers). @default false */
  readonly pathStyle?: boolean;
  readonly requestTimeoutMs: number;
  /** @default the SDK's default credential chain */
  readonly credentials?: () => Promise<TemporaryCredentials>;
  /** Parallel sockets. */
  readonly maxSockets: number;
}

export function uploaderS3Client(options: ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.pathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK builds its Node HTTP handler from these options.
    requestHandler: {
      connectionTimeout: Math.min(options.requestTimeoutMs, 10_000),
      requestTimeout: options.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets },
    },
  });
}
