/**
 * Runs the uploader CLI in this process (main() with captured output) or as a child process (for SIGKILL
 * tests), against a local S3 server. Expected keys are computed here from the test's own bytes.
 */
import { spawn, type ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { pathToFileURL } from 'url';
import { main } from '../../bin/uploader/cli';
import { LOCAL_CREDENTIALS } from '../../bin/sandbox/s3-server';

export const BUCKET = 'inbound';
export const SOURCE = 'weather';
export const DATASET = 'weather';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  /** Structured log lines (JSON). */
  readonly logs: Record<string, unknown>[];
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The key a file named `name` with these bytes must get: `<source>/<dataset>/<stem>.<32 hex><ext>`. */
export function expectedKey(name: string, ext: string, bytes: Buffer | string): string {
  return `${SOURCE}/${DATASET}/${name}.${sha256Hex(bytes).slice(0, 32)}${ext}`;
}

/** Flags every command needs against `endpoint`. */
export function targetFlags(endpoint: string): string[] {
  return [
    '--source',
    SOURCE,
    '--dataset',
    DATASET,
    '--bucket',
    BUCKET,
    '--region',
    'us-east-1',
    '--endpoint',
    endpoint,
    '--path-style',
  ];
}

/** The SDK's default chain reads the process environment: point it at the local server's fixed credentials. */
export function useLocalCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
}

export async function runCli(argv: string[], cwd: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env: process.env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  const logs = stderr
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, stdout, logs };
}

export const events = (run: CliRun, event: string) => run.logs.filter((l) => l.event === event);

export async function tempDir(prefix = 'uploader-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts the CLI as a child process (tsx), with the local credentials in its environment. */
export function spawnCli(argv: string[], cwd: string): ChildProcess & { stderrText: () => string } {
  // `node --import tsx`, not tsx's CLI: the CLI runs the script in a child process of its own, so a SIGKILL
  // (which it cannot relay) would kill the wrapper and leave the uploader running.
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href,
      join(__dirname, '../../bin/uploader.ts'),
      ...argv,
    ],
    {
      cwd,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  return Object.assign(child, { stderrText: () => text });
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
