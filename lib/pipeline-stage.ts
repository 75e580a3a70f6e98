import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { resolveEnvironment, stageName, type PipelineConfig } from '../contracts/config';
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
