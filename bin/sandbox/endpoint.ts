/**
 * How other processes reach a running sandbox (watch mode): `<state>/endpoint.json`, written once
 * the servers listen and removed on shutdown. bin/upload.ts reads it; so can an operator who wants
 * to inspect the buckets or the dead-letter queue with any S3/SQS client.
 */
export const ENDPOINT_FILE = 'endpoint.json';

export interface SandboxEndpoint {
  /** Local S3 (path-style; credentials S3RVER / S3RVER). */
  readonly s3Endpoint: string;
  /** Local SQS. */
  readonly sqsEndpoint: string;
  readonly region: string;
  readonly inboundBucket: string;
  readonly stageBucket: string;
  readonly archiveBucket: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** Process id of the sandbox (upload checks it is alive). */
  readonly pid: number;
  /** Source → datasets it may upload to (as in the config). */
  readonly sources: Readonly<Record<string, readonly string[]>>;
}
