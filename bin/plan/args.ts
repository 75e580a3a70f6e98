/**
 * Command-line arguments of the plan command, validated into {@link PlanArgs}. Every error names the
 * flag at fault.
 */
import { parseArgs } from 'util';
import { ENVIRONMENT_NAME_PATTERN } from '../../lib/config';

/** A bad or missing argument; `flag` names it (e.g. `--env`). */
export class PlanArgsError extends Error {
  override readonly name = 'PlanArgsError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
  }
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

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `argv` (without `node script`). Throws {@link PlanArgsError}. */
export function parsePlanArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PlanArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
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
    }));
  } catch (error) {
    throw new PlanArgsError('arguments', (error as Error).message);
  }
  const environment = values.env as string | undefined;
  if (!environment) throw new PlanArgsError('--env', 'is required');
  if (!ENVIRONMENT_NAME_PATTERN.test(environment))
    throw new PlanArgsError('--env', `must match ${ENVIRONMENT_NAME_PATTERN.source}`);
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'markdown') throw new PlanArgsError('--format', 'must be text or markdown');
  const stageBucket = values['stage-bucket'] as string | undefined;
  if (stageBucket !== undefined && !BUCKET.test(stageBucket))
    throw new PlanArgsError('--stage-bucket', 'must be an S3 bucket name');
  const live = values.live === true;
  const privateKeyFile = (values['private-key-file'] as string | undefined) ?? env.SNOWFLAKE_PRIVATE_KEY_PATH;
  if (!live && values['private-key-file'] !== undefined)
    throw new PlanArgsError('--private-key-file', 'only applies with --live');
  const accessUrl = values['access-url'] as string | undefined;
  if (accessUrl !== undefined && !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/.test(accessUrl))
    throw new PlanArgsError('--access-url', 'must be an http(s) URL of a host');
  return {
    environment,
    live,
    format,
    configFile: (values.config as string | undefined) ?? env.PIPELINE_CONFIG,
    ...(live && privateKeyFile ? { privateKeyFile } : {}),
    ...(stageBucket ? { stageBucket } : {}),
    ...(accessUrl ? { accessUrl } : {}),
    ...(values['gold-dir'] ? { goldDirectory: values['gold-dir'] as string } : {}),
    ...(values['tasks-dir'] ? { tasksDirectory: values['tasks-dir'] as string } : {}),
  };
}
