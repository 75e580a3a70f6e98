import {
  ConfigError,
  effectiveLimits,
  formatPath,
  loadConfig,
  parseDatasets,
  resolveEnvironment,
  stageName,
  DEFAULT_LIMITS,
} from '../../contracts/config';
import { rawExampleConfig } from '../lib/helpers';

/** Runs `loadConfig` and returns the problems it reports (fails the test if the config is accepted). */
function problemsOf(raw: unknown): string[] {
  try {
    loadConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe('ConfigError');
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadConfig', () => {
  test('GIVEN the example config WHEN loaded THEN it is accepted with dev and prod and 11 datasets', () => {
    const config = loadConfig(rawExampleConfig());
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    expect(config.datasets).toHaveLength(11);
  });

  test('GIVEN a dataset name with upper case WHEN loaded THEN the message names the path, the rule in words and the value', () => {
    const raw = rawExampleConfig();
    raw.datasets[2].name = 'Events';
    expect(problemsOf(raw)).toEqual([
      'datasets[2](Events).name: must be lower case: a letter, then letters, digits or _ (at most 63 characters) (got "Events")',
      // the source that uploads it now refers to a dataset that no longer exists
      'sources[2](webapp).datasets[0]: unknown dataset "events"',
    ]);
    expect(() => loadConfig(raw)).toThrow('Invalid pipeline config:\n  datasets[2](Events).name: must be lower case');
  });

  test('GIVEN mixed-case column names WHEN parsed THEN accepted as given; names equal ignoring case are refused', () => {
    const [dataset] = parseDatasets([
      { name: 'orders', format: 'csv', columns: [{ name: 'OrderID', type: 'NUMBER(38,0)' }], primaryKey: ['OrderID'] },
    ]);
    expect(dataset.columns[0].name).toBe('OrderID');
    expect(() =>
      parseDatasets([
        {
          name: 'orders',
          format: 'csv',
          columns: [
            { name: 'OrderID', type: 'VARCHAR' },
            { name: 'orderid', type: 'VARCHAR' },
          ],
        },
      ]),
    ).toThrow(
      'DATASETS[0](orders).columns[1](orderid).name: column "orderid" clashes with "OrderID" (Snowflake column names ignore case)',
    );
    expect(() =>
      parseDatasets([{ name: 'orders', format: 'csv', columns: [{ name: '_id', type: 'VARCHAR' }] }]),
    ).toThrow(
      'DATASETS[0](orders).columns[0](_id).name: must start with a letter, then letters, digits or _ (at most 255 characters) (got "_id")',
    );
  });

  test('GIVEN a retain environment that names no monitor identity WHEN loaded THEN it is valid (the deploy provisions one per function)', () => {
    const raw = rawExampleConfig();
    const prod = raw.environments.find((e: { removalPolicy: string }) => e.removalPolicy === 'retain')!;
    delete (prod.snowflake as { monitor?: unknown }).monitor;
    expect(() => loadConfig(raw)).not.toThrow();
  });

  test('GIVEN a retain environment whose hand-managed monitor would sign in as the deployer WHEN loaded THEN synth fails naming each field', () => {
    const raw = rawExampleConfig();
    const prod = raw.environments.find((e: { removalPolicy: string }) => e.removalPolicy === 'retain')!;
    (prod.snowflake as { monitor?: unknown }).monitor = { user: (prod.snowflake as { user: string }).user };
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(/^environments\[\d\]\(prod\)\.snowflake\.monitor\.user: must name the monitor's own user/),
      expect.stringMatching(/^environments\[\d\]\(prod\)\.snowflake\.monitor\.privateKeySecretArn: must name/),
      expect.stringMatching(/^environments\[\d\]\(prod\)\.snowflake\.monitor\.role: must name/),
    ]);
  });

  test('GIVEN a column path containing "$$" WHEN loaded THEN one path: rule line (not a stack trace at synth)', () => {
    const raw = rawExampleConfig();
    (raw.datasets[0].columns[0] as { path?: string }).path = 'a$$b';
    expect(problemsOf(raw)).toEqual([
      `datasets[0](${raw.datasets[0].name}).columns[0](${raw.datasets[0].columns[0].name}).path: must not contain "$$" (got "a$$b")`,
    ]);
  });

  test('GIVEN a column type with injected SQL WHEN loaded THEN the column type is rejected, naming dataset and column, the rule in words and the value', () => {
    const raw = rawExampleConfig();
    raw.datasets[0].columns[0].type = 'NUMBER(38,0); DROP TABLE x';
    expect(problemsOf(raw)).toEqual([
      'datasets[0](listings).columns[0](id).type: must be a Snowflake data type, optionally with (precision) or ' +
        '(precision,scale): NUMBER(38,0), VARCHAR, BOOLEAN, DATE, TIMESTAMP_NTZ, VARIANT, … (got "NUMBER(38,0); DROP TABLE x")',
    ]);
  });

  test('GIVEN a static access key in a source WHEN loaded THEN the unknown key is rejected', () => {
    const raw = rawExampleConfig();
    (raw.sources[0] as Record<string, unknown>).accessKeyId = 'AKIAEXAMPLE';
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^sources\[0\]: Unrecognized key: "accessKeyId"/)]);
  });

  test('GIVEN several errors WHEN loaded THEN every one is listed with its path', () => {
    const raw = rawExampleConfig();
    raw.environments[0].account = '1234';
    raw.environments[1].region = 'Europe';
    raw.sources[1].principals = [];
    raw.datasets[2].primaryKey = ['nope'];
    expect(problemsOf(raw).sort()).toEqual(
      [
        'environments[0](dev).account: must be a 12-digit AWS account id (got "1234")',
        'environments[1](prod).region: must be an AWS region like eu-west-1 (got "Europe")',
        'sources[1](weather).principals: must list at least one principal',
        'datasets[2](events).primaryKey[0]: "nope" is not one of the columns',
      ].sort(),
    );
  });

  test('GIVEN a required field left out (two enums) WHEN loaded THEN each message says it is missing', () => {
    const raw = rawExampleConfig();
    delete (raw.environments[0] as { removalPolicy?: unknown }).removalPolicy;
    delete (raw.datasets[0] as { format?: unknown }).format;
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        `datasets[0](${raw.datasets[0].name}).format: Invalid option: expected one of "csv"|"tsv"|"json"|"ndjson"|"auto" (missing)`,
        'environments[0](dev).removalPolicy: Invalid option: expected one of "destroy"|"retain" (missing)',
      ]),
    );
  });

  test('GIVEN duplicate names and an unknown dataset reference WHEN loaded THEN each is reported', () => {
    const raw = rawExampleConfig();
    raw.datasets[1].name = raw.datasets[0].name;
    raw.sources[0].datasets = ['missing'];
    raw.environments[1].name = 'dev';
    expect(problemsOf(raw).sort()).toEqual(
      [
        'datasets[1](listings).name: duplicate dataset "listings"',
        'environments[1](dev).name: duplicate environment "dev"',
        'sources[0](airbnb).datasets[0]: unknown dataset "missing"',
        'sources[1](weather).datasets[0]: unknown dataset "weather"',
      ].sort(),
    );
  });

  test('GIVEN retention periods in the wrong order WHEN loaded THEN the later period is reported', () => {
    const raw = rawExampleConfig();
    raw.environments[1].retention = { archiveInfrequentAccessDays: 60, archiveGlacierDays: 45 } as never;
    expect(problemsOf(raw)).toEqual([
      'environments[1](prod).retention.archiveGlacierDays: must be greater than archiveInfrequentAccessDays (60) (got 45)',
    ]);
  });

  test('GIVEN stage expiry below 8 days and a DLQ receive count of 0 WHEN loaded THEN both limits are reported', () => {
    const raw = rawExampleConfig();
    raw.environments[0].retention = { stageExpireDays: 3 } as never;
    (raw.environments[0] as Record<string, unknown>).ingestion = { maxReceiveCount: 0 };
    expect(problemsOf(raw).sort()).toEqual(
      [
        'environments[0](dev).ingestion.maxReceiveCount: Too small: expected number to be >=1 (got 0)',
        'environments[0](dev).retention.stageExpireDays: Too small: expected number to be >=8 (got 3)',
      ].sort(),
    );
  });

  test('GIVEN an invalid principal and secret ARN WHEN loaded THEN the rule is named', () => {
    const raw = rawExampleConfig();
    raw.sources[0].principals = ['arn:aws:iam::333333333333:group/uploaders'];
    raw.environments[0].snowflake.privateKeySecretArn = 'my-secret';
    expect(problemsOf(raw).sort()).toEqual(
      [
        'environments[0](dev).snowflake.privateKeySecretArn: must be a Secrets Manager secret ARN (got "my-secret")',
        'sources[0](airbnb).principals[0]: must be a 12-digit account id or an IAM role/user/root ARN (got "arn:aws:iam::333333333333:group/uploaders")',
      ].sort(),
    );
  });

  test('GIVEN no config object at all WHEN loaded THEN the root is named', () => {
    expect(problemsOf(undefined)).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});

describe('resolveEnvironment', () => {
  test('GIVEN a dataset override WHEN resolved THEN the field is replaced for that environment only', () => {
    const raw = rawExampleConfig();
    (raw.environments[0] as Record<string, unknown>).datasetOverrides = { events: { format: 'auto' } };
    const config = loadConfig(raw);
    expect(resolveEnvironment(config, 'dev').datasets.find((d) => d.name === 'events')?.format).toBe('auto');
    expect(resolveEnvironment(config, 'prod').datasets.find((d) => d.name === 'events')?.format).toBe('ndjson');
  });

  test('GIVEN an override that breaks a dataset WHEN resolved THEN the message names the environment', () => {
    const raw = rawExampleConfig();
    (raw.environments[0] as Record<string, unknown>).datasetOverrides = { events: { primaryKey: ['nope'] } };
    const config = loadConfig(raw);
    expect(() => resolveEnvironment(config, 'dev')).toThrow(
      'environments[dev].datasets[2](events).primaryKey[0]: "nope" is not one of the columns',
    );
  });

  test('GIVEN an unknown environment WHEN resolved THEN the known ones are listed', () => {
    expect(() => resolveEnvironment(loadConfig(rawExampleConfig()), 'qa')).toThrow(
      'environments: no environment named "qa" (have: dev, prod)',
    );
  });
});

describe('helpers', () => {
  test('GIVEN environment names WHEN turned into Stage names THEN they are PascalCase', () => {
    expect(['dev', 'prod', 'pre-prod'].map(stageName)).toEqual(['Dev', 'Prod', 'PreProd']);
  });

  test('GIVEN zod paths WHEN formatted THEN indexes use brackets', () => {
    expect(formatPath(['datasets', 2, 'columns', 0, 'name'])).toBe('datasets[2].columns[0].name');
  });

  test('GIVEN a DATASETS value with a bad entry WHEN parsed THEN the variable name prefixes the path', () => {
    expect(() => parseDatasets([{ name: 'x', format: 'xml', columns: [] }])).toThrow(
      /DATASETS\[0\]\(x\)\.format: .* \(got "xml"\)/,
    );
  });

  test('GIVEN onCastError and pathMatch WHEN parsed THEN the allowed values pass and others name the property and value', () => {
    const [dataset] = parseDatasets([
      {
        name: 'x',
        format: 'json',
        columns: [{ name: 'a', type: 'NUMBER', onCastError: 'reject' }],
        onCastError: 'null',
        pathMatch: 'case-insensitive',
      },
    ]);
    expect([dataset?.columns[0]?.onCastError, dataset?.onCastError, dataset?.pathMatch]).toEqual([
      'reject',
      'null',
      'case-insensitive',
    ]);
    expect(() =>
      parseDatasets([{ name: 'x', format: 'json', columns: [{ name: 'a', type: 'NUMBER', onCastError: 'drop' }] }]),
    ).toThrow(
      /DATASETS\[0\]\(x\)\.columns\[0\]\(a\)\.onCastError: Invalid option: expected one of "null"\|"reject" \(got "drop"\)/,
    );
    expect(() =>
      parseDatasets([{ name: 'x', format: 'json', columns: [{ name: 'a', type: 'NUMBER' }], pathMatch: 'loose' }]),
    ).toThrow(/DATASETS\[0\]\(x\)\.pathMatch: .*\(got "loose"\)/);
  });

  test('GIVEN a dataset with one limit set WHEN effective limits are computed THEN the others are defaults', () => {
    const [dataset] = parseDatasets([
      { name: 'x', format: 'csv', columns: [{ name: 'a', type: 'VARCHAR' }], limits: { maxDepth: 8 } },
    ]);
    expect(effectiveLimits(dataset)).toEqual({ ...DEFAULT_LIMITS, maxDepth: 8 });
  });
});
