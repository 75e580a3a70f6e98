/**
 * Command line of the sandbox (`npm start -- [options]`), validated into {@link SandboxOptions}.
 */
import { createHash } from 'crypto';
import { basename, resolve } from 'path';
import { parseArgs } from 'util';

/** Default state directory of the bundled examples. */
export const DEFAULT_STATE_DIR = '.sandbox';
/** Parent of the default state directories of `--data <dir>` runs (one per data folder). */
export const DATA_STATE_PARENT = '.sandbox-data';
/** Environment variable naming the config module, as for synth, plan and replay. */
export const PIPELINE_CONFIG_ENV = 'PIPELINE_CONFIG';

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
  /** Exit non-zero (3) when anything was quarantined or rejected. @default false */
  readonly strict: boolean;
  /** Folder of gold SQL (`<view>.sql`). @default snowflake/gold/ */
  /** `--gold`; undefined: the config's SQL folder's `gold/` (else this repository's). */
  readonly goldDir?: string;
  /** Seconds between progress lines while a file is parsed. @default 5 */
  readonly progressSeconds: number;
}

export const USAGE = `Usage: npm start -- [options]
  Runs the whole pipeline on this machine: local S3 + SQS, the real parser, a DuckDB warehouse.

  --data <dir>         input files laid out <source>/<dataset>/... (default: examples/); uploaded in
                       key order (byte order of <source>/<dataset>/<path>); without --state, a
                       --data run keeps its own state in .sandbox-data/<folder>-<hash>/
  --watch              keep running; ingest files dropped into <state>/drop/<source>/<dataset>/
                       or uploaded with \`npm run upload -- <file> --source <s> --dataset <d>\`
  --reset              delete the state directory first (S3 objects, warehouse, upload log)
  --config <module>    pipeline config module or JSON file (default: $PIPELINE_CONFIG, else
                       config/pipeline.ts)
  --gold <dir>         gold SQL folder (default: gold/ of the config's sqlDirectory, else
                       snowflake/gold/); views reading datasets the config lacks are skipped
  --env <name>         environment whose dataset overrides and ingestion settings apply
                       (default: the config's first environment)
  --state <dir>        state directory (default: .sandbox; see --data)
  --retry-delay <s>    seconds before a failed message is redelivered (default: 1)
  --summary-json <f>   also write the summary as JSON
  --strict             exit 3 when any file was quarantined or any row rejected (for CI)
  --progress <s>       seconds between progress lines while a file is parsed (default: 5)
  --verbose            show the parser's logs
  --help               this text`;

/** A bad command line; the message names the option. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `argv` (without node and script); relative paths resolve against `cwd`. */
export function parseOptions(
  argv: readonly string[],
  cwd: string,
  projectRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): SandboxOptions | 'help' {
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
        strict: { type: 'boolean' },
        gold: { type: 'string' },
        progress: { type: 'string' },
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
  const progress = v.progress === undefined ? 5 : Number(v.progress);
  if (!Number.isFinite(progress) || progress <= 0 || progress > 3600) {
    throw new UsageError(`--progress must be a number of seconds above 0 and at most 3600, got "${v.progress}"`);
  }
  for (const name of ['data', 'config', 'env', 'state', 'summary-json', 'gold'] as const) {
    if (v[name] !== undefined && v[name].trim() === '') throw new UsageError(`--${name} must not be empty`);
  }
  const dataDir = resolve(cwd, v.data ?? resolve(projectRoot, 'examples'));
  const configFromEnv = env[PIPELINE_CONFIG_ENV]?.trim() || undefined;
  return {
    dataDir,
    watch: v.watch ?? false,
    reset: v.reset ?? false,
    configPath: resolve(cwd, v.config ?? configFromEnv ?? resolve(projectRoot, 'config', 'pipeline.ts')),
    environment: v.env,
    stateDir: resolve(cwd, v.state ?? (v.data === undefined ? DEFAULT_STATE_DIR : dataStateDir(dataDir))),
    retryDelaySeconds: retry,
    verbose: v.verbose ?? false,
    summaryJson: v['summary-json'] === undefined ? undefined : resolve(cwd, v['summary-json']),
    strict: v.strict ?? false,
    ...(v.gold !== undefined ? { goldDir: resolve(cwd, v.gold) } : {}),
    progressSeconds: progress,
  };
}

/**
 * The default state directory of a `--data <dir>` run: its own, so the user's files never mix with
 * the examples' state (`.sandbox-data/<folder name>-<hash of the absolute path>`).
 */
export function dataStateDir(dataDir: string): string {
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
  const name = basename(dataDir).replace(/[^A-Za-z0-9._-]+/g, '_') || 'data';
  return `${DATA_STATE_PARENT}/${name}-${hash}`;
}
