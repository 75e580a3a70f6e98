/**
 * The pipe refresher's statements and results: pure parts, then end to end with the real
 * snowflake-sdk (JWT login, key from the Secrets Manager test server) against the Snowflake-protocol
 * test server, whose pipes queue the staged files below their path and prefix that were staged in
 * the last 7 days and are not loaded yet (load metadata).
 */
import { openSession } from '../../../lambda/shared/snowflake/connection';
import type { SnowflakeSession } from '../../../lambda/shared/snowflake/connection';
import {
  datePrefixes,
  manifestsRefreshStatement,
  refreshPipes,
  refreshStatement,
} from '../../../lambda/pipe-refresher/refresh';
import { manifestsPipeDefinition } from '../../../snowflake/model/ledger';
import { PipeRefresherConfigError, readPipeRefresherConfig } from '../../../lambda/pipe-refresher/environment';
import { pipeKind } from '../../../snowflake/kinds/pipe';
import { schemaNames } from '../../../snowflake/names';
import { startHarness } from '../snowflake-provisioner/harness';
import type { Harness } from '../snowflake-provisioner/harness';

const schemas = schemaNames('INGEST_TEST');
const NOW = new Date('2026-11-21T00:20:00.000Z');
const DAY = 86_400_000;

describe('datePrefixes', () => {
  test('GIVEN 20 minutes past midnight UTC and the default lookback THEN today and yesterday, today first', () => {
    expect(datePrefixes(NOW, 2)).toEqual(['2026-11-21/', '2026-11-20/']);
  });
  test('GIVEN a run late in a UTC day in another time zone THEN dates are UTC dates', () => {
    expect(datePrefixes(new Date('2026-03-01T23:59:59.999-01:00'), 1)).toEqual(['2026-03-02/']);
  });
  test('GIVEN the maximum lookback THEN seven dates across a month boundary', () => {
    expect(datePrefixes(new Date('2026-03-03T10:00:00Z'), 7)).toEqual([
      '2026-03-03/',
      '2026-03-02/',
      '2026-03-01/',
      '2026-02-28/',
      '2026-02-27/',
      '2026-02-26/',
      '2026-02-25/',
    ]);
  });
  test.each([0, 8, 1.5])('GIVEN lookback %p THEN it is refused (Snowflake refreshes 7 days at most)', (days) => {
    expect(() => datePrefixes(NOW, days)).toThrow('must be an integer from 1 to 7');
  });
});

describe('refreshStatement', () => {
  test('GIVEN a dataset THEN the pipe name is quoted and the prefix is a literal relative to the pipe path', () => {
    expect(refreshStatement(schemas, 'orders', '2026-11-21/')).toBe(
      `ALTER PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" REFRESH PREFIX = '2026-11-21/'`,
    );
  });
  test.each([`x'; DROP TABLE t; --`, 'Orders"'])('GIVEN a hostile dataset name %p THEN no SQL is built', (name) => {
    expect(() => refreshStatement(schemas, name, '2026-11-21/')).toThrow();
  });
  test('GIVEN a prefix that is not a date THEN no SQL is built', () => {
    expect(() => refreshStatement(schemas, 'orders', `2026-11-21/' OR '1`)).toThrow('is not YYYY-MM-DD/');
  });
  test('GIVEN a dataset THEN the manifests pipe is refreshed under <dataset>/<date>/, relative to its manifests/ path', () => {
    expect(manifestsRefreshStatement(schemas, 'orders', '2026-11-21/')).toBe(
      `ALTER PIPE "INGEST_TEST"."OPS"."FILE_MANIFESTS_PIPE" REFRESH PREFIX = 'orders/2026-11-21/'`,
    );
    expect(() => manifestsRefreshStatement(schemas, `x'; DROP TABLE t; --`, '2026-11-21/')).toThrow(
      'not a dataset name',
    );
    expect(() => manifestsRefreshStatement(schemas, 'orders', '2026-11-2/')).toThrow('is not YYYY-MM-DD/');
  });
});

describe('readPipeRefresherConfig', () => {
  const env = {
    SNOWFLAKE_CONNECTION: JSON.stringify({
      account: 'ORG-ACC',
      user: 'REFRESHER',
      role: 'REFRESHER_ROLE',
      warehouse: 'WH',
      privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbCdEf',
    }),
    SNOWFLAKE_SCHEMAS: JSON.stringify({ database: 'INGEST' }),
    PIPE_REFRESHER_DATASETS: 'orders,events',
    PIPELINE_ENVIRONMENT: 'prod',
  };
  test('GIVEN a complete environment THEN it is read with the default lookback of 2 days', () => {
    expect(readPipeRefresherConfig(env)).toMatchObject({
      datasets: ['orders', 'events'],
      lookbackDays: 2,
      environmentName: 'prod',
      schemas: { database: 'INGEST', raw: 'RAW' },
    });
  });
  test.each([
    [{ PIPE_REFRESHER_LOOKBACK_DAYS: '8' }, 'PIPE_REFRESHER_LOOKBACK_DAYS "8" must be 1..7'],
    [{ PIPE_REFRESHER_LOOKBACK_DAYS: 'two' }, 'PIPE_REFRESHER_LOOKBACK_DAYS "two" must be 1..7'],
    [{ PIPE_REFRESHER_DATASETS: '' }, 'PIPE_REFRESHER_DATASETS lists no dataset'],
    [{ SNOWFLAKE_CONNECTION: '{"account":"A"}' }, 'SNOWFLAKE_CONNECTION.user must be a non-empty string'],
  ])('GIVEN %j THEN a PipeRefresherConfigError names the variable', (override, message) => {
    expect(() => readPipeRefresherConfig({ ...env, ...override })).toThrow(PipeRefresherConfigError);
    expect(() => readPipeRefresherConfig({ ...env, ...override })).toThrow(message);
  });
});

describe('GIVEN pipes in the Snowflake test server and a session of the real driver', () => {
  let h: Harness;
  let session: SnowflakeSession;

  const addPipe = (dataset: string) =>
    h.snowflake.catalog.putRunningPipe(
      pipeKind.schema.parse({
        database: 'INGEST_TEST',
        schema: 'RAW',
        name: `${dataset.toUpperCase()}_PIPE`,
        table: `INGEST_TEST.RAW.${dataset}`,
        stage: 'INGEST_TEST.RAW.PIPELINE_STAGE',
        path: `data/${dataset}/`,
        fileFormat: 'INGEST_TEST.RAW.STAGE_NDJSON_GZ',
      }),
    );
  const stage = (path: string, ageMs: number) =>
    h.snowflake.catalog.stagedFiles.push({ path, lastModified: new Date(NOW.getTime() - ageMs) });

  beforeAll(async () => {
    h = await startHarness();
    h.snowflake.catalog.now = () => NOW;
    session = await openSession(h.connection as never, { attempts: 1 });
    addPipe('orders');
    addPipe('events');
    h.snowflake.catalog.putRunningPipe(manifestsPipeDefinition(schemas));
    // orders' manifests: one missed today, one loaded by its notification; events: one missed yesterday.
    stage('manifests/orders/2026-11-21/alpha/a.manifest.json.gz', 60_000);
    stage('manifests/orders/2026-11-21/beta/b.manifest.json.gz', 120_000);
    h.snowflake.catalog.loadedFiles.add('manifests/orders/2026-11-21/beta/b.manifest.json.gz');
    stage('manifests/events/2026-11-20/alpha/e.manifest.json.gz', 3_600_000);
    // orders: two files missed today, one missed yesterday, one loaded by its notification,
    // one under an older date, one staged 8 days ago under yesterday's prefix (outside REFRESH's window).
    stage('data/orders/2026-11-21/alpha/a.ndjson.gz', 60_000);
    stage('data/orders/2026-11-21/beta/b.ndjson.gz', 120_000);
    stage('data/orders/2026-11-20/alpha/c.ndjson.gz', 3_600_000);
    stage('data/orders/2026-11-20/alpha/loaded.ndjson.gz', 3_600_000);
    h.snowflake.catalog.loadedFiles.add('data/orders/2026-11-20/alpha/loaded.ndjson.gz');
    stage('data/orders/2026-11-18/alpha/old-date.ndjson.gz', 3 * DAY);
    stage('data/orders/2026-11-20/alpha/too-old.ndjson.gz', 8 * DAY);
    // A look-alike dataset whose path starts with "orders": never refreshed through the orders pipe.
    stage('data/orders_archive/2026-11-21/alpha/x.ndjson.gz', 60_000);
  });
  afterAll(async () => {
    await session.close();
    await h.stop();
  });
  beforeEach(() => h.snowflake.clearLog());

  test('WHEN refreshed THEN one REFRESH per dataset and date prefix runs, and only the missed recent files are queued', async () => {
    const results = await refreshPipes(session, { schemas, datasets: ['orders', 'events'], lookbackDays: 2, now: NOW });
    const manifests = `ALTER PIPE "INGEST_TEST"."OPS"."FILE_MANIFESTS_PIPE" REFRESH PREFIX`;
    expect(h.snowflake.statements).toEqual([
      `ALTER PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" REFRESH PREFIX = '2026-11-21/'`,
      `ALTER PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" REFRESH PREFIX = '2026-11-20/'`,
      `${manifests} = 'orders/2026-11-21/'`,
      `${manifests} = 'orders/2026-11-20/'`,
      `ALTER PIPE "INGEST_TEST"."RAW"."EVENTS_PIPE" REFRESH PREFIX = '2026-11-21/'`,
      `ALTER PIPE "INGEST_TEST"."RAW"."EVENTS_PIPE" REFRESH PREFIX = '2026-11-20/'`,
      `${manifests} = 'events/2026-11-21/'`,
      `${manifests} = 'events/2026-11-20/'`,
    ]);
    expect(results).toEqual([
      {
        dataset: 'orders',
        filesQueued: 3,
        files: [
          'data/orders/2026-11-21/alpha/a.ndjson.gz',
          'data/orders/2026-11-21/beta/b.ndjson.gz',
          'data/orders/2026-11-20/alpha/c.ndjson.gz',
        ],
        failures: 0,
        problems: [],
        manifests: {
          filesQueued: 1,
          files: ['manifests/orders/2026-11-21/alpha/a.manifest.json.gz'],
          failures: 0,
          problems: [],
        },
      },
      {
        dataset: 'events',
        filesQueued: 0,
        files: [],
        failures: 0,
        problems: [],
        manifests: {
          filesQueued: 1,
          files: ['manifests/events/2026-11-20/alpha/e.manifest.json.gz'],
          failures: 0,
          problems: [],
        },
      },
    ]);
  });

  test('WHEN refreshed again THEN nothing is queued twice (load metadata): a refresh never doubles data', async () => {
    const results = await refreshPipes(session, { schemas, datasets: ['orders'], lookbackDays: 2, now: NOW });
    expect(results[0]).toMatchObject({ filesQueued: 0, failures: 0 });
  });

  test('WHEN the lookback reaches the older date THEN its file is queued, the one beyond 7 days never', async () => {
    const results = await refreshPipes(session, { schemas, datasets: ['orders'], lookbackDays: 7, now: NOW });
    expect(results[0].files).toEqual(['data/orders/2026-11-18/alpha/old-date.ndjson.gz']);
    expect(h.snowflake.statements).toHaveLength(14); // 7 for the data pipe, 7 for the manifests pipe
  });

  test('WHEN one pipe is missing and one REFRESH fails THEN they count as failures and the other statements still run', async () => {
    h.snowflake.failOn({
      match: /EVENTS_PIPE.*2026-11-21/,
      code: '003001',
      sqlState: '42501',
      message: 'SQL access control error: Insufficient privileges to operate on pipe',
    });
    const results = await refreshPipes(session, {
      schemas,
      datasets: ['missing', 'events'],
      lookbackDays: 2,
      now: NOW,
    });
    expect(h.snowflake.statements).toHaveLength(8);
    expect(results[0]).toMatchObject({ dataset: 'missing', failures: 2, filesQueued: 0 });
    expect(results[0].manifests).toMatchObject({ failures: 0, filesQueued: 0 });
    expect(results[0].problems[0]).toMatch(/^2026-11-21\/: SnowflakeQueryError: .*does not exist or not authorized/s);
    expect(results[1]).toMatchObject({ dataset: 'events', failures: 1, filesQueued: 0 });
    expect(results[1].problems).toEqual([
      expect.stringMatching(/^2026-11-21\/: SnowflakeQueryError: .*code 003001.*Insufficient privileges/),
    ]);
  });

  test('WHEN REFRESH answers a row with another status THEN it is reported, not counted as queued', async () => {
    h.snowflake.replyTo({
      match: /ORDERS_PIPE.*2026-11-21/,
      rows: [
        { File: 'data/orders/2026-11-21/alpha/z.ndjson.gz', Status: 'SENT' },
        { File: 'data/orders/2026-11-21/alpha/y.ndjson.gz', Status: 'SKIPPED' },
      ],
      times: 1,
    });
    const [result] = await refreshPipes(session, { schemas, datasets: ['orders'], lookbackDays: 1, now: NOW });
    expect(result).toEqual({
      dataset: 'orders',
      filesQueued: 1,
      files: ['data/orders/2026-11-21/alpha/z.ndjson.gz'],
      failures: 0,
      problems: ['2026-11-21/: data/orders/2026-11-21/alpha/y.ndjson.gz was not queued (status SKIPPED)'],
      manifests: { filesQueued: 0, files: [], failures: 0, problems: [] },
    });
  });
});
