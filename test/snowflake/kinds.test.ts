import { BRONZE_COLUMNS } from '../../snowflake/names';
import { UnsafeChangeError } from '../../snowflake/engine/errors';
import { fileFormatKind } from '../../snowflake/kinds/file-format';
import { pipeKind, REFRESH_FROM_PLACEHOLDER, renderCopy } from '../../snowflake/kinds/pipe';
import { stageKind } from '../../snowflake/kinds/stage';
import { storageIntegrationKind } from '../../snowflake/kinds/storage-integration';
import type { StorageIntegrationState } from '../../snowflake/kinds/storage-integration';
import { normalizeType, tableKind } from '../../snowflake/kinds/table';
import { databaseKind } from '../../snowflake/kinds/database';
import { schemaKind } from '../../snowflake/kinds/schema';
import { getKind } from '../../snowflake/kinds/registry';
import { ORDERS_PIPE, runningPipeState } from './support/pipes';

const integration = storageIntegrationKind.schema.parse({
  name: 'ingest_dev_s3',
  roleArn: 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-s3',
  externalId: 'ingest:dev:snowflake-s3',
  allowedLocations: ['s3://stage-bucket/data/'],
});
const integrationState: StorageIntegrationState = {
  provider: 'S3',
  enabled: true,
  roleArn: integration.roleArn,
  externalId: integration.externalId!,
  iamUserArn: 'arn:aws:iam::999999999999:user/sf',
  allowedLocations: ['s3://stage-bucket/data/'],
  blockedLocations: [],
  comment: null,
};
const pipe = ORDERS_PIPE;
const running = runningPipeState(pipe, 'arn:aws:sqs:eu-west-1:1:sf');

describe('storage integration planner', () => {
  test('GIVEN no integration WHEN planned THEN create with the fixed external id and the computed role ARN', () => {
    const plan = storageIntegrationKind.plan(undefined, integration);
    expect(plan.change).toBe('create');
    expect(plan.steps).toEqual([
      expect.objectContaining({
        sql: `CREATE STORAGE INTEGRATION "INGEST_DEV_S3" TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-s3' STORAGE_AWS_EXTERNAL_ID = 'ingest:dev:snowflake-s3' STORAGE_ALLOWED_LOCATIONS = ('s3://stage-bucket/data/')`,
      }),
    ]);
  });
  test('GIVEN the same state WHEN planned THEN no-op', () => {
    expect(storageIntegrationKind.plan(integrationState, integration)).toEqual({
      change: 'no-op',
      steps: [],
      notes: [],
    });
  });
  test('GIVEN a different external id and role WHEN planned THEN one ALTER (never CREATE OR REPLACE) with notes about the trust', () => {
    const plan = storageIntegrationKind.plan(
      { ...integrationState, externalId: 'old', roleArn: 'arn:aws:iam::111111111111:role/old' },
      integration,
    );
    expect(plan.change).toBe('alter');
    expect(plan.steps).toEqual([
      {
        type: 'sql',
        sql: `ALTER STORAGE INTEGRATION "INGEST_DEV_S3" SET STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-s3' STORAGE_AWS_EXTERNAL_ID = 'ingest:dev:snowflake-s3'`,
      },
    ]);
    expect(plan.notes).toHaveLength(2);
  });
  test('GIVEN blocked locations that are no longer wanted WHEN planned THEN UNSET them', () => {
    const plan = storageIntegrationKind.plan(
      { ...integrationState, blockedLocations: ['s3://stage-bucket/data/secret/'] },
      integration,
    );
    expect(plan.steps.map((s) => (s.type === 'sql' ? s.sql : s.type))).toEqual([
      `ALTER STORAGE INTEGRATION "INGEST_DEV_S3" UNSET STORAGE_BLOCKED_LOCATIONS`,
    ]);
  });
  test('GIVEN an integration of another provider WHEN planned THEN refused: an integration is never replaced', () => {
    expect(() => storageIntegrationKind.plan({ ...integrationState, provider: 'GCS' }, integration)).toThrow(
      UnsafeChangeError,
    );
    expect(() => storageIntegrationKind.plan({ ...integrationState, provider: 'GCS' }, integration)).toThrow(
      /never replaced/,
    );
  });
  test('GIVEN CloudFormation strings WHEN parsed THEN enabled "false" is a boolean and bad values name the field', () => {
    expect(storageIntegrationKind.schema.parse({ ...integration, enabled: 'false' }).enabled).toBe(false);
    const bad = storageIntegrationKind.schema.safeParse({
      ...integration,
      enabled: 'yes',
      allowedLocations: ["s3://b/x'; DROP"],
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['enabled', 'allowedLocations.0']),
    );
  });
});

describe('pipe planner', () => {
  test('GIVEN the COPY WHEN rendered THEN it fills exactly BRONZE_COLUMNS, in order, with METADATA$START_SCAN_TIME and never CURRENT_TIMESTAMP', () => {
    const copy = renderCopy(pipe);
    const columns = /\(([^)]*)\) FROM/
      .exec(copy)![1]
      .split(', ')
      .map((c) => c.replace(/"/g, ''));
    expect(columns).toEqual(BRONZE_COLUMNS.map((c) => c.name));
    expect(copy).toContain('METADATA$START_SCAN_TIME');
    expect(copy).toContain('METADATA$FILENAME, METADATA$FILE_ROW_NUMBER');
    expect(copy).not.toMatch(/CURRENT_TIMESTAMP/i);
    expect(copy).toContain('FROM @"INGEST_DEV"."RAW"."PIPELINE_STAGE"/data/orders/)');
  });
  test('GIVEN no pipe WHEN planned THEN CREATE PIPE AUTO_INGEST (not OR REPLACE), retried on IAM propagation', () => {
    const [step] = pipeKind.plan(undefined, pipe).steps;
    expect(step).toMatchObject({ type: 'sql', retryOnAccessError: true });
    expect(step.type === 'sql' && step.sql).toMatch(
      /^CREATE PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" AUTO_INGEST = TRUE AS COPY INTO/,
    );
  });
  test('GIVEN the same COPY with different whitespace WHEN planned THEN no-op', () => {
    expect(pipeKind.plan({ ...running, definition: renderCopy(pipe).replace(/ /g, '\n  ') }, pipe).change).toBe(
      'no-op',
    );
  });
  test('GIVEN a comment or error integration change WHEN planned THEN one ALTER PIPE', () => {
    const plan = pipeKind.plan(running, { ...pipe, comment: 'c', errorIntegration: 'PIPE_ERRORS' });
    expect(plan).toEqual({
      change: 'alter',
      steps: [
        {
          type: 'sql',
          sql: `ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" SET ERROR_INTEGRATION = "PIPE_ERRORS" COMMENT = 'c'`,
        },
      ],
      notes: [],
    });
  });
  test('GIVEN a running pipe and a COPY change WHEN planned THEN pause (undo: resume), record the instant, recreate, resume, refresh, restore the comment — no drain wait', () => {
    const plan = pipeKind.plan(running, { ...pipe, path: 'data/orders/v2/' });
    expect(plan.change).toBe('replace-by-procedure');
    expect(plan.steps.map((s) => (s.type === 'sql' ? s.sql.split(' AS COPY')[0] : s.type))).toEqual([
      'ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" SET PIPE_EXECUTION_PAUSED = TRUE',
      'mark-refresh-from',
      `CREATE OR REPLACE PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" AUTO_INGEST = TRUE COMMENT = '[refresh-from ${REFRESH_FROM_PLACEHOLDER}]'`,
      'ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" SET PIPE_EXECUTION_PAUSED = FALSE',
      'refresh-from-mark',
      'ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" UNSET COMMENT',
    ]);
    expect(plan.steps[0]).toMatchObject({
      marksPause: true,
      undo: 'ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" SET PIPE_EXECUTION_PAUSED = FALSE',
    });
    expect(plan.steps[2]).toMatchObject({ settlesUndo: true, usesRefreshFrom: true });
  });
  test('GIVEN an operator-paused pipe and a COPY change WHEN planned THEN it is recreated and left paused, the instant kept for the deploy after its resume', () => {
    const plan = pipeKind.plan({ ...running, executionState: 'PAUSED' }, { ...pipe, path: 'data/orders/v2/' });
    expect(plan.steps.map((s) => s.type)).toEqual(['mark-refresh-from', 'sql', 'sql']);
    expect(plan.steps[2]).toMatchObject({
      sql: 'ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" SET PIPE_EXECUTION_PAUSED = TRUE',
    });
    expect(plan.notes.join(' ')).toMatch(/paused by an operator/);
    // Resumed by the operator later: the next deploy runs the owed REFRESH and restores the comment.
    const later = pipeKind.plan({ ...running, refreshFrom: '2026-01-01T00:00:00.000Z' }, pipe);
    expect(later.steps).toEqual([
      { type: 'refresh-from-mark', pipe: '"INGEST_DEV"."RAW"."ORDERS_PIPE"', recorded: '2026-01-01T00:00:00.000Z' },
      { type: 'sql', sql: 'ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" UNSET COMMENT' },
    ]);
  });
  test.each(['STOPPED_STAGE_ALTERED', 'STOPPED_CLONED', 'STOPPED_MISSING_TABLE'])(
    'GIVEN a %s pipe and no change WHEN planned THEN recovered by the procedure (no pause of a stopped pipe)',
    (state) => {
      const plan = pipeKind.plan({ ...running, executionState: state }, pipe);
      expect(plan.change).toBe('replace-by-procedure');
      expect(plan.steps[0]?.type).toBe('mark-refresh-from');
      expect(plan.notes[0]).toContain(`the pipe is ${state}`);
    },
  );
  test('GIVEN an error integration removal or a non-auto-ingest pipe WHEN planned THEN recreated by procedure', () => {
    expect(pipeKind.plan({ ...running, errorIntegration: 'X' }, pipe).change).toBe('replace-by-procedure');
    expect(pipeKind.plan({ ...running, notificationChannel: null }, pipe).change).toBe('replace-by-procedure');
  });
  test('GIVEN a path with quotes or upper case WHEN parsed THEN rejected', () => {
    expect(pipeKind.schema.safeParse({ ...pipe, path: "data/x') --/" }).success).toBe(false);
    expect(pipeKind.schema.safeParse({ ...pipe, table: 'INGEST_DEV.RAW' }).success).toBe(false);
  });
});

describe('table planner', () => {
  const table = tableKind.schema.parse({
    database: 'd',
    schema: 'raw',
    name: 'orders',
    columns: BRONZE_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
  });
  const described = BRONZE_COLUMNS.map((c) => ({ name: c.name, type: normalizeType(c.type) }));
  test('GIVEN no table WHEN planned THEN a plain CREATE TABLE (fails rather than clobbers if it appears meanwhile)', () => {
    const [step] = tableKind.plan(undefined, table).steps;
    expect(step.type === 'sql' && step.sql).toMatch(/^CREATE TABLE "D"."RAW"."ORDERS" \("RECORD" VARIANT, /);
  });
  test('GIVEN DESC TABLE types (VARCHAR(16777216), TIMESTAMP_TZ(9)) WHEN planned THEN no-op', () => {
    expect(tableKind.plan({ columns: described, comment: null }, table).change).toBe('no-op');
  });
  test('GIVEN DESC TABLE showing VARCHAR(134217728) (BCR 2025_07 default size) WHEN planned THEN no-op, not UnsafeChangeError; a real shortening still is', () => {
    const bcr = described.map((c) => (c.type === 'VARCHAR(16777216)' ? { ...c, type: 'VARCHAR(134217728)' } : c));
    expect(bcr.some((c) => c.type === 'VARCHAR(134217728)')).toBe(true);
    expect(tableKind.plan({ columns: bcr, comment: null }, table).change).toBe('no-op');
    const short = described.map((c) => (c.type === 'VARCHAR(16777216)' ? { ...c, type: 'VARCHAR(10)' } : c));
    expect(() => tableKind.plan({ columns: short, comment: null }, table)).toThrow(UnsafeChangeError);
  });
  test('GIVEN a new column WHEN planned THEN ADD COLUMN; GIVEN extra columns THEN kept with a note', () => {
    const plan = tableKind.plan(
      { columns: [...described.slice(0, -1), { name: 'LEGACY', type: 'VARCHAR(10)' }], comment: null },
      table,
    );
    expect(plan.steps).toEqual([
      { type: 'sql', sql: 'ALTER TABLE "D"."RAW"."ORDERS" ADD COLUMN "LOADED_AT" TIMESTAMP_TZ' },
    ]);
    expect(plan.notes).toEqual(['columns no longer defined are kept (never dropped): LEGACY']);
  });
  test('GIVEN a retyped column WHEN planned THEN refused, naming the column and both types', () => {
    const state = {
      columns: described.map((c) => (c.name === 'SOURCE' ? { ...c, type: 'NUMBER(38,0)' } : c)),
      comment: null,
    };
    expect(() => tableKind.plan(state, table)).toThrow(
      /D\.RAW\.ORDERS: column type changes are not applied automatically .*SOURCE NUMBER\(38,0\) → VARCHAR/,
    );
  });
  test.each([
    ['VARCHAR', 'VARCHAR(16777216)'],
    ['string', 'VARCHAR(16777216)'],
    ['INT', 'NUMBER(38,0)'],
    ['NUMBER(10)', 'NUMBER(10,0)'],
    ['NUMBER( 12, 2 )', 'NUMBER(12,2)'],
    ['TIMESTAMP', 'TIMESTAMP_NTZ(9)'],
    ['VARIANT', 'VARIANT'],
  ])('normalizeType(%s) = %s', (input, expected) => expect(normalizeType(input)).toBe(expected));
});

describe('stateless kinds', () => {
  const format = fileFormatKind.schema.parse({
    database: 'D',
    schema: 'RAW',
    name: 'F',
    type: 'JSON',
    compression: 'GZIP',
  });
  test('GIVEN a file format of another type WHEN planned THEN replace (atomic CREATE OR REPLACE) with a note', () => {
    const plan = fileFormatKind.plan(
      { type: 'CSV', compression: 'GZIP', stripOuterArray: false, comment: null },
      format,
    );
    expect(plan.change).toBe('replace');
    expect(plan.steps[0]).toMatchObject({
      sql: expect.stringMatching(/^CREATE OR REPLACE FILE FORMAT "D"."RAW"."F" TYPE = JSON/),
    });
  });
  test('GIVEN a compression change WHEN planned THEN ALTER FILE FORMAT', () => {
    expect(
      fileFormatKind.plan({ type: 'JSON', compression: 'AUTO', stripOuterArray: false, comment: null }, format).steps,
    ).toEqual([{ type: 'sql', sql: 'ALTER FILE FORMAT "D"."RAW"."F" SET COMPRESSION = GZIP' }]);
  });
  const stage = stageKind.schema.parse({
    database: 'D',
    schema: 'RAW',
    name: 'S',
    url: 's3://b-1/',
    storageIntegration: 'I',
    fileFormat: 'D.RAW.F',
  });
  test('GIVEN a stage with another URL and format WHEN planned THEN one ALTER STAGE', () => {
    const plan = stageKind.plan(
      { url: 's3://old/', storageIntegration: 'I', fileFormat: 'D.RAW.OLD', comment: null },
      stage,
    );
    expect(plan.steps).toEqual([
      {
        type: 'sql',
        sql: `ALTER STAGE "D"."RAW"."S" SET URL = 's3://b-1/' FILE_FORMAT = (FORMAT_NAME = 'D.RAW.F')`,
        retryOnAccessError: true,
      },
    ]);
  });
  test('GIVEN databases and schemas WHEN the comment changes THEN ALTER … SET COMMENT (escaped)', () => {
    expect(databaseKind.plan({ comment: '' }, { name: 'D', comment: "it's" }).steps).toEqual([
      { type: 'sql', sql: `ALTER DATABASE "D" SET COMMENT = 'it\\'s'` },
    ]);
    expect(schemaKind.plan({ comment: 'x' }, { database: 'D', name: 'RAW', comment: 'x' }).change).toBe('no-op');
  });
});

describe('kind registry', () => {
  test('GIVEN the registry THEN every kind of this issue is found by its name and unknown kinds are named', () => {
    for (const name of ['database', 'schema', 'storage-integration', 'file-format', 'stage', 'table', 'pipe']) {
      expect(getKind(name).kind).toBe(name);
    }
    expect(() => getKind('sequence')).toThrow(/unknown Snowflake object kind "sequence" \(known: database, /);
  });
});

describe('storage integration external id', () => {
  const generated = { ...integration, externalId: undefined };
  test('GIVEN no explicit external id WHEN created THEN Snowflake generates it (the statement names none)', () => {
    const [step] = storageIntegrationKind.plan(undefined, generated).steps;
    expect(step?.type === 'sql' && step.sql).not.toContain('STORAGE_AWS_EXTERNAL_ID');
  });
  test('GIVEN an integration with its generated id WHEN updated without one THEN the id is kept (no-op)', () => {
    const live = { ...integrationState, externalId: 'ACCT_SFCRole=2_aBcD1234randomPart=' };
    expect(storageIntegrationKind.plan(live, generated)).toEqual({ change: 'no-op', steps: [], notes: [] });
  });
});
