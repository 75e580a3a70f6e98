/**
 * Template tests of Snowflake's error notifications: the notification integration resource, the IAM
 * role Snowflake assumes (trust on the integration's IAM user with its external id, publish on one
 * topic only), the pipes' ERROR_INTEGRATION, the dedicated errors topic and its alarm.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import pipelineConfig from '../../../config/pipeline';
import { loadConfig, resolveEnvironment } from '../../../contracts/config';
import { SNOWFLAKE_ERROR_RUNBOOK_ANCHORS } from '../../../lib/monitoring/runbook';
import { SnowflakeErrorTopic } from '../../../lib/monitoring/snowflake-error-topic';
import { acknowledgeCdkHelpers } from '../../../lib/nag/cdk-helpers';
import { addNagChecks } from '../../../lib/nag/checks';
import { NotificationIntegration, SnowflakeIngestion, SnowflakeProvider } from '../../../lib/snowflake';
import { testPipelineMonitoring } from '../monitoring-fixture';
import { splitTargetNames } from '../../../snowflake/model/split';

const config = resolveEnvironment(loadConfig(pipelineConfig), 'dev');

function build(options: { errors?: boolean; nag?: boolean } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  if (options.nag) addNagChecks(app);
  const stack = new Stack(app, 'Test', {
    env: { account: config.environment.account, region: config.environment.region },
  });
  const key = new kms.Key(stack, 'StageKey', { enableKeyRotation: true });
  const bucket = new s3.Bucket(stack, 'StageBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    enforceSSL: true,
    serverAccessLogsBucket: new s3.Bucket(stack, 'Logs', {
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
    }),
  });
  const monitoring = testPipelineMonitoring(stack, {
    emails: ['oncall@example.com'],
    httpsEndpoints: ['https://chat.example.com/hook'],
    freshnessMinutes: 60,
  });
  const errors =
    options.errors === false
      ? undefined
      : new SnowflakeErrorTopic(stack, 'SnowflakeErrors', { environmentName: 'dev', monitoring });
  const ingestion = new SnowflakeIngestion(stack, 'Snowflake', {
    config,
    stageBucket: bucket,
    stageKey: key,
    ...(errors ? { errorNotifications: { topic: errors.topic } } : {}),
  });
  if (options.nag) acknowledgeCdkHelpers(stack);
  return { app, stack, monitoring, errors, ingestion };
}

const idOf = (stack: Stack, c: { node: { defaultChild?: unknown } }) =>
  stack.resolve((c.node.defaultChild as CfnResource).logicalId) as string;

describe('GIVEN the Snowflake ingestion with error notifications to the Snowflake errors topic', () => {
  const { stack, errors, ingestion, monitoring } = build();
  const template = Template.fromStack(stack);
  const integrationId = idOf(stack, ingestion.notificationIntegration!.integration.resource);
  const topicRef = { Ref: idOf(stack, errors!.topic) };
  const roleId = idOf(stack, ingestion.notificationIntegration!.role);

  test('THEN one notification integration targets the topic with the role ARN computed from its fixed name', () => {
    const resources = template.findResources('Custom::SnowflakeObject', {
      Properties: { kind: 'notification-integration' },
    });
    expect(Object.keys(resources)).toEqual([integrationId]);
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'notification-integration',
      definition: {
        name: 'INGEST_DEV_ERRORS',
        topicArn: topicRef,
        roleArn: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/ingest-dev-snowflake-sns']],
        },
        comment: 'Snowflake load and task errors to SNS (ingest dev)',
      },
      adopt: false,
    });
    expect(ingestion.errorIntegrationName).toBe('INGEST_DEV_ERRORS');
  });

  test("THEN the role trusts only the integration's IAM user, with its generated external id as sts:ExternalId", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'ingest-dev-snowflake-sns',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::GetAtt': [integrationId, 'SfAwsIamUserArn'] } },
            Condition: { StringEquals: { 'sts:ExternalId': { 'Fn::GetAtt': [integrationId, 'SfAwsExternalId'] } } },
          },
        ],
      },
    });
  });

  test('THEN the role may publish to the errors topic only, and use its key, nothing else', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleId }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: topicRef },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [idOf(stack, monitoring.topicKey), 'Arn'] },
      },
    ]);
  });

  test('THEN every pipe has the integration as ERROR_INTEGRATION and is created after the integration and its role', () => {
    const pipes = template.findResources('Custom::SnowflakeObject', { Properties: { kind: 'pipe' } });
    // Split targets read their split dataset's bronze: no pipe of their own; + OPS.FILE_MANIFESTS_PIPE.
    expect(Object.keys(pipes)).toHaveLength(
      config.datasets.filter((d) => !splitTargetNames(config.datasets).has(d.name)).length + 1,
    );
    for (const pipe of Object.values(pipes) as {
      Properties: { definition: Record<string, unknown> };
      DependsOn: string[];
    }[]) {
      expect(pipe.Properties.definition.errorIntegration).toBe('INGEST_DEV_ERRORS');
      expect(pipe.DependsOn).toEqual(expect.arrayContaining([integrationId, roleId]));
    }
  });

  test('THEN the errors topic is KMS-encrypted with the alarm key, TLS-only, and subscribed like the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Snowflake error notifications (dev)',
      KmsMasterKeyId: { 'Fn::GetAtt': [idOf(stack, monitoring.topicKey), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: topicRef,
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: topicRef,
      Protocol: 'https',
      Endpoint: 'https://chat.example.com/hook',
    });
  });

  test('THEN an alarm on messages published to it notifies the alarm topic (ALARM and OK) with its runbook link', () => {
    const alarmTopic = { Ref: idOf(stack, monitoring.topic) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ingest-dev-Pipeline-SnowflakeErrors-Alarm',
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfMessagesPublished',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [idOf(stack, errors!.topic), 'TopicName'] } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [alarmTopic],
      OKActions: [alarmTopic],
      AlarmDescription: Match.stringLikeRegexp(
        `Snowflake pushed error notifications[\\s\\S]*docs/operations\\.md#${SNOWFLAKE_ERROR_RUNBOOK_ANCHORS.errorNotifications}`,
      ),
    });
  });

  test('THEN the runbook has the section the alarm links to', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');
    expect(doc).toContain(`<a id="${SNOWFLAKE_ERROR_RUNBOOK_ANCHORS.errorNotifications}"></a>`);
  });
});

describe('GIVEN the Snowflake ingestion without error notifications', () => {
  const { stack, ingestion } = build({ errors: false });
  const template = Template.fromStack(stack);
  test('THEN there is no notification integration, no SNS role, and pipes have no ERROR_INTEGRATION', () => {
    expect(
      template.findResources('Custom::SnowflakeObject', { Properties: { kind: 'notification-integration' } }),
    ).toEqual({});
    template.resourcePropertiesCountIs('AWS::IAM::Role', { RoleName: 'ingest-dev-snowflake-sns' }, 0);
    const pipes = template.findResources('Custom::SnowflakeObject', { Properties: { kind: 'pipe' } });
    for (const pipe of Object.values(pipes) as { Properties: { definition: Record<string, unknown> } }[])
      expect(pipe.Properties.definition).not.toHaveProperty('errorIntegration');
    expect(ingestion.errorIntegrationName).toBeUndefined();
  });
});

describe('GIVEN a NotificationIntegration on its own', () => {
  function standalone(topic: (s: Stack) => sns.ITopic, topicKey?: (s: Stack) => kms.IKey, roleName = 'sf-sns') {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const integration = new NotificationIntegration(stack, 'Errors', {
      provider: SnowflakeProvider.of(stack, { environmentName: 'dev' }),
      connection: {
        account: 'ORG-DEV',
        user: 'DEPLOYER',
        role: 'PIPELINE_ADMIN',
        warehouse: 'WH',
        privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:sf-AbCdEf',
      },
      name: 'INGEST_DEV_ERRORS',
      roleName,
      topic: topic(stack),
      topicKey: topicKey?.(stack),
    });
    return { stack, integration };
  }

  test('WHEN the topic is imported with its key THEN the role gets publish on it and the key actions', () => {
    const { stack } = standalone(
      (s) => sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:eu-west-1:111111111111:errors'),
      (s) => kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:eu-west-1:111111111111:key/1234'),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:eu-west-1:111111111111:errors' },
          {
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Effect: 'Allow',
            Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234',
          },
        ],
      },
    });
  });

  test('WHEN the topic is FIFO THEN it is refused (Snowflake drops notifications to FIFO topics silently)', () => {
    expect(() =>
      standalone((s) => sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:eu-west-1:111111111111:e.fifo')),
    ).toThrow('topic must be a standard SNS topic');
  });

  test('WHEN the role name is invalid THEN the error names the property', () => {
    expect(() =>
      standalone((s) => sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:eu-west-1:111111111111:e'), undefined, 'bad role!'),
    ).toThrow('roleName must be a valid IAM role name');
  });
});

test('GIVEN error notifications WHEN cdk-nag AwsSolutions runs THEN it reports no unacknowledged error', () => {
  const { app } = build({ nag: true });
  expect(() => app.synth()).not.toThrow();
});
