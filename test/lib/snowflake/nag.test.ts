import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import pipelineConfig from '../../../config/pipeline';
import { loadConfig, resolveEnvironment } from '../../../contracts/config';
import { acknowledgeCdkHelpers } from '../../../lib/nag/cdk-helpers';
import { addNagChecks } from '../../../lib/nag/checks';
import { SnowflakeIngestion } from '../../../lib/snowflake';

test('GIVEN the Snowflake ingestion in a stack WHEN cdk-nag AwsSolutions runs THEN it reports no unacknowledged error', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  addNagChecks(app);
  const config = resolveEnvironment(loadConfig(pipelineConfig), 'dev');
  const stack = new Stack(app, 'Nag', {
    env: { account: config.environment.account, region: config.environment.region },
  });
  const key = new kms.Key(stack, 'StageKey', { enableKeyRotation: true });
  const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true, encryption: s3.BucketEncryption.S3_MANAGED });
  const bucket = new s3.Bucket(stack, 'StageBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    enforceSSL: true,
    serverAccessLogsBucket: logs,
  });
  new SnowflakeIngestion(stack, 'Snowflake', { config, stageBucket: bucket, stageKey: key });
  acknowledgeCdkHelpers(stack);
  expect(() => app.synth()).not.toThrow();
});
