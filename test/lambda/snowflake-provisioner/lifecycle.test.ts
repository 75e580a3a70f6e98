/**
 * The real provisioner handler, end to end: real snowflake-sdk (JWT login) against the
 * Snowflake-protocol test server, the key read by the real Secrets Manager client from the local
 * Secrets Manager server. Statement sequences are asserted exactly.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import { clearPrivateKeyCache } from '../../../lambda/shared/snowflake/private-key';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

// The marker the Provider framework's runtime puts in the physical id of a failed Create (read from
// the installed aws-cdk-lib, so an upgrade that changes it fails this test).
const FRAMEWORK_RUNTIME = readFileSync(
  path.join(
    __dirname,
    '../../../node_modules/aws-cdk-lib/custom-resources/lib/provider-framework/runtime/cfn-response.js',
  ),
  'utf8',
);
const CREATE_FAILED_PHYSICAL_ID_MARKER = /CREATE_FAILED_PHYSICAL_ID_MARKER="([^"]+)"/.exec(FRAMEWORK_RUNTIME)![1];
const PAUSED_AT = new Date('2026-11-21T06:00:00.000Z');
let h: Harness;
let handler: ReturnType<typeof createHandler>;
const objects = testObjects();
const o = (id: string) => objects.get(id)!;
const physical: Record<string, string> = {};
/** Updates object `id` (deployed as `physical[id]`) to `definition`. */
const updateDefinition = (id: string, definition: Record<string, unknown>) =>
  handler(cfnEvent('Update', id, props(h.connection, { ...o(id), definition }), physical[id]));

beforeAll(async () => {
  h = await startHarness();
  handler = createHandler({
    session: { attempts: 1 },
    apply: { now: () => PAUSED_AT, sleep: async () => undefined, accessRetryDelayMs: 1 },
  });
});
afterAll(() => h.stop());
beforeEach(() => h.snowflake.clearLog());

describe('GIVEN an empty account WHEN every object of a dataset is created in dependency order', () => {
  test('THEN each Create runs exactly SHOW/DESC, CREATE, re-read, and returns the qualified name and attributes', async () => {
    const expected: Record<string, string[]> = {
      Database: [
        `SHOW DATABASES LIKE 'INGEST_TEST'`,
        `CREATE DATABASE "INGEST_TEST"`,
        `SHOW DATABASES LIKE 'INGEST_TEST'`,
      ],
      RawSchema: [
        `SHOW SCHEMAS LIKE 'RAW' IN DATABASE "INGEST_TEST"`,
        `CREATE SCHEMA "INGEST_TEST"."RAW" COMMENT = 'Bronze landing tables and ingestion objects (ingest test)'`,
        `SHOW SCHEMAS LIKE 'RAW' IN DATABASE "INGEST_TEST"`,
      ],
      StorageIntegration: [
        `SHOW STORAGE INTEGRATIONS LIKE 'INGEST_TEST_S3'`,
        `CREATE STORAGE INTEGRATION "INGEST_TEST_S3" TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = TRUE STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::111111111111:role/ingest-test-snowflake-s3' STORAGE_AWS_EXTERNAL_ID = 'ingest:test:snowflake-s3' STORAGE_ALLOWED_LOCATIONS = ('s3://ingest-test-stage/') COMMENT = 'S3 access to the stage bucket (ingest test)'`,
        `SHOW STORAGE INTEGRATIONS LIKE 'INGEST_TEST_S3'`,
        `DESC STORAGE INTEGRATION "INGEST_TEST_S3"`,
      ],
      FileFormat: [
        `SHOW FILE FORMATS LIKE 'STAGE_NDJSON_GZ' IN SCHEMA "INGEST_TEST"."RAW"`,
        `CREATE FILE FORMAT "INGEST_TEST"."RAW"."STAGE_NDJSON_GZ" TYPE = JSON COMPRESSION = GZIP STRIP_OUTER_ARRAY = FALSE COMMENT = 'Gzip NDJSON stage lines'`,
        `SHOW FILE FORMATS LIKE 'STAGE_NDJSON_GZ' IN SCHEMA "INGEST_TEST"."RAW"`,
      ],
      Stage: [
        `SHOW STAGES LIKE 'PIPELINE_STAGE' IN SCHEMA "INGEST_TEST"."RAW"`,
        `CREATE STAGE "INGEST_TEST"."RAW"."PIPELINE_STAGE" URL = 's3://ingest-test-stage/' STORAGE_INTEGRATION = "INGEST_TEST_S3" FILE_FORMAT = (FORMAT_NAME = 'INGEST_TEST.RAW.STAGE_NDJSON_GZ') COMMENT = 'Stage bucket (ingest test)'`,
        `SHOW STAGES LIKE 'PIPELINE_STAGE' IN SCHEMA "INGEST_TEST"."RAW"`,
        `DESC STAGE "INGEST_TEST"."RAW"."PIPELINE_STAGE"`,
      ],
      OrdersBronze: [
        `SHOW TABLES LIKE 'ORDERS' IN SCHEMA "INGEST_TEST"."RAW"`,
        `CREATE TABLE "INGEST_TEST"."RAW"."ORDERS" ("RECORD" VARIANT, "SOURCE" VARCHAR, "SOURCE_KEY" VARCHAR, "SOURCE_ROW" NUMBER(38,0), "RECEIVED_AT" TIMESTAMP_TZ, "STAGE_FILE" VARCHAR, "STAGE_ROW" NUMBER(38,0), "LOADED_AT" TIMESTAMP_TZ) COMMENT = 'Bronze: orders as loaded by its pipe'`,
        `SHOW TABLES LIKE 'ORDERS' IN SCHEMA "INGEST_TEST"."RAW"`,
        `DESC TABLE "INGEST_TEST"."RAW"."ORDERS"`,
      ],
      OrdersPipe: [
        `SHOW PIPES LIKE 'ORDERS_PIPE' IN SCHEMA "INGEST_TEST"."RAW"`,
        `CREATE PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" AUTO_INGEST = TRUE COMMENT = 'Loads data/orders/ into INGEST_TEST.RAW.ORDERS' AS COPY INTO "INGEST_TEST"."RAW"."ORDERS" ("RECORD", "SOURCE", "SOURCE_KEY", "SOURCE_ROW", "RECEIVED_AT", "STAGE_FILE", "STAGE_ROW", "LOADED_AT") FROM (SELECT $1:record, $1:source::VARCHAR, $1:source_key::VARCHAR, $1:source_row::NUMBER(38,0), $1:received_at::TIMESTAMP_TZ, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, METADATA$START_SCAN_TIME FROM @"INGEST_TEST"."RAW"."PIPELINE_STAGE"/data/orders/) FILE_FORMAT = (FORMAT_NAME = 'INGEST_TEST.RAW.STAGE_NDJSON_GZ')`,
        `SHOW PIPES LIKE 'ORDERS_PIPE' IN SCHEMA "INGEST_TEST"."RAW"`,
        `SELECT SYSTEM$PIPE_STATUS('INGEST_TEST.RAW.ORDERS_PIPE') AS STATUS`,
      ],
    };
    for (const [id, statements] of Object.entries(expected)) {
      h.snowflake.clearLog();
      const out = await handler(cfnEvent('Create', id, props(h.connection, o(id))));
      // onEvent first checks that the name is free (the same read as isComplete's, before its CREATE).
      const nameCheck = statements.slice(
        0,
        statements.findIndex((s) => s.startsWith('CREATE')),
      );
      expect({ id, statements: h.snowflake.statements }).toEqual({ id, statements: [...nameCheck, ...statements] });
      physical[id] = out.PhysicalResourceId;
      expect(out.Data.ChangeKind).toBe(id === 'Database' ? 'create' : 'create');
    }
    expect(physical).toEqual({
      Database: 'INGEST_TEST',
      RawSchema: 'INGEST_TEST.RAW',
      StorageIntegration: 'INGEST_TEST_S3',
      FileFormat: 'INGEST_TEST.RAW.STAGE_NDJSON_GZ',
      Stage: 'INGEST_TEST.RAW.PIPELINE_STAGE',
      OrdersBronze: 'INGEST_TEST.RAW.ORDERS',
      OrdersPipe: 'INGEST_TEST.RAW.ORDERS_PIPE',
    });
    expect(h.snowflake.logins.every((l) => l.ok)).toBe(true);
  });

  test('THEN the attributes carry the IAM user ARN and the notification channel', async () => {
    const integration = await handler(
      cfnEvent(
        'Update',
        'StorageIntegration',
        props(h.connection, o('StorageIntegration')),
        physical.StorageIntegration,
      ),
    );
    expect(integration.Data).toEqual({
      Name: 'INGEST_TEST_S3',
      StorageAwsIamUserArn: h.snowflake.catalog.iamUserArn,
      StorageAwsExternalId: 'ingest:test:snowflake-s3',
      ChangeKind: 'no-op',
    });
    const pipe = await handler(
      cfnEvent('Update', 'OrdersPipe', props(h.connection, o('OrdersPipe')), physical.OrdersPipe),
    );
    expect(pipe.Data.NotificationChannel).toBe(h.snowflake.catalog.sqsArn);
  });
});

describe('GIVEN the deployed objects', () => {
  test('WHEN every object is updated with unchanged properties THEN no DDL runs and each reports no-op', async () => {
    for (const id of objects.keys()) {
      const out = await handler(cfnEvent('Update', id, props(h.connection, o(id)), physical[id]));
      expect({ id, change: out.Data.ChangeKind, physicalId: out.PhysicalResourceId }).toEqual({
        id,
        change: 'no-op',
        physicalId: physical[id],
      });
    }
    expect(h.snowflake.ddl).toEqual([]);
  });

  test('WHEN the pipe comment changes THEN it is ALTERed (no recreation)', async () => {
    const def = { ...o('OrdersPipe').definition, comment: 'orders v2' };
    const out = await updateDefinition('OrdersPipe', def);
    expect(out.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.ddl).toEqual([`ALTER PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" SET COMMENT = 'orders v2'`]);
  });

  test('WHEN the integration allowed locations change THEN it is ALTERed, never replaced', async () => {
    const def = {
      ...o('StorageIntegration').definition,
      allowedLocations: ['s3://ingest-test-stage/', 's3://ingest-test-backfill/'],
    };
    const out = await updateDefinition('StorageIntegration', def);
    expect(out.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.ddl).toEqual([
      `ALTER STORAGE INTEGRATION "INGEST_TEST_S3" SET STORAGE_ALLOWED_LOCATIONS = ('s3://ingest-test-stage/', 's3://ingest-test-backfill/')`,
    ]);
    expect(out.Data.StorageAwsIamUserArn).toBe(h.snowflake.catalog.iamUserArn);
  });

  test('WHEN a dataset table gains a column THEN it is added with ALTER TABLE and nothing is dropped', async () => {
    const base = o('OrdersBronze').definition as { columns: object[] };
    const def = { ...base, columns: [...base.columns, { name: 'BATCH_ID', type: 'VARCHAR' }] };
    const out = await updateDefinition('OrdersBronze', def);
    expect(out.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.ddl).toEqual([`ALTER TABLE "INGEST_TEST"."RAW"."ORDERS" ADD COLUMN "BATCH_ID" VARCHAR`]);
  });
});

describe('Create over, and Delete of, existing objects', () => {
  test('GIVEN the stage exists WHEN another resource creates it without adopt THEN it fails before any DDL, naming the fix', async () => {
    await expect(handler(cfnEvent('Create', 'Stage2', props(h.connection, o('Stage'))))).rejects.toThrow(
      /stage INGEST_TEST\.RAW\.PIPELINE_STAGE already exists in Snowflake and was not created by this stack\. Set `adopt: true`/,
    );
    expect(h.snowflake.ddl).toEqual([]);
  });

  test('GIVEN that failed Create WHEN CloudFormation rolls back THEN the framework marker physical id makes the Delete drop nothing, without even logging in', async () => {
    expect(CREATE_FAILED_PHYSICAL_ID_MARKER).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    const logins = h.snowflake.logins.length;
    const out = await handler(
      cfnEvent(
        'Delete',
        'Stage2',
        props(h.connection, o('Stage'), { removalPolicy: 'destroy' }),
        CREATE_FAILED_PHYSICAL_ID_MARKER,
      ),
    );
    expect(out.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID_MARKER);
    expect(h.snowflake.statements).toEqual([]);
    expect(h.snowflake.logins).toHaveLength(logins);
    expect(h.snowflake.catalog.stages.has('INGEST_TEST.RAW.PIPELINE_STAGE')).toBe(true);
  });

  test('GIVEN the table exists WHEN created with adopt "true" (a CloudFormation string) THEN it is adopted and a later Delete retains it even under destroy', async () => {
    const out = await handler(cfnEvent('Create', 'Adopted', props(h.connection, o('OrdersBronze'), { adopt: true })));
    expect(out.Data.ChangeKind).toBe('adopt');
    await handler(
      cfnEvent(
        'Delete',
        'Adopted',
        props(h.connection, o('OrdersBronze'), { adopt: true, removalPolicy: 'destroy' }),
        out.PhysicalResourceId,
      ),
    );
    expect(h.snowflake.ddl).toEqual([]);
    expect(h.snowflake.catalog.tables.has('INGEST_TEST.RAW.ORDERS')).toBe(true);
  });

  test('GIVEN removalPolicy retain WHEN the bronze table is deleted THEN it is kept; WHEN destroy THEN it is dropped', async () => {
    const retained = await handler(
      cfnEvent('Delete', 'OrdersBronze', props(h.connection, o('OrdersBronze')), physical.OrdersBronze),
    );
    expect(retained.Data).toEqual({ ChangeKind: 'retain' });
    expect(h.snowflake.ddl).toEqual([]);
    // The pipe goes first (CloudFormation deletes dependents first): under retain it is left untouched
    // (its load history), under destroy it is dropped.
    const keptPipe = await handler(
      cfnEvent('Delete', 'OrdersPipe', props(h.connection, o('OrdersPipe')), physical.OrdersPipe),
    );
    expect(keptPipe.Data).toEqual({ ChangeKind: 'retain' });
    expect(h.snowflake.ddl).toEqual([]);
    await handler(
      cfnEvent(
        'Delete',
        'OrdersPipe',
        props(h.connection, o('OrdersPipe'), { removalPolicy: 'destroy' }),
        physical.OrdersPipe,
      ),
    );
    await handler(
      cfnEvent(
        'Delete',
        'OrdersBronze',
        props(h.connection, o('OrdersBronze'), { removalPolicy: 'destroy' }),
        physical.OrdersBronze,
      ),
    );
    expect(h.snowflake.ddl).toEqual([
      `DROP PIPE IF EXISTS "INGEST_TEST"."RAW"."ORDERS_PIPE"`,
      `DROP TABLE IF EXISTS "INGEST_TEST"."RAW"."ORDERS"`,
    ]);
  });

  test('WHEN a name changes THEN the Update creates the new object and only the following Delete drops the old one', async () => {
    const renamed = { ...o('FileFormat').definition, name: 'STAGE_NDJSON_GZ_V2' };
    const out = await updateDefinition('FileFormat', renamed);
    expect(out.PhysicalResourceId).toBe('INGEST_TEST.RAW.STAGE_NDJSON_GZ_V2');
    expect(h.snowflake.ddl).toEqual([
      expect.stringMatching(/^CREATE FILE FORMAT "INGEST_TEST"."RAW"."STAGE_NDJSON_GZ_V2" /),
    ]);
    expect(h.snowflake.catalog.fileFormats.has('INGEST_TEST.RAW.STAGE_NDJSON_GZ')).toBe(true);
    h.snowflake.clearLog();
    // Under retain the old file format is left untouched; under destroy the Delete drops it.
    await handler(cfnEvent('Delete', 'FileFormat', props(h.connection, o('FileFormat')), physical.FileFormat));
    expect(h.snowflake.ddl).toEqual([]);
    await handler(
      cfnEvent(
        'Delete',
        'FileFormat',
        props(h.connection, o('FileFormat'), { removalPolicy: 'destroy' }),
        physical.FileFormat,
      ),
    );
    expect(h.snowflake.ddl).toEqual([`DROP FILE FORMAT IF EXISTS "INGEST_TEST"."RAW"."STAGE_NDJSON_GZ"`]);
  });
});

describe('Rollback of a rename', () => {
  test('GIVEN a rename that CloudFormation rolls back WHEN the Update returns to the old name THEN no DDL, the old name is the physical id, and the cleanup Delete drops only the new object', async () => {
    const old = o('Stage');
    const renamed = { ...old, definition: { ...old.definition, name: 'PIPELINE_STAGE_V2' } };
    const forward = await handler(
      cfnEvent('Update', 'Stage', props(h.connection, renamed), physical.Stage, props(h.connection, old)),
    );
    expect(forward.PhysicalResourceId).toBe('INGEST_TEST.RAW.PIPELINE_STAGE_V2');
    h.snowflake.clearLog();
    // Rollback: CloudFormation sends the old properties with the new physical id.
    const back = await handler(
      cfnEvent('Update', 'Stage', props(h.connection, old), forward.PhysicalResourceId, props(h.connection, renamed)),
    );
    expect(back.PhysicalResourceId).toBe('INGEST_TEST.RAW.PIPELINE_STAGE');
    expect(h.snowflake.ddl).toEqual([]);
    // Cleanup: Delete of the resource as it was during the failed update (under destroy; under
    // retain a stage is left untouched).
    await handler(
      cfnEvent(
        'Delete',
        'Stage',
        props(h.connection, renamed, { removalPolicy: 'destroy' }),
        forward.PhysicalResourceId,
      ),
    );
    expect(h.snowflake.ddl).toEqual([`DROP STAGE IF EXISTS "INGEST_TEST"."RAW"."PIPELINE_STAGE_V2"`]);
    expect(h.snowflake.catalog.stages.has('INGEST_TEST.RAW.PIPELINE_STAGE')).toBe(true);
  });
});

describe('Failures', () => {
  test('GIVEN a Snowflake error mid-way through a Create WHEN the re-read fails THEN the message names object, statement and code, and the new object is dropped again', async () => {
    const def = { ...o('FileFormat').definition, name: 'MIDWAY' };
    // onEvent's and isComplete's existence checks pass, the CREATE runs, then the re-read fails.
    h.snowflake.failOn({
      match: /^SHOW FILE FORMATS LIKE 'MIDWAY'/,
      code: '000603',
      sqlState: 'XX000',
      message: 'SQL execution internal error.',
      after: 2,
    });
    const error = await handler(
      cfnEvent('Create', 'Midway', props(h.connection, { ...o('FileFormat'), definition: def })),
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('INGEST_TEST.RAW.MIDWAY');
    expect(message).toContain(`SHOW FILE FORMATS LIKE 'MIDWAY'`);
    expect(message).toContain('000603');
    expect(message).toContain('dropped again: DROP FILE FORMAT IF EXISTS "INGEST_TEST"."RAW"."MIDWAY"');
    expect(h.snowflake.catalog.fileFormats.has('INGEST_TEST.RAW.MIDWAY')).toBe(false);
    expect(message).not.toContain('PRIVATE KEY');
  });

  test('GIVEN IAM trust still propagating WHEN the pipe is created THEN access errors are retried (bounded) until it succeeds', async () => {
    await handler(cfnEvent('Create', 'OrdersBronze', props(h.connection, o('OrdersBronze'), { adopt: true })));
    h.snowflake.clearLog();
    h.snowflake.failOn({
      match: /^CREATE PIPE/,
      code: '091003',
      sqlState: '22000',
      message:
        'Failure using stage area. Cause: [Error assuming AWS_ROLE. Please verify the role and externalId are configured correctly in your AWS policy.]',
      times: 2,
    });
    const out = await handler(cfnEvent('Create', 'OrdersPipe', props(h.connection, o('OrdersPipe'))));
    expect(out.Data.ChangeKind).toBe('create');
    expect(h.snowflake.ddl.filter((s) => s.startsWith('CREATE PIPE'))).toHaveLength(3);
  });

  test('GIVEN an invalid definition WHEN created THEN the error names the property path and no session is opened', async () => {
    const logins = h.snowflake.logins.length;
    const bad = { ...o('OrdersBronze').definition, columns: [{ name: 'X', type: 'NUMBER(38,0); DROP TABLE Y' }] };
    await expect(
      handler(cfnEvent('Create', 'Bad', props(h.connection, { ...o('OrdersBronze'), definition: bad }))),
    ).rejects.toThrow(
      /Invalid properties of Bad:\n {2}ResourceProperties\.definition\.columns\[0\]\.type: must be a Snowflake type/,
    );
    expect(h.snowflake.logins).toHaveLength(logins);
  });

  test('GIVEN the secret holds a key Snowflake does not know WHEN connecting THEN login fails clearly without key material', async () => {
    const { keyPair, SECRET_ARN } = await import('./harness');
    const other = keyPair();
    h.secrets.put(SECRET_ARN, other.privateKey);
    clearPrivateKeyCache();
    try {
      const error = await handler(cfnEvent('Create', 'Db2', props(h.connection, o('Database')))).catch((e: Error) => e);
      const text = `${(error as Error).message}\n${(error as Error).stack}`;
      expect((error as Error).name).toBe('SnowflakeConnectionError');
      expect(text).toMatch(
        /cannot log in to Snowflake http:\/\/127\.0\.0\.1:\d+ as PROVISIONER with the key from arn:aws:secretsmanager:.* \(code 390144\): JWT token is invalid/,
      );
      for (const line of other.privateKey.split('\n').filter((l) => l.length > 20)) expect(text).not.toContain(line);
      expect(text).not.toContain('PRIVATE KEY');
    } finally {
      h.secrets.put(SECRET_ARN, h.privateKey);
      clearPrivateKeyCache();
    }
  });

  test('GIVEN an encrypted key and its passphrase in the secret JSON WHEN connecting THEN login succeeds', async () => {
    const { keyPair, SECRET_ARN, ACCOUNT, USER } = await import('./harness');
    const encrypted = keyPair('correct horse battery staple');
    h.snowflake.registerUser(ACCOUNT, USER, encrypted.publicKey);
    h.secrets.put(
      SECRET_ARN,
      JSON.stringify({ privateKey: encrypted.privateKey, passphrase: 'correct horse battery staple' }),
    );
    clearPrivateKeyCache();
    try {
      const out = await handler(cfnEvent('Update', 'Database', props(h.connection, o('Database')), physical.Database));
      expect(out.Data.ChangeKind).toBe('no-op');
      expect(h.snowflake.logins.at(-1)).toEqual({ account: ACCOUNT, user: USER, ok: true });
      expect(h.snowflake.bodies.join('\n')).not.toContain('ENCRYPTED PRIVATE KEY');
    } finally {
      h.snowflake.registerUser(ACCOUNT, USER, h.publicKey);
      h.secrets.put(SECRET_ARN, h.privateKey);
      clearPrivateKeyCache();
    }
  });
});
