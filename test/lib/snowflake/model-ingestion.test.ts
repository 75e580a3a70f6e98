/**
 * The data model in the CDK composition: one Custom::SnowflakeObject per object with readable
 * properties, dependencies from the model (stream → bronze, task → stream + silver, view → the silver
 * tables and views it reads, reader role → every view), and clear errors for bad gold files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import pipelineConfig from '../../../config/pipeline';
import { loadConfig, resolveEnvironment } from '../../../contracts/config';
import type { ResolvedEnvironment } from '../../../contracts/config';
import { SnowflakeIngestion } from '../../../lib/snowflake';
import type { SnowflakeIngestionProps } from '../../../lib/snowflake';

function synth(
  env = 'dev',
  extra: Partial<SnowflakeIngestionProps> = {},
  mutate?: (c: ResolvedEnvironment) => ResolvedEnvironment,
) {
  const resolved = resolveEnvironment(loadConfig(pipelineConfig), env);
  const config = mutate ? mutate(resolved) : resolved;
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', {
    env: { account: config.environment.account, region: config.environment.region },
  });
  const bucket = new s3.Bucket(stack, 'StageBucket');
  new SnowflakeIngestion(stack, 'Snowflake', { config, stageBucket: bucket, ...extra });
  return Template.fromStack(stack);
}

type Resource = {
  Properties: { kind: string; definition: Record<string, unknown>; removalPolicy: string };
  DependsOn?: string[];
};

describe('GIVEN the dev environment with the shipped gold views', () => {
  const template = synth();
  const objects = template.findResources('Custom::SnowflakeObject') as Record<string, Resource>;
  const byName = (kind: string, name: string) => {
    const hit = Object.entries(objects).find(
      ([, r]) =>
        r.Properties.kind === kind && [r.Properties.definition.name, r.Properties.definition.dataset].includes(name),
    );
    if (!hit) throw new Error(`no ${kind} ${name}`);
    return { id: hit[0], ...hit[1] };
  };
  const count = (kind: string) => Object.values(objects).filter((r) => r.Properties.kind === kind).length;

  test('THEN every reference dataset yields bronze, pipe, stream, silver, rejects, MERGE task; plus the OPS schema, manifests table and ledger view', () => {
    expect({
      table: count('table'),
      pipe: count('pipe'),
      stream: count('stream'),
      silver: count('silver-table'),
      task: count('task'),
      view: count('view'),
      role: count('reader-role'),
      schema: count('schema'),
      // 11 datasets: 9 with bronze + pipe (2 are split targets of fleet_events), 10 with silver; + 3 weather
      // entity tables and refresh tasks; the insurance vault: 8 tables, 3 streams and load tasks, 4 warehouse
      // and 2 mart views, 4 layer roles (vault, warehouse, mart readers + data science), 3 schemas.
    }).toEqual({
      table: 9 + 3 + 8 + 1, // + OPS.FILE_MANIFESTS
      pipe: 9 + 1, // + OPS.FILE_MANIFESTS_PIPE
      stream: 11 + 3,
      silver: 10,
      task: 11 + 3 + 3,
      view: 5 + 6 + 1, // + OPS.FILE_LEDGER
      role: 1 + 4, // the gold reader + the layer roles
      schema: 6 + 1, // + OPS
    });
    expect(count('rejects-table')).toBe(
      resolveEnvironment(loadConfig(pipelineConfig), 'dev').datasets.length, // every dataset (CAST_FAILED, SPLIT_NO_TARGET)
    );
    const ledger = byName('view', 'FILE_LEDGER');
    expect(ledger.Properties.definition.schema).toBe('OPS');
    expect(ledger.DependsOn).toEqual(
      expect.arrayContaining([
        byName('table', 'FILE_MANIFESTS').id,
        byName('silver-table', 'listings').id,
        byName('rejects-table', 'listings').id,
        byName('table', 'LISTINGS').id,
      ]),
    );
    // The split file's ledger reads the split dataset's bronze and rejects and each target's silver and rejects.
    expect(ledger.DependsOn).toEqual(
      expect.arrayContaining([
        byName('table', 'FLEET_EVENTS').id,
        byName('rejects-table', 'fleet_events').id,
        byName('silver-table', 'vehicle_events').id,
        byName('rejects-table', 'operating_periods').id,
      ]),
    );
    // One read role per layer; the vault's reads tables, the others views.
    const roles = Object.values(objects).filter((r) => r.Properties.kind === 'reader-role');
    expect(
      roles.map((r) => [r.Properties.definition.name, r.Properties.definition.schema, r.Properties.definition.objects]),
    ).toEqual(
      expect.arrayContaining([
        ['INGEST_DEV_VAULT_READER', 'VAULT', 'tables'],
        ['INGEST_DEV_WAREHOUSE_READER', 'WAREHOUSE', undefined],
        ['INGEST_DEV_MART_READER', 'MART', undefined],
        ['INGEST_DEV_DATA_SCIENCE', 'MART', undefined],
      ]),
    );
  });

  test('THEN definitions are readable nested properties (columns, the task body as a string, the view query)', () => {
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'silver-table',
      removalPolicy: 'destroy',
      definition: Match.objectLike({
        database: 'INGEST_DEV',
        schema: 'CORE',
        dataset: 'listings',
        columns: Match.arrayWith([Match.objectLike({ name: Match.anyValue(), type: Match.anyValue() })]),
      }),
    });
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'task',
      definition: Match.objectLike({
        name: 'LISTINGS_MERGE',
        whenStreamHasData: 'INGEST_DEV.RAW.LISTINGS_STREAM',
        initialWarehouseSize: 'XSMALL',
        body: Match.stringLikeRegexp('^EXECUTE IMMEDIATE \\$\\$'),
      }),
    });
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'reader-role',
      definition: { name: 'INGEST_DEV_READER', database: 'INGEST_DEV', schema: 'GOLD', comment: Match.anyValue() },
    });
  });

  test('THEN CloudFormation orders them: stream after bronze, task after stream and silver, views after what they read', () => {
    const stream = byName('stream', 'LISTINGS_STREAM');
    expect(stream.DependsOn).toContain(byName('table', 'LISTINGS').id);
    const task = byName('task', 'LISTINGS_MERGE');
    expect(task.DependsOn).toEqual(
      expect.arrayContaining([
        stream.id,
        byName('silver-table', 'listings').id,
        byName('rejects-table', 'listings').id,
      ]),
    );
    const spend = byName('view', 'RETAIL_USER_SPEND');
    expect(spend.DependsOn).toEqual(
      expect.arrayContaining([
        byName('silver-table', 'retail_users').id,
        byName('silver-table', 'retail_transactions').id,
        byName('schema', 'GOLD').id,
      ]),
    );
    const role = byName('reader-role', 'INGEST_DEV_READER');
    const inGold = (r: (typeof objects)[string]) => (r.Properties.definition as { schema?: string }).schema === 'GOLD';
    for (const v of Object.entries(objects).filter(([, r]) => r.Properties.kind === 'view' && inGold(r)))
      expect(role.DependsOn).toContain(v[0]);
  });
});

describe('GIVEN options', () => {
  test('WHEN prod sets a reader role THEN that name, retained on delete', () => {
    const template = synth('prod', {}, (c) => ({
      ...c,
      environment: { ...c.environment, snowflake: { ...c.environment.snowflake, readerRole: 'ANALYSTS' } },
    }));
    template.hasResourceProperties('Custom::SnowflakeObject', {
      kind: 'reader-role',
      removalPolicy: 'retain',
      definition: Match.objectLike({ name: 'ANALYSTS', database: 'INGEST' }),
    });
  });

  test('WHEN dataModel is false THEN only the ingestion objects are managed', () => {
    const kinds = Object.values(synth('dev', { dataModel: false }).findResources('Custom::SnowflakeObject')).map(
      (r) => (r as Resource).Properties.kind,
    );
    expect([...new Set(kinds)].sort()).toEqual([
      'database',
      'file-format',
      'pipe',
      'schema',
      'stage',
      'storage-integration',
      'table',
    ]);
  });

  test('WHEN a gold view reads an unknown dataset THEN synth fails naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gold-'));
    try {
      writeFileSync(path.join(dir, 'broken.sql'), 'SELECT * FROM core.nope');
      expect(() => synth('dev', { dataModelSources: { goldDirectory: dir } })).toThrow(
        /broken\.sql: references core\.nope, which is not a dataset/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
