#!/usr/bin/env node
/**
 * The CDK app: one Stage per configured environment (`Dev/Pipeline`, `Prod/Pipeline`, …), each with
 * cdk-nag's AwsSolutions checks. The config is `config/pipeline.ts`, or the .ts/.js/.json module named by
 * PIPELINE_CONFIG; an invalid config fails synth with one `path: rule` line per problem, and a SQL file that does
 * not fit the config (e.g. the reference scenarios' gold views under your own datasets) names the file and the
 * config's `sqlDirectory`.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../contracts/config';
import { readPipelineConfig } from '../lib/config-file';
import { PipelineStage } from '../lib/pipeline-stage';
import { sqlDirectoryHint } from '../lib/snowflake/data-model-input';
import { SqlFileError } from '../snowflake/model/errors';

let sqlDirectory: string | undefined;
try {
  const config = readPipelineConfig(process.env.PIPELINE_CONFIG || undefined);
  sqlDirectory = config.sqlDirectory;
  const app = new App();
  for (const environment of config.environments) PipelineStage.forEnvironment(app, config, environment.name);
  app.synth();
} catch (error) {
  if (error instanceof SqlFileError) console.error(`${error.message}\n${sqlDirectoryHint(sqlDirectory)}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else throw error;
  process.exit(1);
}
