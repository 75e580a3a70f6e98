/**
 * The Provider framework's two calls, as the framework makes them: onEvent answers at once,
 * isComplete does the work or answers "not yet" (no Data, as the framework requires) and is called
 * again; one invocation never waits past its share of the Lambda timeout.
 */
import { createProviderHandler, EXISTED_KEY, isCompletionRequest } from '../../../lambda/snowflake-provisioner/index';
import type { CompletionEvent } from '../../../lambda/snowflake-provisioner/index';
import { PROVISIONER_TIMING } from '../../../contracts/constants';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

// Silence the handler's logger, created below before the harness would set this.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

let h: Harness;
const objects = testObjects();
const o = (id: string) => objects.get(id)!;
const slept: number[] = [];
const handler = createProviderHandler({
  session: { attempts: 1 },
  apply: { sleep: async (ms) => void slept.push(ms), accessRetryDelayMs: 10_000 },
});
/** What the framework passes to isComplete: the event plus onEvent's answer. */
const completion = (event: object, answer: { PhysicalResourceId: string; Data: Record<string, string> }) =>
  ({ ...event, ...answer }) as CompletionEvent;
/** A Lambda context with `remainingMs` left. */
const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as never;

beforeAll(async () => {
  h = await startHarness();
  for (const id of ['Database', 'RawSchema', 'StorageIntegration', 'FileFormat', 'Stage', 'OrdersBronze']) {
    const event = cfnEvent('Create', id, props(h.connection, o(id)));
    const answer = (await handler(event)) as { PhysicalResourceId: string; Data: Record<string, string> };
    await handler(completion(event, answer), context(300_000));
  }
});
afterAll(() => h.stop());
beforeEach(() => h.snowflake.clearLog());

describe('GIVEN the framework calls one function as onEvent and as isComplete', () => {
  test('WHEN a Create arrives THEN onEvent only checks the name is free (no DDL) and isComplete creates', async () => {
    const event = cfnEvent('Create', 'OrdersPipe', props(h.connection, o('OrdersPipe')));
    expect(isCompletionRequest(event)).toBe(false);
    const answer = (await handler(event)) as { PhysicalResourceId: string; Data: Record<string, string> };
    expect(answer).toEqual({ PhysicalResourceId: 'INGEST_TEST.RAW.ORDERS_PIPE', Data: { [EXISTED_KEY]: 'false' } });
    expect(h.snowflake.ddl).toEqual([]);
    const done = await handler(completion(event, answer), context(300_000));
    expect(done).toMatchObject({ IsComplete: true, Data: { ChangeKind: 'create' } });
    expect(h.snowflake.ddl).toEqual([expect.stringMatching(/^CREATE PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" /)]);
  });

  test('WHEN a Create names an object that exists (no adopt) THEN onEvent fails, so CloudFormation never records that name', async () => {
    const event = cfnEvent('Create', 'Other', props(h.connection, o('OrdersBronze')));
    await expect(handler(event)).rejects.toThrow(/INGEST_TEST.RAW.ORDERS already exists in Snowflake/);
    expect(h.snowflake.ddl).toEqual([]);
  });

  test('WHEN the IAM trust is still propagating and the next retry would outlast the invocation budget THEN isComplete answers "not yet" without Data and without sleeping; the next call finishes', async () => {
    const def = { ...o('OrdersPipe').definition, name: 'ORDERS_PIPE_2' };
    const event = cfnEvent('Create', 'Pipe2', props(h.connection, { ...o('OrdersPipe'), definition: def }));
    const answer = (await handler(event)) as { PhysicalResourceId: string; Data: Record<string, string> };
    h.snowflake.failOn({
      match: /^CREATE PIPE/,
      code: '091003',
      sqlState: '22000',
      message: 'Failure using stage area. Cause: [Error assuming AWS_ROLE.]',
    });
    slept.length = 0;
    // 10 s left: the budget is half of it, the first retry delay is 10 s.
    expect(await handler(completion(event, answer), context(10_000))).toEqual({ IsComplete: false });
    expect(slept).toEqual([]);
    expect(h.snowflake.catalog.pipes.has('INGEST_TEST.RAW.ORDERS_PIPE_2')).toBe(false);
    // The framework calls again after its query interval: the name is now "ours" (it was free at onEvent).
    expect(await handler(completion(event, answer), context(300_000))).toMatchObject({
      IsComplete: true,
      Data: { ChangeKind: 'create' },
    });
  });

  test('WHEN the timing constant is read THEN one invocation waits at most a fraction of its timeout and the total spans hours', () => {
    expect(PROVISIONER_TIMING.invocationBudgetFraction).toBeLessThan(1);
    expect(PROVISIONER_TIMING.totalTimeoutMinutes * 60).toBeGreaterThanOrEqual(
      10 * PROVISIONER_TIMING.lambdaTimeoutSeconds,
    );
  });
});

describe('GIVEN a storage integration without an explicit external id', () => {
  test('WHEN created and then updated THEN Snowflake generates an unguessable id once, it stays stable, is returned as an attribute, and the resource is NoEcho (redacted from the framework logs)', async () => {
    const base = o('StorageIntegration');
    const definition = { ...base.definition, name: 'INGEST_TEST_S3_GEN', externalId: undefined };
    const create = cfnEvent('Create', 'GenIntegration', props(h.connection, { ...base, definition }));
    const answer = (await handler(create)) as { PhysicalResourceId: string; Data: Record<string, string> };
    expect(answer).toMatchObject({ NoEcho: true });
    const created = (await handler(completion(create, answer), context(300_000))) as { Data: Record<string, string> };
    const id = created.Data.StorageAwsExternalId!;
    expect(id).toMatch(/^TESTACCT_SFCRole=2_[A-Za-z0-9_-]{24}$/);
    expect(h.snowflake.statements.join('\n')).not.toContain(id);
    h.snowflake.clearLog();
    const update = cfnEvent(
      'Update',
      'GenIntegration',
      props(h.connection, { ...base, definition: { ...definition, comment: 'changed' } }),
      'INGEST_TEST_S3_GEN',
    );
    const updated = (await handler(completion(update, (await handler(update)) as never), context(300_000))) as {
      Data: Record<string, string>;
    };
    expect(updated.Data.StorageAwsExternalId).toBe(id);
    expect(h.snowflake.ddl).toEqual([`ALTER STORAGE INTEGRATION "INGEST_TEST_S3_GEN" SET COMMENT = 'changed'`]);
  });
});
