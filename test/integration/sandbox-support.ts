/**
 * Helpers for the sandbox's end-to-end tests: run the real CLI (bin/sandbox.ts, bin/upload.ts)
 * with tsx as a child process, exactly as `npm start` does, and wait on its output.
 */
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Summary } from '../../bin/sandbox/summary';

export const ROOT = join(__dirname, '..', '..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits. */
  readonly exited: Promise<CliResult>;
}

/** Runs `node --import tsx <script>`: the child IS the CLI process (signals reach it directly). */
export function startCli(script: string, args: readonly string[]): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '--openssl-legacy-provider',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Kills a CLI still running (e.g. after a failed assertion) and waits for it to exit. */
export async function stopCli(cli: RunningCli | undefined): Promise<void> {
  if (!cli || cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  cli.child.kill('SIGKILL');
  await cli.exited;
}

/**
 * Runs a CLI to completion. A process still running after `timeoutMs` (e.g. a handle left open at
 * shutdown) is killed, so the test fails instead of hanging the suite.
 */
export async function runCli(script: string, args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  const cli = startCli(script, args);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 100 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Writes a sandbox's inputs into `dir`: `config` as pipeline.json, and each of `files` (keys
 * `<source>/<dataset>/…`, `/`-separated) under data/.
 */
export function writeSandboxInputs(dir: string, config: unknown, files: Record<string, string | Buffer>): void {
  for (const [key, body] of Object.entries(files)) {
    mkdirSync(join(dir, 'data', ...key.split('/').slice(0, -1)), { recursive: true });
    writeFileSync(join(dir, 'data', ...key.split('/')), body);
  }
  writeFileSync(join(dir, 'pipeline.json'), JSON.stringify(config));
}

/** The sandbox's options for the inputs {@link writeSandboxInputs} wrote into `dir`, its state in dir/state. */
export function sandboxArgs(dir: string): string[] {
  return ['--config', join(dir, 'pipeline.json'), '--data', join(dir, 'data'), '--state', join(dir, 'state')];
}

/** Runs the sandbox CLI on `dir`'s inputs with `--summary-json`; returns the run and the summary it wrote. */
export async function runSandboxWithSummary(dir: string): Promise<{ run: CliResult; summary: Summary }> {
  const run = await runCli('bin/sandbox.ts', [...sandboxArgs(dir), '--summary-json', join(dir, 'summary.json')]);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  return { run, summary };
}
