/**
 * `npm run check`: the static checks of `npm test` (type check, lint, format), run side by side. Each is a
 * single-threaded process, so on CI's two cores this takes about as long as the slowest of them instead of their
 * sum. Each check's output is printed whole when it ends (never interleaved); the exit code is 1 when any failed.
 */
import { spawn } from 'child_process';

const CHECKS: readonly (readonly [name: string, command: string, args: readonly string[]])[] = [
  ['typecheck', 'tsc', ['--noEmit']],
  ['lint', 'eslint', ['.', '--max-warnings', '0']],
  ['format', 'prettier', ['--check', '.', '--log-level', 'warn']],
];

function run([name, command, args]: readonly [string, string, readonly string[]]): Promise<boolean> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const text = Buffer.concat(output).toString('utf8').trimEnd();
      const status = code === 0 ? 'ok' : `FAILED (exit ${code})`;
      process.stdout.write(`${name}: ${status} in ${seconds} s (${command} ${args.join(' ')})\n`);
      if (text) process.stdout.write(`${text}\n`);
      resolve(code === 0);
    });
  });
}

void Promise.all(CHECKS.map(run)).then((results) => {
  process.exitCode = results.every(Boolean) ? 0 : 1;
});
