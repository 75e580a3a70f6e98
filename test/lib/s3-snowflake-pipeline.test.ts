import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../../contracts/config';
import { S3SnowflakePipeline } from '../../lib/s3-snowflake-pipeline';
import { cdkContext } from './helpers';
import { minimalPipelineProps as props } from './pipeline-props';

/** GIVEN a plain stack of someone's app (no bundling: the template is what these tests read). */
function stack(): Stack {
  const app = new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
}

describe('S3SnowflakePipeline', () => {
  test('GIVEN a minimal config WHEN added to any stack THEN the whole pipeline is built, named after project and environment', () => {
    const s = stack();
    const pipeline = new S3SnowflakePipeline(s, 'Orders', props());
    const t = Template.fromStack(s);
    expect(pipeline.namePrefix).toBe('shop-dev');
    t.resourceCountIs('AWS::S3::Bucket', 4); // inbound, stage, archive, access logs
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'shop-dev-upload-erp' });
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'shop-dev-snowflake-errors' });
    const objects = Object.values(t.findResources('Custom::SnowflakeObject')).map(
      (r) => r.Properties as { kind: string; definition: { schema?: string; path?: string } },
    );
    // The dataset's pipe and OPS.FILE_MANIFESTS_PIPE (the file ledger's manifests).
    expect(objects.filter((o) => o.kind === 'pipe').map((o) => o.definition.path)).toEqual([
      'data/orders/',
      'manifests/',
    ]);
    // No gold views unless a directory is given (the repository's examples are not part of the construct);
    // the one view is the file ledger in OPS.
    expect(objects.filter((o) => o.kind === 'view').map((o) => o.definition.schema)).toEqual(['OPS']);
  });

  test('GIVEN the private key secret as a construct (a token ARN) WHEN built THEN it is accepted and passed on', () => {
    const s = stack();
    const key = new secretsmanager.Secret(s, 'Key');
    const pipeline = new S3SnowflakePipeline(
      s,
      'Orders',
      props({ snowflake: { ...props().snowflake, privateKeySecretArn: key.secretArn } }),
    );
    expect(pipeline.resolved.environment.snowflake.privateKeySecretArn).toBe(key.secretArn);
  });

  test('GIVEN invalid props WHEN constructed THEN one ConfigError names each prop path as the props spell it', () => {
    const bad = props({
      environmentName: 'Dev',
      datasets: [{ ...props().datasets[0], primaryKey: ['id'] }],
      snowflake: { ...props().snowflake, user: 'not valid' },
    });
    expect(() => new S3SnowflakePipeline(stack(), 'Orders', bad)).toThrow(ConfigError);
    let message = '';
    try {
      new S3SnowflakePipeline(stack(), 'Orders2', bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Invalid S3SnowflakePipeline props');
    expect(message).toMatch(/^ {2}environmentName: /m);
    expect(message).toContain('datasets[0](orders).primaryKey[0]: "id" is not one of the columns');
    expect(message).toMatch(/^ {2}snowflake\.user: /m);
  });

  test('GIVEN the construct in a fresh app WHEN cdk-nag AwsSolutions checks it THEN nothing is left unacknowledged', () => {
    const s = stack();
    new S3SnowflakePipeline(s, 'Orders', props());
    const report = new AwsSolutionsChecks().validateScope(s);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});
