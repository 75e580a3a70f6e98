import type { CfnResource } from 'aws-cdk-lib';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  orderTaskGraphs,
  SnowflakeObject,
  SnowflakeProvider,
  Snowpipe,
  StorageIntegration,
} from '../../../lib/snowflake';
import { PROVISIONER_TIMING } from '../../../contracts/constants';

const connection = {
  account: 'ORG-ACCT',
  user: 'DEPLOYER',
  role: 'PIPELINE_ADMIN',
  warehouse: 'WH',
  privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/key-AbCdEf',
};

function stack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const s = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { s, provider: SnowflakeProvider.of(s, { environmentName: 'test' }) };
}

describe('SnowflakeObject', () => {
  test('GIVEN a definition with a bad identifier WHEN constructed THEN synth fails naming the construct and the property', () => {
    const { s, provider } = stack();
    expect(
      () =>
        new SnowflakeObject(s, 'Fmt', {
          provider,
          connection,
          kind: 'file-format',
          definition: { database: 'D', schema: 'RAW', name: 'bad name', type: 'JSON' },
        }),
    ).toThrow(/S\/Fmt: invalid file format definition: definition\.name: must be a Snowflake identifier/);
  });

  test('GIVEN an unknown kind or removal policy WHEN constructed THEN a clear error', () => {
    const { s, provider } = stack();
    expect(() => new SnowflakeObject(s, 'X', { provider, connection, kind: 'warehouse', definition: {} })).toThrow(
      /unknown Snowflake object kind "warehouse"/,
    );
    expect(
      () =>
        new SnowflakeObject(s, 'Y', {
          provider,
          connection,
          kind: 'database',
          definition: { name: 'D' },
          removalPolicy: 'delete' as never,
        }),
    ).toThrow(/S\/Y: removalPolicy must be 'retain' or 'destroy'/);
  });

  test('GIVEN two objects WHEN synthesized THEN one provider serves both, and the definition is nested properties (a readable diff), not a JSON string', () => {
    const { s, provider } = stack();
    new SnowflakeObject(s, 'Db', { provider, connection, kind: 'database', definition: { name: 'D' }, adopt: true });
    new SnowflakeObject(s, 'Raw', {
      provider: SnowflakeProvider.of(s, { environmentName: 'test' }),
      connection,
      kind: 'schema',
      definition: { database: 'D', name: 'RAW' },
    });
    const t = Template.fromStack(s);
    // provisioner (onEvent and isComplete) + the framework's onEvent, isComplete and onTimeout
    t.resourceCountIs('AWS::Lambda::Function', 4);
    t.hasResourceProperties('Custom::SnowflakeObject', {
      ServiceToken: Match.anyValue(),
      kind: 'schema',
      connection,
      definition: { database: 'D', name: 'RAW' },
      adopt: false,
      removalPolicy: 'retain',
    });
  });
});

describe('StorageIntegration', () => {
  test('GIVEN an invalid role name or prefix WHEN constructed THEN one clear message', () => {
    const { s, provider } = stack();
    const bucket = new s3.Bucket(s, 'B');
    const base = { provider, connection, name: 'I', externalId: 'x:y', bucket };
    expect(() => new StorageIntegration(s, 'A', { ...base, roleName: 'has space' })).toThrow(
      /S\/A: roleName must be a valid IAM role name/,
    );
    expect(() => new StorageIntegration(s, 'B2', { ...base, roleName: 'ok', prefix: '/data' })).toThrow(
      /S\/B2: prefix must look like data\//,
    );
  });
});

describe('Snowpipe', () => {
  test('GIVEN a stage bucket WHEN constructed THEN the bucket notifies the pipe channel for the pipe path only', () => {
    const { s, provider } = stack();
    const bucket = new s3.Bucket(s, 'Stage');
    const pipe = new Snowpipe(s, 'Pipe', {
      provider,
      connection,
      stageBucket: bucket,
      definition: {
        database: 'D',
        schema: 'RAW',
        name: 'P',
        table: 'D.RAW.T',
        stage: 'D.RAW.S',
        path: 'data/orders/',
        fileFormat: 'D.RAW.F',
      },
    });
    const t = Template.fromStack(s);
    const id = s.getLogicalId(pipe.resource.node.defaultChild as never);
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            QueueArn: { 'Fn::GetAtt': [id, 'NotificationChannel'] },
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'data/orders/' }] } },
          },
        ],
      },
    });
  });
});

describe('GIVEN the provider', () => {
  test('WHEN synthesized THEN the work runs in isComplete: the waiter polls every queryIntervalSeconds for totalTimeoutMinutes, and the provisioner times out after lambdaTimeoutSeconds', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const s = new Stack(app, 'Timing', { env: { account: '111111111111', region: 'eu-west-1' } });
    SnowflakeProvider.of(s, { environmentName: 'dev' });
    const t = Template.fromStack(s);
    const provisioner = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) =>
      JSON.stringify(f).includes('Creates and safely updates Snowflake objects'),
    );
    expect(provisioner.map((f) => (f as { Properties: { Timeout: number } }).Properties.Timeout)).toEqual([
      PROVISIONER_TIMING.lambdaTimeoutSeconds,
    ]);
    const [machine] = Object.values(t.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify((machine as { Properties: unknown }).Properties);
    const attempts = Math.ceil((PROVISIONER_TIMING.totalTimeoutMinutes * 60) / PROVISIONER_TIMING.queryIntervalSeconds);
    expect(definition).toContain(`\\"IntervalSeconds\\":${PROVISIONER_TIMING.queryIntervalSeconds}`);
    expect(definition).toContain(`\\"MaxAttempts\\":${attempts}`);
  });
});

describe('GIVEN a task graph with a root and two sibling children', () => {
  test('WHEN ordered THEN each task of the graph depends on the one before it (CloudFormation changes one at a time); another graph stays independent', () => {
    const { s, provider } = stack();
    const task = (id: string, name: string, root?: string) => ({
      id,
      kind: 'task',
      definition: {
        database: 'DB',
        schema: 'CORE',
        name,
        body: 'SELECT 1',
        ...(root ? { root, after: [root] } : {}),
      },
    });
    const specs = [
      task('Root', 'ROOT'),
      task('A', 'A', 'DB.CORE.ROOT'),
      task('Other', 'OTHER'),
      task('B', 'B', 'DB.CORE.ROOT'),
    ];
    const objects = new Map(
      specs.map((spec) => [
        spec.id,
        new SnowflakeObject(s, spec.id, { provider, connection, kind: 'task', definition: spec.definition }),
      ]),
    );
    orderTaskGraphs(specs, objects);
    const resources = Template.fromStack(s).findResources('Custom::SnowflakeObject') as Record<
      string,
      { DependsOn?: string[] }
    >;
    const logicalId = (id: string) => s.getLogicalId(objects.get(id)!.resource.node.defaultChild as CfnResource);
    const dependsOn = (id: string) => resources[logicalId(id)]!.DependsOn ?? [];
    expect(dependsOn('A')).toEqual([logicalId('Root')]);
    expect(dependsOn('B')).toEqual([logicalId('A')]);
    expect(dependsOn('Other')).toEqual([]);
  });
});
