/**
 * Command-line arguments of the plan command, validated into {@link PlanArgs}. Every error names the
 * flag at fault.
 */
import { ACCESS_URL_PATTERN, ENVIRONMENT_NAME_PATTERN } from '../../contracts/config';
import { BUCKET_NAME_PATTERN, CliArgsError, parseFlags, stringFlag } from '../cli-args';

/** A bad or missing argument; `flag` names it (e.g. `--env`). */
export class PlanArgsError extends CliArgsError {
  override readonly name = 'PlanArgsError';
}

export type PlanFormat = 'text' | 'markdown';

export interface PlanArgs {
  readonly environment: string;
  /** Read the account (SHOW/DESC only) and print what an update would run. */
  readonly live: boolean;
  readonly format: PlanFormat;
  /** Config module; undefined → `$PIPELINE_CONFIG`, else config/pipeline.ts. */
  readonly configFile?: string;
  /** Local PEM private key (live); else `$SNOWFLAKE_PRIVATE_KEY_PATH`; else the Secrets Manager secret. */
  readonly privateKeyFile?: string;
  /** Stage bucket name; else (live) read from the deployed stage, else a placeholder. */
  readonly stageBucket?: string;
  /** Snowflake URL override (local test servers). */
  readonly accessUrl?: string;
  readonly goldDirectory?: string;
  readonly tasksDirectory?: string;
}

export const USAGE = `Usage: npx tsx bin/plan.ts --env <env> [--live [--private-key-file <key.pem>] [--access-url <url>]]
       [--format text|markdown] [--stage-bucket <name>] [--config <file>] [--gold-dir <dir>] [--tasks-dir <dir>]

Without --live: the SQL a fresh deploy of the environment runs, grouped per object in deploy order
(no credentials). With --live: reads the environment's Snowflake account with SHOW / DESC only and
prints what an update would run, like a terraform plan. Key: --private-key-file, else
$SNOWFLAKE_PRIVATE_KEY_PATH (passphrase: $SNOWFLAKE_PRIVATE_KEY_PASSPHRASE), else the environment's
Secrets Manager secret (AWS credentials needed).`;

/** Parses `argv` (without `node script`). Throws {@link PlanArgsError}. */
export function parsePlanArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PlanArgs {
  const values = parseFlags(
    argv,
    {
      env: { type: 'string' },
      live: { type: 'boolean' },
      format: { type: 'string' },
      config: { type: 'string' },
      'private-key-file': { type: 'string' },
      'stage-bucket': { type: 'string' },
      'access-url': { type: 'string' },
      'gold-dir': { type: 'string' },
      'tasks-dir': { type: 'string' },
    },
    (error) => new PlanArgsError('arguments', error.message),
  );
  const environment = stringFlag(values, 'env');
  if (!environment) throw new PlanArgsError('--env', 'is required');
  if (!ENVIRONMENT_NAME_PATTERN.test(environment))
    throw new PlanArgsError('--env', `must match ${ENVIRONMENT_NAME_PATTERN.source}`);
  const format = stringFlag(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'markdown') throw new PlanArgsError('--format', 'must be text or markdown');
  const stageBucket = stringFlag(values, 'stage-bucket');
  if (stageBucket !== undefined && !BUCKET_NAME_PATTERN.test(stageBucket))
    throw new PlanArgsError('--stage-bucket', 'must be an S3 bucket name');
  const live = values.live === true;
  const privateKeyFile = stringFlag(values, 'private-key-file') ?? env.SNOWFLAKE_PRIVATE_KEY_PATH;
  if (!live && values['private-key-file'] !== undefined)
    throw new PlanArgsError('--private-key-file', 'only applies with --live');
  const accessUrl = stringFlag(values, 'access-url');
  if (accessUrl !== undefined && !ACCESS_URL_PATTERN.test(accessUrl))
    throw new PlanArgsError('--access-url', 'must be an http(s) URL of a host');
  const goldDirectory = stringFlag(values, 'gold-dir');
  const tasksDirectory = stringFlag(values, 'tasks-dir');
  return {
    environment,
    live,
    format,
    configFile: stringFlag(values, 'config') ?? env.PIPELINE_CONFIG,
    ...(live && privateKeyFile ? { privateKeyFile } : {}),
    ...(stageBucket ? { stageBucket } : {}),
    ...(accessUrl ? { accessUrl } : {}),
    ...(goldDirectory ? { goldDirectory } : {}),
    ...(tasksDirectory ? { tasksDirectory } : {}),
  };
}
