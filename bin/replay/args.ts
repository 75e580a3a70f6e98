/**
 * Command-line arguments of the replay CLI, validated into {@link ReplayArgs}. Every error names the
 * flag at fault.
 */
import { IDENTIFIER_PATTERN, SOURCE_NAME_PATTERN, ENVIRONMENT_NAME_PATTERN } from '../../contracts/config';
import { PARSER_ENV } from '../../contracts/constants';
import { PIPELINE_STACK_OUTPUTS } from '../../contracts/stack-outputs';
import { BUCKET_NAME_PATTERN, CliArgsError, parseFlags, stringFlag } from '../cli-args';
import { resolve } from 'path';
import { NoSandboxError, readSandboxEndpoint } from '../sandbox/endpoint';
import { daysInRange, isIsoDate } from '../../contracts/archive-keys';

/** A bad or missing argument; `flag` names it (e.g. `--from`). */
export class ReplayArgsError extends CliArgsError {
  override readonly name = 'ReplayArgsError';
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 64;
/** Longest replay window accepted in one run (days). */
export const MAX_RANGE_DAYS = 3660;

export interface ReplayArgs {
  readonly environment: string;
  readonly dataset: string;
  /** Only this source; undefined → every source allowed to upload the dataset. */
  readonly source?: string;
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** From `--archive-bucket`, else `$ARCHIVE_BUCKET`, else the deployed stack's output (see {@link ParsedReplayArgs}). */
  readonly archiveBucket: string;
  /** From `--inbound-bucket`, else `$INBOUND_BUCKET`, else the deployed stack's output. */
  readonly inboundBucket: string;
  /** Config module; undefined → `$PIPELINE_CONFIG`, else config/pipeline.ts. */
  readonly configFile?: string;
  readonly reportFile?: string;
  readonly concurrency: number;
  readonly includeUnrouted: boolean;
  /** `--sandbox`: the running local sandbox's S3 endpoint (its buckets, config and environment are the defaults). */
  readonly sandbox?: { readonly s3Endpoint: string; readonly stateDir: string };
}

/** What the command line gives: a bucket not named there is read from the deployed stack's outputs. */
export type ParsedReplayArgs = Omit<ReplayArgs, 'archiveBucket' | 'inboundBucket'> & {
  readonly archiveBucket?: string;
  readonly inboundBucket?: string;
};

/** Default state directory of `--sandbox` (the sandbox's own default). */
export const DEFAULT_SANDBOX_STATE = '.sandbox';

export const USAGE = `Usage: npx tsx bin/replay.ts --env <env> --dataset <dataset> --from <YYYY-MM-DD> --to <YYYY-MM-DD>
       [--source <source>] [--dry-run] [--report <file.json>] [--concurrency <1-${MAX_CONCURRENCY}>]
       [--include-unrouted] [--archive-bucket <name>] [--inbound-bucket <name>] [--config <file>]
       npx tsx bin/replay.ts --sandbox [--state <dir>] --dataset <dataset> --from <date> --to <date> [...]

Re-ingests archived originals: copies them from the archive bucket back into the inbound bucket,
so the parser processes them again. Buckets default to $${PARSER_ENV.archiveBucket} / $${PARSER_ENV.inboundBucket},
else to the outputs ${PIPELINE_STACK_OUTPUTS.archiveBucket} / ${PIPELINE_STACK_OUTPUTS.inboundBucket} of the environment's deployed stack
(<project>-<env>-pipeline, read with CloudFormation DescribeStacks in the environment's region).
--sandbox replays in the local sandbox running on --state (default ${'.sandbox'}, see \`npm start -- --watch\`):
its buckets, endpoint, config and environment are the defaults; no AWS account is used.`;

/** Parses `argv` (without `node script`); `env` supplies the bucket fallbacks. Throws {@link ReplayArgsError}. */
export function parseReplayArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedReplayArgs {
  const values = parseFlags(
    argv,
    {
      env: { type: 'string' },
      dataset: { type: 'string' },
      source: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'archive-bucket': { type: 'string' },
      'inbound-bucket': { type: 'string' },
      config: { type: 'string' },
      report: { type: 'string' },
      concurrency: { type: 'string' },
      'include-unrouted': { type: 'boolean' },
      sandbox: { type: 'boolean' },
      state: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    (cause) => {
      const flag = /'(-{1,2}[\w-]+)/.exec(cause.message)?.[1] ?? '(arguments)';
      const error = new ReplayArgsError(flag, cause.message.replace(/\. To specify.*$/s, ''));
      error.cause = cause;
      return error;
    },
  );
  if (values.help) throw new ReplayArgsError('--help', USAGE);

  const required = (flag: string): string => {
    const v = stringFlag(values, flag);
    if (v === undefined || v === '') throw new ReplayArgsError(`--${flag}`, 'is required');
    return v;
  };
  const matching = (flag: string, value: string, re: RegExp): string => {
    if (!re.test(value)) throw new ReplayArgsError(`--${flag}`, `"${value}" must match ${re.source}`);
    return value;
  };

  let local:
    | { s3Endpoint: string; stateDir: string; archive: string; inbound: string; config?: string; env?: string }
    | undefined;
  if (values.sandbox === true) {
    const stateDir = resolve(stringFlag(values, 'state') || DEFAULT_SANDBOX_STATE);
    try {
      const e = readSandboxEndpoint(stateDir);
      local = {
        s3Endpoint: e.s3Endpoint,
        stateDir,
        archive: e.archiveBucket,
        inbound: e.inboundBucket,
        config: e.configPath,
        env: e.environment,
      };
    } catch (err) {
      if (!(err instanceof NoSandboxError)) throw err;
      throw new ReplayArgsError('--sandbox', err.message, { cause: err });
    }
  } else if (stringFlag(values, 'state') !== undefined) {
    throw new ReplayArgsError('--state', 'is only meaningful with --sandbox');
  }
  const environment = matching(
    'env',
    stringFlag(values, 'env') || local?.env || required('env'),
    ENVIRONMENT_NAME_PATTERN,
  );
  const dataset = matching('dataset', required('dataset'), IDENTIFIER_PATTERN);
  const sourceValue = stringFlag(values, 'source');
  const source = sourceValue === undefined ? undefined : matching('source', sourceValue, SOURCE_NAME_PATTERN);
  const from = required('from');
  const to = required('to');
  if (!isIsoDate(from)) throw new ReplayArgsError('--from', `"${from}" is not a date in the form YYYY-MM-DD`);
  if (!isIsoDate(to)) throw new ReplayArgsError('--to', `"${to}" is not a date in the form YYYY-MM-DD`);
  if (to < from) throw new ReplayArgsError('--to', `${to} is before --from ${from}`);
  if (daysInRange(from, to) > MAX_RANGE_DAYS) {
    throw new ReplayArgsError('--to', `the range ${from}..${to} is longer than ${MAX_RANGE_DAYS} days; split it`);
  }

  const bucket = (flag: string, envName: string): string | undefined => {
    const value =
      stringFlag(values, flag) ??
      (local ? (flag === 'archive-bucket' ? local.archive : local.inbound) : undefined) ??
      (env[envName] || undefined);
    if (value !== undefined) checkBucketName(`--${flag}`, value);
    return value;
  };
  const archiveBucket = bucket('archive-bucket', PARSER_ENV.archiveBucket);
  const inboundBucket = bucket('inbound-bucket', PARSER_ENV.inboundBucket);
  if (archiveBucket !== undefined && inboundBucket !== undefined) checkBucketPair(archiveBucket, inboundBucket);

  const concurrencyText = stringFlag(values, 'concurrency');
  let concurrency = DEFAULT_CONCURRENCY;
  if (concurrencyText !== undefined) {
    concurrency = Number(concurrencyText);
    if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new ReplayArgsError(
        '--concurrency',
        `"${concurrencyText}" must be an integer from 1 to ${MAX_CONCURRENCY}`,
      );
    }
  }
  const reportFile = stringFlag(values, 'report');
  if (reportFile === '') throw new ReplayArgsError('--report', 'must name a file');

  return {
    environment,
    dataset,
    source,
    from,
    to,
    dryRun: values['dry-run'] === true,
    ...(archiveBucket !== undefined ? { archiveBucket } : {}),
    ...(inboundBucket !== undefined ? { inboundBucket } : {}),
    configFile: stringFlag(values, 'config') ?? local?.config,
    reportFile,
    concurrency,
    includeUnrouted: values['include-unrouted'] === true,
    ...(local ? { sandbox: { s3Endpoint: local.s3Endpoint, stateDir: local.stateDir } } : {}),
  };
}

/** Throws naming `flag` when `value` is not a valid S3 bucket name. */
export function checkBucketName(flag: string, value: string): void {
  if (!BUCKET_NAME_PATTERN.test(value)) throw new ReplayArgsError(flag, `"${value}" is not a valid S3 bucket name`);
}

/** A replay copies from one bucket into another: the two must differ. */
export function checkBucketPair(archiveBucket: string, inboundBucket: string): void {
  if (archiveBucket === inboundBucket)
    throw new ReplayArgsError('--inbound-bucket', 'must differ from --archive-bucket');
}
