/**
 * A pipe's COPY change end to end (real handler, real snowflake-sdk, the strict test server): files
 * reach the pipe while it is paused, while it is recreated and afterwards, and every staged file is
 * loaded exactly once — with no wait for the backlog, across a failed REFRESH (retried by the
 * provider), a failed deploy and its rollback, and a stopped pipe recovered on the next deploy.
 */
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

const PIPE = 'INGEST_TEST.RAW.ORDERS_PIPE';
const QPIPE = '"INGEST_TEST"."RAW"."ORDERS_PIPE"';
const T0 = new Date('2026-11-21T06:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

let h: Harness;
const objects = testObjects();
const o = (id: string) => objects.get(id)!;
let clock = T0;
const handler = (maxCompletionCalls = 20) =>
  createHandler({
    session: { attempts: 1 },
    apply: { now: () => clock, sleep: async () => undefined, accessRetryDelayMs: 1 },
    maxCompletionCalls,
  });
const pipeDef = (path: string) => ({ ...o('OrdersPipe').definition, path });
const update = (path: string, from: string, calls?: number) =>
  handler(calls)(
    cfnEvent(
      'Update',
      'OrdersPipe',
      props(h.connection, { ...o('OrdersPipe'), definition: pipeDef(path) }),
      PIPE,
      props(h.connection, { ...o('OrdersPipe'), definition: pipeDef(from) }),
    ),
  );
const pipe = () => h.snowflake.catalog.pipes.get(PIPE)!;
/** Each loaded path with how often it was loaded. */
const loadCounts = () => {
  const counts: Record<string, number> = {};
  for (const p of h.snowflake.catalog.loads) counts[p] = (counts[p] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  h = await startHarness();
  h.snowflake.catalog.now = () => clock;
  for (const id of ['Database', 'RawSchema', 'StorageIntegration', 'FileFormat', 'Stage', 'OrdersBronze', 'OrdersPipe'])
    await handler()(cfnEvent('Create', id, props(h.connection, o(id))));
});
afterAll(() => h.stop());
beforeEach(() => {
  h.snowflake.clearLog();
  h.snowflake.beforeStatement = undefined;
  h.snowflake.catalog.loads.length = 0;
});

describe('GIVEN a running pipe with steady ingestion', () => {
  test('WHEN its COPY changes THEN no wait for pending files, and every file (pending, staged during the recreation, a multipart upload begun earlier) is loaded exactly once', async () => {
    const c = h.snowflake.catalog;
    const dir = 'data/orders/v1/';
    // The path change to v1 is the COPY change; events keep coming for files under it.
    c.notify(`${dir}before.ndjson.gz`, at(-60));
    h.snowflake.beforeStatement = (sql) => {
      if (/^SELECT SYSTEM\$PIPE_STATUS/.test(sql) && pipe().paused) {
        // Pending in the paused pipe: a multipart upload begun 10 minutes before its event was
        // queued (S3 last-modified = the upload's start), and a plain one.
        c.notify(`${dir}multipart.ndjson.gz`, at(-12), at(-2));
        c.notify(`${dir}while-paused.ndjson.gz`, at(-1), at(-1));
      }
      if (/^CREATE OR REPLACE PIPE/.test(sql)) c.notify(`${dir}during-recreate.ndjson.gz`, at(0)); // lost by the old pipe
    };
    // Files under the new path were already there: the old pipe (data/orders/) loaded them.
    const out = await update('data/orders/v1/', 'data/orders/');
    h.snowflake.beforeStatement = undefined;
    c.notify(`${dir}after.ndjson.gz`, at(1));

    expect(out.Data.ChangeKind).toBe('replace-by-procedure');
    // Status reads: the planner's, the instant's, the re-read's; no polling for pendingFileCount = 0.
    expect(h.snowflake.statements.filter((s) => s.startsWith('SELECT SYSTEM$PIPE_STATUS'))).toHaveLength(3);
    expect(loadCounts()).toEqual({
      [`${dir}before.ndjson.gz`]: 1,
      [`${dir}multipart.ndjson.gz`]: 1,
      [`${dir}while-paused.ndjson.gz`]: 1,
      [`${dir}during-recreate.ndjson.gz`]: 1,
      [`${dir}after.ndjson.gz`]: 1,
    });
    // The instant: 15 minutes before the oldest pending file was queued (T0-2 min) → T0-17 min.
    expect(h.snowflake.ddl).toContain(`ALTER PIPE ${QPIPE} REFRESH MODIFIED_AFTER = '${iso(-17)}'`);
    expect(pipe()).toMatchObject({ paused: false, comment: 'Loads data/orders/ into INGEST_TEST.RAW.ORDERS' });
  });

  test('WHEN the REFRESH fails after the recreation THEN the provider calls again and the REFRESH runs from the recorded instant: nothing missed', async () => {
    const c = h.snowflake.catalog;
    const dir = 'data/orders/v2/';
    h.snowflake.failOn({
      match: /REFRESH MODIFIED_AFTER/,
      code: '000603',
      sqlState: 'XX000',
      message: 'Internal error',
    });
    h.snowflake.beforeStatement = (sql) => {
      if (/^CREATE OR REPLACE PIPE/.test(sql)) c.notify(`${dir}during-recreate.ndjson.gz`, at(0));
    };
    const out = await update('data/orders/v2/', 'data/orders/v1/');
    expect(out.Data.ChangeKind).toBe('alter'); // the second call only owed the REFRESH
    const refreshes = h.snowflake.statements.filter((s) => /REFRESH MODIFIED_AFTER/.test(s));
    expect(refreshes).toEqual([
      `ALTER PIPE ${QPIPE} REFRESH MODIFIED_AFTER = '${iso(-15)}'`,
      `ALTER PIPE ${QPIPE} REFRESH MODIFIED_AFTER = '${iso(-15)}'`,
    ]);
    expect(loadCounts()).toEqual({ [`${dir}during-recreate.ndjson.gz`]: 1 });
    expect(pipe().comment).toBe('Loads data/orders/ into INGEST_TEST.RAW.ORDERS');
  });

  test('WHEN the deploy fails with the REFRESH owed and CloudFormation rolls back later THEN the rollback refreshes from the FIRST instant: files staged between the first pause and the first recreation are loaded once', async () => {
    const c = h.snowflake.catalog;
    h.snowflake.failOn({
      match: /REFRESH MODIFIED_AFTER/,
      code: '000603',
      sqlState: 'XX000',
      message: 'Internal error',
      times: 3,
    });
    h.snowflake.beforeStatement = (sql) => {
      if (/^CREATE OR REPLACE PIPE/.test(sql)) c.notify('data/orders/v2/lost-by-first-recreate.ndjson.gz', clock);
    };
    await expect(update('data/orders/v3/', 'data/orders/v2/', 3)).rejects.toThrow(
      /not complete after 3 isComplete calls/,
    );
    expect(pipe().comment).toMatch(new RegExp(`\\[refresh-from ${iso(-15).replace(/\./g, '\\.')}\\]$`));
    // The rollback runs an hour later and recreates the pipe again (back to v2).
    clock = at(60);
    h.snowflake.beforeStatement = undefined;
    const back = await update('data/orders/v2/', 'data/orders/v3/');
    expect(back.Data.ChangeKind).toBe('replace-by-procedure');
    expect(h.snowflake.statements.filter((s) => /REFRESH MODIFIED_AFTER/.test(s)).at(-1)).toBe(
      `ALTER PIPE ${QPIPE} REFRESH MODIFIED_AFTER = '${iso(-15)}'`,
    );
    expect(loadCounts()).toEqual({ 'data/orders/v2/lost-by-first-recreate.ndjson.gz': 1 });
    expect(pipe().comment).toBe('Loads data/orders/ into INGEST_TEST.RAW.ORDERS');
    clock = T0;
  });

  test('WHEN the recreation itself fails THEN the old pipe is resumed, the instant stays in its comment, and the next deploy refreshes from it', async () => {
    h.snowflake.failOn({
      match: /^CREATE OR REPLACE PIPE/,
      code: '003001',
      sqlState: '42501',
      message: 'Insufficient privileges',
    });
    const error = await update('data/orders/v4/', 'data/orders/v2/').catch((e: Error) => e);
    expect((error as Error).message).toContain(`restored: ALTER PIPE ${QPIPE} SET PIPE_EXECUTION_PAUSED = FALSE`);
    expect(pipe()).toMatchObject({ paused: false, definition: expect.stringContaining('/data/orders/v2/') });
    expect(pipe().comment).toContain('[refresh-from ');
    h.snowflake.clearLog();
    // The rollback (back to v2): the COPY is unchanged; the owed REFRESH runs and the comment is restored.
    const back = await update('data/orders/v2/', 'data/orders/v4/');
    expect(back.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.ddl).toEqual([
      `ALTER PIPE ${QPIPE} REFRESH MODIFIED_AFTER = '${iso(-15)}'`,
      `ALTER PIPE ${QPIPE} SET COMMENT = 'Loads data/orders/ into INGEST_TEST.RAW.ORDERS'`,
    ]);
  });
});

describe('GIVEN the stage URL changed (Snowflake stops its pipes: STOPPED_STAGE_ALTERED)', () => {
  test('WHEN the pipe is deployed again unchanged THEN it is recovered by the procedure and runs again', async () => {
    const stage = o('Stage');
    h.snowflake.catalog.integrations.get('INGEST_TEST_S3')!.STORAGE_ALLOWED_LOCATIONS += ',s3://ingest-test-stage-2/';
    await handler()(
      cfnEvent(
        'Update',
        'Stage',
        props(h.connection, { ...stage, definition: { ...stage.definition, url: 's3://ingest-test-stage-2/' } }),
        'INGEST_TEST.RAW.PIPELINE_STAGE',
      ),
    );
    expect(pipe().stopped).toBe('STOPPED_STAGE_ALTERED');
    h.snowflake.clearLog();
    const out = await update('data/orders/v2/', 'data/orders/v2/');
    expect(out.Data.ChangeKind).toBe('replace-by-procedure');
    expect(h.snowflake.ddl[0]).toMatch(/^ALTER PIPE .* SET COMMENT = .*\[refresh-from /); // no pause of a stopped pipe
    expect(pipe().stopped).toBeUndefined();
    expect(pipe().paused).toBe(false);
  });
});
