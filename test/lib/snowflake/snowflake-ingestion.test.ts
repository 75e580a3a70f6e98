import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import pipelineConfig from '../../../config/pipeline';
import { loadConfig, resolveEnvironment } from '../../../contracts/config';
import type { ResolvedEnvironment } from '../../../contracts/config';
import { SnowflakeIngestion } from '../../../lib/snowflake';
import { splitTargetNames } from '../../../snowflake/model/split';

function synth(env = 'dev', mutate?: (c: ResolvedEnvironment) => ResolvedEnvironment) {
  const resolved = resolveEnvironment(loadConfig(pipelineConfig), env);
  const config = mutate ? mutate(resolved) : resolved;
  // Skip bundling the provisioner: these tests look at the template only.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', {
    env: { account: config.environment.account, region: config.environment.region },
  });
  const key = new kms.Key(stack, 'StageKey');
  const bucket = new s3.Bucket(stack, 'StageBucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
  const ingestion = new SnowflakeIngestion(stack, 'Snowflake', { config, stageBucket: bucket, stageKey: key });
  return { template: Template.fromStack(stack), ingestion, stack, config };
}

describe('SnowflakeIngestion', () => {
  const { template, config } = synth();
  const integrationLogicalId = Object.keys(
    template.findResources('Custom::SnowflakeObject', { Properties: { kind: 'storage-integration' } }),
  )[0];

  test('GIVEN the dev environment WHEN synthesized THEN the Snowflake role trusts the integration IAM user with the external id Snowflake generated (an attribute, never a literal in the template)', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'ingest-dev-snowflake-s3',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::GetAtt': [integrationLogicalId, 'StorageAwsIamUserArn'] } },
            Condition: {
              StringEquals: { 'sts:ExternalId': { 'Fn::GetAtt': [integrationLogicalId, 'StorageAwsExternalId'] } },
            },
          },
        ],
      },
    });
  });

  test('THEN the integration gets the role ARN computed from its fixed name (no reference, no cycle)', () => {
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'storage-integration',
      definition: {
        name: 'INGEST_DEV_S3',
        roleArn: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/ingest-dev-snowflake-s3']],
        },
        externalId: Match.absent(),
        allowedLocations: [{ 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('StageBucket') }, '/']] }],
      },
    });
  });

  test('THEN no external id (and no deterministic one such as ingest:dev:snowflake-s3) appears anywhere in the template', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/ingest:dev:snowflake-s3|STORAGE_AWS_EXTERNAL_ID/);
  });

  test('THEN the role may only read data/* and manifests/*, list with an s3:prefix condition and decrypt with the key', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('StorageIntegrationRole') }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'ReadStagePrefix',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: ['/data/*', '/manifests/*'].map((suffix) => ({
            'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/StageBucket/), 'Arn'] }, suffix]],
          })),
        }),
        expect.objectContaining({
          Sid: 'ListStagePrefix',
          Action: 's3:ListBucket',
          Condition: { StringLike: { 's3:prefix': ['data/*', 'manifests/*'] } },
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/StageBucket/), 'Arn'] },
        }),
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/StageKey/), 'Arn'] },
        }),
      ]),
    );
    expect(statements).toHaveLength(3);
  });

  test('THEN each dataset pipe is a readable custom resource and the bucket notifies its channel for data/<dataset>/', () => {
    const pipes = template.findResources('Custom::SnowflakeObject', { Properties: { kind: 'pipe' } });
    // Split targets read their split dataset's bronze: no pipe of their own; + OPS.FILE_MANIFESTS_PIPE.
    expect(Object.keys(pipes)).toHaveLength(
      config.datasets.filter((d) => !splitTargetNames(config.datasets).has(d.name)).length + 1,
    );
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'pipe',
      connection: Match.objectLike({
        account: Match.anyValue(),
        privateKeySecretArn: config.environment.snowflake.privateKeySecretArn,
      }),
      definition: {
        database: 'INGEST_DEV',
        schema: 'RAW',
        name: 'LISTINGS_PIPE',
        table: 'INGEST_DEV.RAW.LISTINGS',
        stage: 'INGEST_DEV.RAW.PIPELINE_STAGE',
        path: 'data/listings/',
        fileFormat: 'INGEST_DEV.RAW.STAGE_NDJSON_GZ',
        comment: Match.anyValue(),
      },
      removalPolicy: 'destroy',
      adopt: false,
    });
    const listingsPipe = Object.entries(pipes).find(
      ([, r]) => (r as { Properties: { definition: { name: string } } }).Properties.definition.name === 'LISTINGS_PIPE',
    )![0];
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          {
            Events: ['s3:ObjectCreated:*'],
            QueueArn: { 'Fn::GetAtt': [listingsPipe, 'NotificationChannel'] },
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'data/listings/' }] } },
          },
        ]),
      },
    });
  });

  test('THEN OPS.FILE_MANIFESTS_PIPE loads manifests/ into OPS.FILE_MANIFESTS and the bucket notifies its channel for manifests/ only', () => {
    const pipes = template.findResources('Custom::SnowflakeObject', {
      Properties: { kind: 'pipe', definition: { name: 'FILE_MANIFESTS_PIPE' } },
    });
    expect(Object.keys(pipes)).toHaveLength(1);
    const [logicalId, resource] = Object.entries(pipes)[0] as [string, { Properties: { definition: unknown } }];
    expect(resource.Properties.definition).toEqual({
      database: 'INGEST_DEV',
      schema: 'OPS',
      name: 'FILE_MANIFESTS_PIPE',
      table: 'INGEST_DEV.OPS.FILE_MANIFESTS',
      stage: 'INGEST_DEV.RAW.PIPELINE_STAGE',
      path: 'manifests/',
      fileFormat: 'INGEST_DEV.RAW.STAGE_NDJSON_GZ',
      columns: [
        { name: 'MANIFEST', from: '$1' },
        { name: 'STAGE_FILE', from: 'METADATA$FILENAME' },
        { name: 'LOADED_AT', from: 'METADATA$START_SCAN_TIME' },
      ],
      comment: 'Loads manifests/ (file manifests written by the parser) into INGEST_DEV.OPS.FILE_MANIFESTS',
    });
    const notifications = template.findResources('Custom::S3BucketNotifications');
    const queues = Object.values(notifications).flatMap(
      (n) =>
        (
          n as {
            Properties: {
              NotificationConfiguration: { QueueConfigurations: { QueueArn: unknown; Filter: unknown }[] };
            };
          }
        ).Properties.NotificationConfiguration.QueueConfigurations,
    );
    const mine = queues.filter((q) => JSON.stringify(q.QueueArn).includes(logicalId));
    expect(mine).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        QueueArn: { 'Fn::GetAtt': [logicalId, 'NotificationChannel'] },
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'manifests/' }] } },
      },
    ]);
    // Every pipe has its own, non-overlapping prefix (S3 rejects overlapping filters for one event type).
    const prefixes = queues.map((q) => JSON.stringify(q.Filter));
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  test('GIVEN dataModel false WHEN synthesized THEN no manifests pipe and no manifests/ notification', () => {
    const resolved = resolveEnvironment(loadConfig(pipelineConfig), 'dev');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'NoModel', {
      env: { account: resolved.environment.account, region: resolved.environment.region },
    });
    const bucket = new s3.Bucket(stack, 'StageBucket');
    const ingestion = new SnowflakeIngestion(stack, 'Snowflake', {
      config: resolved,
      stageBucket: bucket,
      dataModel: false,
    });
    expect(ingestion.manifestsPipe).toBeUndefined();
    const notifications = Template.fromStack(stack).findResources('Custom::S3BucketNotifications');
    const prefixes = JSON.stringify(notifications).match(/"Value":"[^"]+"/g);
    // Split targets have no pipe of their own (they read their split dataset's bronze).
    const piped = resolved.datasets.filter((d) => !splitTargetNames(resolved.datasets).has(d.name));
    expect(prefixes).toEqual(piped.map((d) => `"Value":"data/${d.name}/"`));
  });

  test('THEN the stage and the pipes depend on the Snowflake role and its policy (trust first)', () => {
    const stage = Object.values(
      template.findResources('Custom::SnowflakeObject', { Properties: { kind: 'stage' } }),
    )[0] as {
      DependsOn: string[];
    };
    expect(stage.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/StorageIntegrationRole[0-9A-F]{8}$/),
        expect.stringMatching(/StorageIntegrationRoleDefaultPolicy/),
      ]),
    );
  });

  test('THEN there is one provider for the stack, and its function may read only the key secret', () => {
    // The provisioner (onEvent and isComplete), the Provider framework's onEvent, isComplete and
    // onTimeout, and CDK's bucket-notifications handler.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    const secretStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties
            .PolicyDocument.Statement,
      )
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secretStatements).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: config.environment.snowflake.privateKeySecretArn,
      }),
    ]);
  });

  test('THEN the database is adopted (never dropped) and the bronze tables follow the removal policy', () => {
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'database',
      definition: { name: 'INGEST_DEV' },
      adopt: true,
    });
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'table',
      definition: Match.objectLike({
        name: 'LISTINGS',
        columns: Match.arrayWith([{ name: 'LOADED_AT', type: 'TIMESTAMP_TZ' }]),
      }),
      removalPolicy: 'destroy',
    });
  });
});

describe('SnowflakeIngestion in prod', () => {
  test('GIVEN removalPolicy retain WHEN synthesized THEN data-bearing objects are marked retain', () => {
    const { template } = synth('prod');
    template.hasResourceProperties('Custom::SnowflakeObject', { kind: 'table', removalPolicy: 'retain' });
  });
});

describe('cdk diff of a changed dataset', () => {
  test('GIVEN one dataset description changes WHEN both templates are compared THEN exactly its bronze and silver table resources differ, in definition.comment only', () => {
    const before = synth('dev').template.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    const after = synth('dev', (c) => ({
      ...c,
      datasets: c.datasets.map((d) => (d.name === 'weather' ? { ...d, description: 'Weather v2' } : d)),
    })).template.toJSON().Resources as typeof before;
    const changed = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
    type Definition = { schema: string; name?: string; dataset?: string; comment?: string; description?: string };
    const definition = (id: string, t: typeof before) => (t[id].Properties as { definition: Definition }).definition;
    const withoutText = (d: Definition) => ({ ...d, comment: null, description: null });
    // One resource per object: the description is the comment of the bronze (RAW) and silver (CORE) tables.
    expect(
      changed
        .map((id) => `${definition(id, after).schema}.${definition(id, after).name ?? definition(id, after).dataset}`)
        .sort(),
    ).toEqual(['CORE.weather', 'RAW.WEATHER']);
    for (const id of changed) {
      expect(after[id].Type).toBe('Custom::SnowflakeObject');
      expect({ ...after[id].Properties, definition: withoutText(definition(id, after)) }).toEqual({
        ...before[id].Properties,
        definition: withoutText(definition(id, before)),
      });
      const text = definition(id, after).comment ?? definition(id, after).description;
      expect(text).toContain('Weather v2');
    }
  });
});
