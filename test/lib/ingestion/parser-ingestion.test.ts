import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  BUNDLED_DATASETS_GLOBAL,
  BUNDLED_SOURCES_GLOBAL,
  PARSER_ENV,
  PIPELINE_ENVIRONMENT_ENV,
} from '../../../contracts/constants';
import { parseDatasets, sourceAllowlist, type DatasetSpec } from '../../../contracts/config';
import { PROJECT_ROOT } from '../../../lib/functions/pipeline-function';
import {
  bundledDatasetsDefine,
  bundledSourcesDefine,
  ParserIngestion,
  type ParserIngestionProps,
} from '../../../lib/ingestion/parser-ingestion';
import { PipelineStorage } from '../../../lib/storage/pipeline-storage';
import {
  arnOf,
  asArray,
  exampleConfigValidated,
  logicalId,
  objectArn,
  statementsOfRole,
  testApp,
  testStack,
} from '../helpers';

const config = exampleConfigValidated();

/** GIVEN storage and ingestion in one stack. */
function build(props: Partial<ParserIngestionProps> = {}) {
  const app = testApp();
  const stack = testStack(app);
  const storage = new PipelineStorage(stack, 'Storage', {
    namePrefix: 'ingest-dev',
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const ingestion = new ParserIngestion(stack, 'Ingestion', {
    inboundBucket: storage.inboundBucket,
    stageBucket: storage.stageBucket,
    archiveBucket: storage.archiveBucket,
    environmentName: 'dev',
    datasets: config.datasets,
    sources: config.sources,
    queueKeyAlias: 'alias/ingest-dev-pipeline-queues',
    ...props,
  });
  return { app, stack, storage, ingestion };
}

describe('ParserIngestion', () => {
  let built: ReturnType<typeof build>;
  let t: Template;
  beforeAll(() => {
    built = build({ ingestion: { parserTimeoutSeconds: 300, maxReceiveCount: 3, batchSize: 20, maxConcurrency: 4 } });
    t = Template.fromStack(built.stack);
  });

  test('WHEN synthesized THEN both queues use the rotating queue key and deny non-TLS access', () => {
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('queue') });
    for (const queue of [built.ingestion.queue, built.ingestion.deadLetterQueue]) {
      expect(t.toJSON().Resources[logicalId(queue)].Properties.KmsMasterKeyId).toEqual(arnOf(built.ingestion.queueKey));
    }
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });

  test('WHEN synthesized THEN the queue redrives to the DLQ after maxReceiveCount and the DLQ keeps 14 days', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: arnOf(built.ingestion.deadLetterQueue), maxReceiveCount: 3 },
      MessageRetentionPeriod: 4 * 24 * 3600,
    });
    expect(t.toJSON().Resources[logicalId(built.ingestion.deadLetterQueue)].Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  test('WHEN synthesized THEN the visibility timeout is 6 × the parser timeout', () => {
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(t.toJSON().Resources[logicalId(built.ingestion.queue)].Properties.VisibilityTimeout).toBe(1800);
  });

  test('WHEN synthesized THEN ObjectCreated events of the inbound bucket go to the queue, and only its bucket may send', () => {
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(built.storage.inboundBucket) },
      NotificationConfiguration: {
        QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: arnOf(built.ingestion.queue) }],
      },
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Condition: { ArnLike: { 'aws:SourceArn': arnOf(built.storage.inboundBucket) } },
          }),
        ]),
      },
    });
  });

  test('WHEN synthesized THEN the event source mapping reports batch item failures with the configured batching', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(built.ingestion.queue),
      FunctionName: { Ref: logicalId(built.ingestion.parser) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 20,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
    });
  });

  test('WHEN synthesized THEN the parser gets the contract environment from the shared constants', () => {
    const env = t.toJSON().Resources[logicalId(built.ingestion.parser)].Properties.Environment.Variables;
    expect(env).toMatchObject({
      [PARSER_ENV.inboundBucket]: { Ref: logicalId(built.storage.inboundBucket) },
      [PARSER_ENV.stageBucket]: { Ref: logicalId(built.storage.stageBucket) },
      [PARSER_ENV.archiveBucket]: { Ref: logicalId(built.storage.archiveBucket) },
      [PIPELINE_ENVIRONMENT_ENV]: 'dev',
    });
    // The datasets and the sources' allowlists ship in the bundle, not in the 4 KB environment.
    expect(env[PARSER_ENV.datasets]).toBeUndefined();
    expect(env[PARSER_ENV.sources]).toBeUndefined();
  });

  test('WHEN synthesized THEN the parser\'s bundle gets each source\'s dataset allowlist ("*" when a source has none) and the datasets', () => {
    const allowlist = sourceAllowlist(config.sources);
    expect(allowlist).toMatchObject({ retail: ['retail_users', 'retail_transactions'], airbnb: ['listings'] });
    // The esbuild `define` of the parser (the bundling test below proves esbuild puts such values in the bundle).
    const define = built.ingestion.parser.bundleDefine;
    expect(JSON.parse(JSON.parse(define[BUNDLED_SOURCES_GLOBAL]!) as string)).toEqual(allowlist);
    expect(JSON.parse(JSON.parse(define[BUNDLED_DATASETS_GLOBAL]!) as string)).toEqual(config.datasets);
    expect(sourceAllowlist([{ name: 'any' }, { name: 'some', datasets: ['orders'] }])).toEqual({
      any: '*',
      some: ['orders'],
    });
  });

  test('WHEN synthesized THEN the parser role may read+delete inbound, write stage data/, quarantine/ and manifests/, read+write archive', () => {
    const statements = statementsOfRole(t, logicalId(built.ingestion.parser.role!));
    const inbound = built.storage.inboundBucket;
    const resourcesOf = (action: string) =>
      statements.filter((s) => asArray(s.Action).includes(action)).flatMap((s) => asArray(s.Resource));
    const archive = built.storage.archiveBucket;
    expect(resourcesOf('s3:GetObject*')).toEqual(
      expect.arrayContaining([arnOf(inbound), objectArn(inbound, '*'), arnOf(archive), objectArn(archive, '*')]),
    );
    expect(resourcesOf('s3:GetObject*')).toHaveLength(4); // never the stage bucket
    expect(resourcesOf('s3:List*')).toHaveLength(4); // ListBucket on the archive: HeadObject of a missing key is 404
    expect(resourcesOf('s3:DeleteObject*')).toEqual([objectArn(inbound, '*')]); // never stage or archive
    expect(resourcesOf('s3:PutObject')).toEqual(
      expect.arrayContaining([
        objectArn(built.storage.stageBucket, 'data/*'),
        objectArn(built.storage.stageBucket, 'quarantine/*'),
        objectArn(built.storage.stageBucket, 'manifests/*'),
        objectArn(built.storage.archiveBucket, '*'),
      ]),
    );
    expect(resourcesOf('s3:PutObject')).toHaveLength(4);
    expect(resourcesOf('kms:Decrypt')).toEqual(
      expect.arrayContaining([arnOf(built.storage.key), arnOf(built.ingestion.queueKey)]),
    );
    expect(resourcesOf('sqs:DeleteMessage')).toEqual([arnOf(built.ingestion.queue)]);
  });

  test('WHEN synthesized THEN no data action (s3, kms, sqs, logs) is allowed on "*": only X-Ray is', () => {
    const statements = statementsOfRole(t, logicalId(built.ingestion.parser.role!));
    const onStar = statements.filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'));
    expect(onStar.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const role = t.toJSON().Resources[logicalId(built.ingestion.parser.role!)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined(); // no AWSLambdaBasicExecutionRole: logs only to its own group
    const logs = statements.filter((s) => asArray(s.Action).includes('logs:PutLogEvents'));
    const logGroup = built.stack.node.findChild('Ingestion').node.findChild('ParserLogGroup');
    expect(logs.flatMap((s) => asArray(s.Resource))).toEqual([arnOf(logGroup)]);
  });

  test('GIVEN props breaking SQS/Lambda rules WHEN constructed THEN one clear message names the rule', () => {
    expect(() => build({ visibilityTimeout: Duration.seconds(1000) })).toThrow(
      'ParserIngestion: visibilityTimeout (1000 s) must be at least 6 × the parser timeout (5400 s)',
    );
    expect(() => build({ ingestion: { batchSize: 50, maxBatchingWindowSeconds: 0 } })).toThrow(
      'ParserIngestion: batchSize 50 > 10 needs maxBatchingWindowSeconds ≥ 1',
    );
    expect(() => build({ datasets: [] })).toThrow('ParserIngestion: datasets must list at least one dataset');
    expect(() => build({ sources: [] })).toThrow('ParserIngestion: sources must list at least one source');
    expect(() => build({ sources: [{ name: 'acme', datasets: ['listings', 'nope'] }] })).toThrow(
      'ParserIngestion: source "acme" allows unknown datasets: nope',
    );
  });
});

describe('bundledDatasetsDefine and bundledSourcesDefine', () => {
  test('GIVEN datasets with quotes, $ and unicode, and sources WHEN bundled by local esbuild THEN the bundle holds the exact JSON', () => {
    const datasets: DatasetSpec[] = parseDatasets([
      {
        name: 'tricky',
        format: 'json',
        description: `It's "quoted", costs $HOME \`$(id)\` and 10 € \\ back`,
        columns: [{ name: 'amount', type: 'NUMBER(12,2)', path: 'price.$value' }],
      },
    ]);
    const sources = [{ name: 'acme' }, { name: 'beta', datasets: ['tricky'] }];
    // The one template test that runs esbuild: it reads the bundle.
    const app = testApp({ bundle: true });
    const stack = testStack(app);
    // CDK announces each bundle on stderr; keep the test run quiet, and check that this one bundled.
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const probe = new nodejs.NodejsFunction(stack, 'Probe', {
      entry: path.join(__dirname, 'fixtures', 'define-probe.ts'),
      runtime: lambda.Runtime.NODEJS_24_X,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        define: { ...bundledDatasetsDefine(datasets), ...bundledSourcesDefine(sources) },
        format: nodejs.OutputFormat.CJS,
        minify: true,
        logLevel: nodejs.LogLevel.ERROR,
      },
    });
    const announced = stderr.mock.calls.map(([text]) => String(text));
    stderr.mockRestore();
    expect(announced).toEqual(['Bundling asset Test/Probe/Code/Stage...\n']);
    const asset = probe.node.findChild('Code') as s3assets.Asset;
    const bundle = path.resolve(app.outdir, asset.assetPath, 'index.js');
    const exported = { exports: {} as { bundledDatasets?: string; bundledSources?: string } };
    new Function('module', 'exports', 'require', fs.readFileSync(bundle, 'utf8'))(exported, exported.exports, require);
    expect(JSON.parse(exported.exports.bundledDatasets!)).toEqual(datasets);
    expect(JSON.parse(exported.exports.bundledSources!)).toEqual({ acme: '*', beta: ['tricky'] });
  });
});
