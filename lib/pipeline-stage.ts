import * as path from 'path';
import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError, loadConfig, resolveEnvironment, stageName, type PipelineConfig } from './config';
import { addNagChecks } from './nag/checks';
import { PipelineStack } from './pipeline-stack';

export interface PipelineStageProps extends StageProps {
  /** The validated project configuration (`loadConfig`). */
  readonly config: PipelineConfig;
  /** Name of the environment (in `config.environments`) this Stage deploys. */
  readonly environmentName: string;
  /** Run the cdk-nag AwsSolutions checks when this Stage synthesizes. @default true */
  readonly nag?: boolean;
}

/**
 * One deployment environment: a Stage named after it (`dev` → `Dev`) pinned to the environment's
 * account and region, holding the `Pipeline` stack (`Dev/Pipeline`, stack name `<project>-<env>-pipeline`).
 * `cdk deploy 'Dev/*'` deploys exactly this environment.
 */
export class PipelineStage extends Stage {
  readonly pipeline: PipelineStack;

  /** Creates the Stage of `environmentName`, named by {@link stageName}. */
  static forEnvironment(scope: Construct, config: PipelineConfig, environmentName: string): PipelineStage {
    return new PipelineStage(scope, stageName(environmentName), { config, environmentName });
  }

  constructor(scope: Construct, id: string, props: PipelineStageProps) {
    const { config, environmentName, nag, ...stageProps } = props;
    const resolved = resolveEnvironment(config, environmentName);
    const { account, region } = resolved.environment;
    super(scope, id, { ...stageProps, env: { account, region } });
    this.pipeline = new PipelineStack(this, 'Pipeline', {
      resolved,
      env: { account, region },
      description: `S3 → Snowflake ingestion pipeline: ${resolved.project} ${resolved.environment.name}`,
    });
    if (nag ?? true) addNagChecks(this);
  }
}

/** The example configuration shipped with the project. */
export const DEFAULT_CONFIG_PATH = path.join(__dirname, '..', 'config', 'pipeline.ts');

/**
 * Loads and validates the project configuration from a `.ts`, `.js` or `.json` module (its default
 * export, or the module itself). Throws {@link ConfigError} naming the file when it cannot be loaded,
 * and each invalid field as `path: rule`.
 */
export function readPipelineConfig(file: string = DEFAULT_CONFIG_PATH): PipelineConfig {
  const resolved = path.resolve(file);
  if (!/\.(ts|js|cjs|json)$/.test(resolved)) {
    throw new ConfigError([`${resolved}: must be a .ts, .js, .cjs or .json file`], 'config file');
  }
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config path is chosen at run time
    loaded = require(resolved);
  } catch (cause) {
    const error = new ConfigError([`${resolved}: cannot load (${(cause as Error).message})`], 'config file');
    error.cause = cause;
    throw error;
  }
  const raw = (loaded as { default?: unknown } | null)?.default ?? loaded;
  try {
    return loadConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems, `pipeline config ${resolved}`);
    throw error;
  }
}
