#!/usr/bin/env node
/**
 * The CDK app: one Stage per configured environment (`Dev/Pipeline`, `Prod/Pipeline`, …), each with
 * cdk-nag's AwsSolutions checks. The config is `config/pipeline.ts`, or the .ts/.js/.json module named by
 * PIPELINE_CONFIG; an invalid config fails synth with one `path: rule` line per problem.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../contracts/config';
import { readPipelineConfig } from '../lib/config-file';
import { PipelineStage } from '../lib/pipeline-stage';

try {
  const config = readPipelineConfig(process.env.PIPELINE_CONFIG || undefined);
  const app = new App();
  for (const environment of config.environments) PipelineStage.forEnvironment(app, config, environment.name);
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
