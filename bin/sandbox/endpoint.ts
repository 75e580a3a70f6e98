/**
 * How other processes reach a running sandbox (watch mode): `<state>/endpoint.json`, written once
 * the servers listen and removed on shutdown. bin/upload.ts reads it; so can an operator who wants
 * to inspect the buckets or the dead-letter queue with any S3/SQS client.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

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
  /** The config module the sandbox runs (absolute path) and its environment: the replay tool's defaults. */
  readonly configPath?: string;
  readonly environment?: string;
}

/** No running sandbox publishes an endpoint in the state directory. */
export class NoSandboxError extends Error {
  override readonly name = 'NoSandboxError';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The endpoint of the sandbox running on `stateDir`; throws {@link NoSandboxError} naming the file. */
export function readSandboxEndpoint(stateDir: string): SandboxEndpoint {
  const file = join(stateDir, ENDPOINT_FILE);
  if (!existsSync(file)) {
    throw new NoSandboxError(`no running sandbox (${file} not found): start one with \`npm start -- --watch\``);
  }
  const endpoint = JSON.parse(readFileSync(file, 'utf8')) as SandboxEndpoint;
  if (!isRunning(endpoint.pid)) {
    throw new NoSandboxError(`the sandbox that wrote ${file} (pid ${endpoint.pid}) is not running`);
  }
  return endpoint;
}
