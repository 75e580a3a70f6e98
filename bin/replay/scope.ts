/**
 * What a replay may touch, decided from the project config: the environment, the dataset (with the
 * environment's overrides) and the sources allowed to upload it.
 */
import { ConfigError, resolveEnvironment, type PipelineConfig } from '../../contracts/config';
import { DEFAULT_CONFIG_PATH, readPipelineConfig } from '../../lib/config-file';
import { ReplayArgsError } from './args';

/** Default config module, as for `cdk synth`. */
export const DEFAULT_CONFIG_FILE = DEFAULT_CONFIG_PATH;

/** Loads and validates a config module (`.ts` through tsx, `.js`, `.json`); errors name `--config`. */
export function loadConfigFile(file: string = DEFAULT_CONFIG_FILE): PipelineConfig {
  try {
    return readPipelineConfig(file);
  } catch (cause) {
    if (!(cause instanceof ConfigError)) throw cause;
    const error = new ReplayArgsError('--config', cause.message);
    error.cause = cause;
    throw error;
  }
}

export interface ReplayScope {
  /** Sources whose archived files are replayed, sorted. */
  readonly sources: readonly string[];
  /** AWS region of the environment (used when no region is configured in the shell). */
  readonly region: string;
  /** AWS account of the environment (where its stack is deployed). */
  readonly account: string;
}

/**
 * Sources to replay: `--source` when given (it must be configured and allowed to upload the
 * dataset), else every configured source whose `datasets` list includes the dataset (or has none).
 */
export function resolveScope(
  config: PipelineConfig,
  args: { environment: string; dataset: string; source?: string },
): ReplayScope {
  const environment = config.environments.find((e) => e.name === args.environment);
  if (!environment) {
    throw new ReplayArgsError(
      '--env',
      `no environment "${args.environment}" in the config (have: ${config.environments.map((e) => e.name).join(', ')})`,
    );
  }
  const { datasets } = resolveEnvironment(config, args.environment);
  if (!datasets.some((d) => d.name === args.dataset)) {
    throw new ReplayArgsError(
      '--dataset',
      `no dataset "${args.dataset}" in environment ${args.environment} (have: ${datasets.map((d) => d.name).join(', ')})`,
    );
  }
  const allowed = config.sources
    .filter((s) => s.datasets === undefined || s.datasets.includes(args.dataset))
    .map((s) => s.name)
    .sort();
  if (args.source !== undefined) {
    if (!config.sources.some((s) => s.name === args.source)) {
      throw new ReplayArgsError(
        '--source',
        `no source "${args.source}" in the config (have: ${config.sources.map((s) => s.name).join(', ')})`,
      );
    }
    if (!allowed.includes(args.source)) {
      throw new ReplayArgsError(
        '--source',
        `source "${args.source}" may not upload dataset "${args.dataset}" (allowed: ${allowed.join(', ') || 'none'})`,
      );
    }
    return { sources: [args.source], region: environment.region, account: environment.account };
  }
  if (allowed.length === 0) throw new ReplayArgsError('--dataset', `no configured source may upload "${args.dataset}"`);
  return { sources: allowed, region: environment.region, account: environment.account };
}
