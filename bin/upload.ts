/**
 * Uploads a file to a running sandbox (`npm start -- --watch`), as a producer would:
 *
 *   npx tsx bin/upload.ts <file> --source <source> --dataset <dataset> [--key <rest/of/key>] [--state <dir>]
 *
 * The object lands in the sandbox's inbound bucket under `<source>/<dataset>/<key or file name>`;
 * its S3 event then flows through the queue and the parser like any other. The sandbox publishes
 * its S3 endpoint in `<state>/endpoint.json` (default state dir: .sandbox).
 */
import { existsSync, readFileSync, statSync } from 'fs';
import { basename, resolve } from 'path';
import { parseArgs } from 'util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ENDPOINT_FILE } from './sandbox/endpoint';
import type { SandboxEndpoint } from './sandbox/endpoint';
import { localS3Client } from './sandbox/s3-server';

const USAGE = `Usage: npm run upload -- <file> --source <source> --dataset <dataset> [--key <path>] [--state <dir>]
  Uploads <file> to the running sandbox's inbound bucket as <source>/<dataset>/<path>
  (default path: the file name). Start the sandbox first: npm start -- --watch`;

class UploadError extends Error {
  override readonly name = 'UploadError';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Validates the command line and the running sandbox; returns the bucket, key and endpoint. */
export function planUpload(argv: readonly string[], cwd: string) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      dataset: { type: 'string' },
      key: { type: 'string' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new UploadError(`expected exactly one file, got ${positionals.length}`);
  const file = resolve(cwd, positionals[0]);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UploadError(`${file} is not a file`);
  const { source, dataset } = values;
  if (!source || !dataset) throw new UploadError('--source and --dataset are required');
  const endpointFile = resolve(cwd, values.state ?? '.sandbox', ENDPOINT_FILE);
  if (!existsSync(endpointFile)) {
    throw new UploadError(`no running sandbox (${endpointFile} not found): start one with \`npm start -- --watch\``);
  }
  const endpoint = JSON.parse(readFileSync(endpointFile, 'utf8')) as SandboxEndpoint;
  if (!isRunning(endpoint.pid)) {
    throw new UploadError(`the sandbox that wrote ${endpointFile} (pid ${endpoint.pid}) is not running`);
  }
  const datasets = endpoint.sources[source];
  if (!datasets) {
    throw new UploadError(`unknown source "${source}" (have: ${Object.keys(endpoint.sources).join(', ')})`);
  }
  if (!datasets.includes(dataset)) {
    throw new UploadError(
      `source "${source}" may not upload to dataset "${dataset}" (allowed: ${datasets.join(', ')})`,
    );
  }
  const rest = (values.key ?? basename(file)).replace(/^\/+/, '');
  if (!rest) throw new UploadError('--key must not be empty');
  return { file, endpoint, key: `${source}/${dataset}/${rest}` };
}

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let plan;
  try {
    plan = planUpload(process.argv.slice(2), process.cwd());
  } catch (err) {
    console.error(`upload: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!plan) {
    console.log(USAGE);
    return 0;
  }
  const s3 = localS3Client(plan.endpoint.s3Endpoint);
  try {
    const out = await s3.send(
      new PutObjectCommand({ Bucket: plan.endpoint.inboundBucket, Key: plan.key, Body: readFileSync(plan.file) }),
    );
    console.log(`uploaded ${plan.file} → s3://${plan.endpoint.inboundBucket}/${plan.key} (eTag ${out.ETag})`);
    return 0;
  } catch (err) {
    console.error(`upload: cannot put s3://${plan.endpoint.inboundBucket}/${plan.key}: ${(err as Error).message}`);
    return 1;
  } finally {
    s3.destroy();
  }
}

if (require.main === module) {
  main().then((code) => (process.exitCode = code));
}
