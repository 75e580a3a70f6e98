/**
 * The local sandbox: the whole pipeline on one machine, no cloud accounts (`npm start`).
 *
 *   npx tsx bin/sandbox.ts [--watch] [--data <dir>] [--reset] [--config <module>] [--env <name>]
 *
 * See docs/sandbox.md. The work happens in bin/sandbox/; this file parses the command line,
 * makes sure Node runs with the legacy OpenSSL provider (s3rver's paginated listing needs DES),
 * and turns Ctrl-C into a clean shutdown.
 */
import { spawn } from 'child_process';
import { createCipheriv } from 'crypto';
import { join, relative } from 'path';
import { DEFAULT_STATE_DIR, USAGE, UsageError, parseOptions } from './sandbox/options';
import { ConfigError } from '../contracts/config';

const LEGACY = '--openssl-legacy-provider';

function legacyProviderLoaded(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** Re-runs this script with NODE_OPTIONS=--openssl-legacy-provider; resolves with its exit code. */
function reexecWithLegacyProvider(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${LEGACY}`.trim() },
  });
  // The terminal sends Ctrl-C to both processes; the child shuts down cleanly, the parent waits.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
}

/** The `npm run sql` command that reads this run's warehouse (its state directory, when not the default). */
function sqlCommand(stateDir: string, cwd: string): string {
  const state = relative(cwd, stateDir) || '.';
  return state === DEFAULT_STATE_DIR ? 'npm run sql --' : `npm run sql -- --state ${JSON.stringify(state)}`;
}

async function main(): Promise<number> {
  // The SDK's notice about Node 22 (AWS SDK releases after January 2027) is noise in a local run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.cwd(), join(__dirname, '..'));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sandbox: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (!legacyProviderLoaded()) return reexecWithLegacyProvider();

  // Loaded only now: the parser, DuckDB and the servers are not needed for --help.
  const { runSandbox } = await import('./sandbox/run');
  let stopping = false;
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`sandbox: ${signal} again, exiting without cleanup`);
      process.exit(130);
    }
    stopping = true;
    console.error(`sandbox: ${signal}, stopping (again to force)`);
    requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  try {
    const code = await runSandbox(options, (line) => console.log(line), {
      stopRequested,
      isStopping: () => stopping,
    });
    console.log(`sandbox finished in ${((Date.now() - started) / 1000).toFixed(1)} s, exit code ${code}`);
    console.log(`query it: ${sqlCommand(options.stateDir, process.cwd())} "SELECT * FROM core.<dataset> LIMIT 5"`);
    return code;
  } catch (err) {
    const e = err as Error;
    // A bad config file is the user's input: its message names the file and every field at fault, nothing more.
    if (err instanceof ConfigError) {
      console.error(`sandbox: ${e.message}`);
      return 2;
    }
    console.error(`sandbox: ${e.name}: ${e.message}`);
    if (e.cause instanceof Error) console.error(`  caused by ${e.cause.name}: ${e.cause.message}`);
    if (err instanceof UsageError) return 2;
    return stopping ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
