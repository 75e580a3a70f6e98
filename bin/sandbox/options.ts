/**
 * Command line of the sandbox (`npm start -- [options]`), validated into {@link SandboxOptions}.
 */
import { resolve } from 'path';
import { parseArgs } from 'util';

export interface SandboxOptions {
  /** Folder of input files laid out `<source>/<dataset>/…`. @default examples/ */
  readonly dataDir: string;
  /** Keep running and ingest files as they arrive (drop folder, bin/upload.ts). @default false */
  readonly watch: boolean;
  /** Delete the state directory first. @default false */
  readonly reset: boolean;
  /** Pipeline config module (default export or `config` export), or a JSON file. @default config/pipeline.ts */
  readonly configPath: string;
  /** Environment whose dataset overrides and ingestion settings apply. @default the config's first environment */
  readonly environment?: string;
  /** State directory (S3 objects, DuckDB file, drop folder, endpoint file). @default .sandbox */
  readonly stateDir: string;
  /** Seconds before a failed message is redelivered (the deployed queue waits its visibility timeout). @default 1 */
  readonly retryDelaySeconds: number;
  /** Print the parser's own logs (Powertools, INFO and above). @default false (errors only) */
  readonly verbose: boolean;
  /** Also write the run's summary as JSON to this file. @default none */
  readonly summaryJson?: string;
}

export const USAGE = `Usage: npm start -- [options]
  Runs the whole pipeline on this machine: local S3 + SQS, the real parser, a DuckDB warehouse.

  --data <dir>         input files laid out <source>/<dataset>/... (default: examples/)
  --watch              keep running; ingest files dropped into <state>/drop/<source>/<dataset>/
                       or uploaded with \`npm run upload -- <file> --source <s> --dataset <d>\`
  --reset              delete the state directory first (S3 objects, warehouse, upload log)
  --config <module>    pipeline config module or JSON file (default: config/pipeline.ts)
  --env <name>         environment whose dataset overrides and ingestion settings apply
                       (default: the config's first environment)
  --state <dir>        state directory (default: .sandbox)
  --retry-delay <s>    seconds before a failed message is redelivered (default: 1)
  --summary-json <f>   also write the summary as JSON
  --verbose            show the parser's logs
  --help               this text`;

/** A bad command line; the message names the option. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `argv` (without node and script); relative paths resolve against `cwd`. */
export function parseOptions(argv: readonly string[], cwd: string, projectRoot: string): SandboxOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        watch: { type: 'boolean' },
        reset: { type: 'boolean' },
        config: { type: 'string' },
        env: { type: 'string' },
        state: { type: 'string' },
        'retry-delay': { type: 'string' },
        'summary-json': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const retry = v['retry-delay'] === undefined ? 1 : Number(v['retry-delay']);
  if (!Number.isInteger(retry) || retry < 0 || retry > 43_200) {
    throw new UsageError(
      `--retry-delay must be a whole number of seconds between 0 and 43200, got "${v['retry-delay']}"`,
    );
  }
  for (const name of ['data', 'config', 'env', 'state', 'summary-json'] as const) {
    if (v[name] !== undefined && v[name].trim() === '') throw new UsageError(`--${name} must not be empty`);
  }
  return {
    dataDir: resolve(cwd, v.data ?? resolve(projectRoot, 'examples')),
    watch: v.watch ?? false,
    reset: v.reset ?? false,
    configPath: resolve(cwd, v.config ?? resolve(projectRoot, 'config', 'pipeline.ts')),
    environment: v.env,
    stateDir: resolve(cwd, v.state ?? '.sandbox'),
    retryDelaySeconds: retry,
    verbose: v.verbose ?? false,
    summaryJson: v['summary-json'] === undefined ? undefined : resolve(cwd, v['summary-json']),
  };
}
