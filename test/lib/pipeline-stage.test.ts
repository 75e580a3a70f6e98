import * as fs from 'fs';
import * as path from 'path';
import { Stack, type App, type CfnElement } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineStage } from '../../lib/pipeline-stage';
import { exampleConfigValidated, stripAssetHashes, testApp } from './helpers';

/** Every finding cdk-nag's AwsSolutions pack reports for `scope`, as `severity rule path`. */
function nagFindings(stage: PipelineStage): string[] {
  const report = new AwsSolutionsChecks().validateScope(stage);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`),
  );
}

describe('PipelineStage', () => {
  // GIVEN the example config, WHEN the app builds one Stage per environment (synthesized once for the file)
  let app: App;
  let stages: PipelineStage[];
  let templates: Map<string, Template>;
  beforeAll(() => {
    const config = exampleConfigValidated();
    app = testApp();
    stages = config.environments.map((e) => PipelineStage.forEnvironment(app, config, e.name));
    templates = new Map(stages.map((s) => [s.stageName, Template.fromStack(s.pipeline)]));
  });

  test('THEN there is one Stage per environment with its account, region and stack name', () => {
    const [dev, prod] = stages;
    expect(stages.map((s) => s.node.path)).toEqual(['Dev', 'Prod']);
    expect(dev.pipeline.node.path).toBe('Dev/Pipeline');
    expect(dev.pipeline.stackName).toBe('ingest-dev-pipeline');
    expect(prod.pipeline.stackName).toBe('ingest-prod-pipeline');
    expect([dev.account, dev.region, prod.account, prod.region]).toEqual([
      '111111111111',
      'eu-west-1',
      '222222222222',
      'eu-west-1',
    ]);
    expect(Stack.of(prod.pipeline.parserFunction).account).toBe('222222222222');
  });

  test('THEN each stack outputs its inbound, stage and archive bucket names under the keys the CLIs read', () => {
    for (const stage of stages) {
      const outputs = templates.get(stage.stageName)!.toJSON().Outputs as Record<string, { Value: unknown }>;
      const { inboundBucket, stageBucket, archiveBucket } = stage.pipeline;
      const expected: [string, s3.IBucket][] = [
        ['InboundBucketName', inboundBucket],
        ['StageBucketName', stageBucket],
        ['ArchiveBucketName', archiveBucket],
      ];
      for (const [key, bucket] of expected) {
        const logicalId = stage.pipeline.getLogicalId(bucket.node.defaultChild as CfnElement);
        expect(outputs[key]?.Value).toEqual({ Ref: logicalId });
      }
    }
  });

  test('THEN each environment provisions its whole Snowflake side, with errors pushed and health checked on schedules', () => {
    const t = templates.get('Dev')!;
    const objects = Object.values(t.findResources('Custom::SnowflakeObject')).map(
      (r) => (r.Properties as { kind: string }).kind,
    );
    const count = (kind: string) => objects.filter((k) => k === kind).length;
    const datasets = exampleConfigValidated().datasets.length;
    // One custom resource per Snowflake object: per dataset a bronze table, pipe, stream, MERGE task and silver table.
    // Split targets (2) read their split dataset's bronze (no pipe), the split dataset has no silver; the
    // insurance vault adds one stream per load (3) and 4 warehouse + 2 mart views; OPS.FILE_MANIFESTS_PIPE (+1 pipe).
    expect([count('pipe'), count('stream'), count('silver-table')]).toEqual([
      datasets - 2 + 1,
      datasets + 3,
      datasets - 1,
    ]);
    expect(count('storage-integration')).toBe(1);
    expect(count('notification-integration')).toBe(1);
    // The gold views, OPS.FILE_LEDGER, a warehouse dimension per hub and fact per link, the mart views.
    const sqlFiles = (dir: string) =>
      fs.readdirSync(path.join(__dirname, '..', '..', 'snowflake', dir)).filter((f) => /^[a-z0-9_]+\.sql$/.test(f))
        .length;
    const vault = exampleConfigValidated().vault!;
    expect(count('view')).toBe(
      sqlFiles('gold') + 1 + vault.hubs.length + (vault.links?.length ?? 0) + sqlFiles('mart'),
    );
    // Every pipe reports its load errors through the notification integration.
    for (const pipe of Object.values(t.findResources('Custom::SnowflakeObject')).filter(
      (r) => (r.Properties as { kind: string }).kind === 'pipe',
    )) {
      expect((pipe.Properties as { definition: { errorIntegration?: string } }).definition.errorIntegration).toBe(
        'INGEST_DEV_ERRORS',
      );
    }
    // The health monitor and the pipe refresher run on schedules; the Snowflake errors topic has a fixed name.
    t.resourceCountIs('AWS::Events::Rule', 2);
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'ingest-dev-snowflake-errors' });
  });

  test('THEN split targets (no pipe of their own) get no pipe checks, alarms or refreshes; their split dataset does', () => {
    const t = templates.get('Dev')!;
    const config = exampleConfigValidated();
    const targets = config.datasets.flatMap((d) => Object.values(d.split?.into ?? {}));
    expect(targets.length).toBeGreaterThan(0);
    const splitDatasets = config.datasets.filter((d) => d.split).map((d) => d.name);
    const env = (name: string) =>
      Object.values(t.findResources('AWS::Lambda::Function'))
        .map((f) => (f.Properties as { Environment?: { Variables?: Record<string, string> } }).Environment?.Variables)
        .find((v) => v?.[name] !== undefined)![name];
    expect(env('HEALTH_MONITOR_SPLIT_TARGETS').split(',').sort()).toEqual([...targets].sort());
    const refreshed = env('PIPE_REFRESHER_DATASETS').split(',');
    for (const target of targets) expect(refreshed).not.toContain(target);
    expect(refreshed).toEqual(expect.arrayContaining(splitDatasets));
    const alarmNames = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a.Properties as { AlarmName: string }).AlarmName,
    );
    for (const target of targets) {
      expect(alarmNames.filter((n) => n.includes(`PipeNotRunning-${target}-`))).toEqual([]);
      expect(alarmNames.filter((n) => n.includes(`TaskFailures-${target}-`))).toHaveLength(1);
    }
    for (const d of splitDatasets) expect(alarmNames.filter((n) => n.includes(`PipeNotRunning-${d}-`))).toHaveLength(1);
  });

  test('THEN cdk-nag AwsSolutions reports no unacknowledged error or warning in any Stage', () => {
    for (const stage of stages) expect(nagFindings(stage)).toEqual([]);
  });

  test('THEN every Stage registers the AwsSolutions plugin and the app synthesizes with an empty validation report', () => {
    // The only public view of a Stage's plugins is deprecated (jsii warns on every access): keep the run quiet.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const stage of stages) expect(stage.policyValidationBeta1.map((p) => p.name)).toContain('AwsSolutions');
    } finally {
      warn.mockRestore();
    }
    // cdk-nag and CDK's CloudFormation checks (e.g. dependency cycles) run here; an error throws.
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
    expect(assembly.getNestedAssembly('assembly-Dev').stacks.map((s) => s.stackName)).toEqual(['ingest-dev-pipeline']);
  });

  test('THEN dev destroys its data on delete and prod retains every bucket, key, queue and log group', () => {
    const policies = (stageName: string, type: string) =>
      Object.values(templates.get(stageName)!.findResources(type)).map((r) => r.DeletionPolicy as string);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup']) {
      expect([type, ...new Set(policies('Dev', type))]).toEqual([type, 'Delete']);
      expect([type, ...new Set(policies('Prod', type))]).toEqual([type, 'Retain']);
    }
    templates.get('Prod')!.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('THEN each environment applies its own retention and ingestion settings', () => {
    templates.get('Prod')!.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 50 },
    });
    templates.get('Dev')!.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    templates.get('Prod')!.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('THEN no function runs on a deprecated runtime', () => {
    for (const template of templates.values()) {
      const runtimes = Object.values(template.findResources('AWS::Lambda::Function')).map(
        (f) => f.Properties.Runtime as string | undefined,
      );
      expect(runtimes.filter((r) => r && /nodejs(1\d|20)\.x|python3\.[0-9]$|python3\.1[01]$/.test(r))).toEqual([]);
    }
  });

  test.each(['Dev', 'Prod'])('THEN the %s template matches its snapshot (asset hashes stripped)', (name) => {
    expect(stripAssetHashes(templates.get(name)!.toJSON())).toMatchSnapshot();
  });
});
