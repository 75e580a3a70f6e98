/**
 * The real provisioner handler and snowflake-sdk (JWT login) against the Snowflake-protocol test
 * server: the outbound SNS notification integration (create, no-op, alter, delete) and the pipes'
 * ERROR_INTEGRATION (created with it; added to a running pipe by ALTER, never by recreation).
 */
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:ingest-test-snowflake-errors';
const SNS_ROLE = 'arn:aws:iam::111111111111:role/ingest-test-snowflake-sns';

function objects(errorNotifications?: { topicArn: string; roleArn: string }): Map<string, IngestionObject> {
  return testObjects([{ name: 'orders' }, { name: 'events' }], errorNotifications ? { errorNotifications } : {});
}

let h: Harness;
let handler: ReturnType<typeof createHandler>;
const withErrors = objects({ topicArn: TOPIC, roleArn: SNS_ROLE });
const withoutErrors = objects();
const o = (id: string) => withErrors.get(id)!;

beforeAll(async () => {
  h = await startHarness();
  handler = createHandler({
    session: { attempts: 1 },
    apply: { sleep: async () => undefined, accessRetryDelayMs: 1 },
  });
});
afterAll(() => h.stop());
beforeEach(() => h.snowflake.clearLog());

describe('GIVEN an empty account WHEN the environment is deployed with error notifications', () => {
  test('THEN the integration is created outbound to SNS and its IAM user and generated external id are returned', async () => {
    const out = await handler(
      cfnEvent('Create', 'NotificationIntegration', props(h.connection, o('NotificationIntegration'))),
    );
    expect(h.snowflake.statements).toEqual([
      // onEvent: is the name free? Then isComplete reads, creates and re-reads.
      `SHOW NOTIFICATION INTEGRATIONS LIKE 'INGEST_TEST_ERRORS'`,
      `SHOW NOTIFICATION INTEGRATIONS LIKE 'INGEST_TEST_ERRORS'`,
      `CREATE NOTIFICATION INTEGRATION "INGEST_TEST_ERRORS" ENABLED = TRUE TYPE = QUEUE DIRECTION = OUTBOUND NOTIFICATION_PROVIDER = AWS_SNS AWS_SNS_TOPIC_ARN = '${TOPIC}' AWS_SNS_ROLE_ARN = '${SNS_ROLE}' COMMENT = 'Snowflake load and task errors to SNS (ingest test)'`,
      `SHOW NOTIFICATION INTEGRATIONS LIKE 'INGEST_TEST_ERRORS'`,
      `DESC NOTIFICATION INTEGRATION "INGEST_TEST_ERRORS"`,
    ]);
    expect(out).toEqual({
      PhysicalResourceId: 'INGEST_TEST_ERRORS',
      Data: {
        ExistedBeforeChange: 'false',
        Name: 'INGEST_TEST_ERRORS',
        SfAwsIamUserArn: h.snowflake.catalog.iamUserArn,
        SfAwsExternalId: h.snowflake.catalog.notificationExternalId,
        ChangeKind: 'create',
      },
    });
  });

  test('THEN every pipe is created with the integration as its ERROR_INTEGRATION', async () => {
    for (const id of [
      'Database',
      'RawSchema',
      'StorageIntegration',
      'FileFormat',
      'Stage',
      'OrdersBronze',
      'OrdersPipe',
    ])
      await handler(cfnEvent('Create', id, props(h.connection, o(id))));
    expect(h.snowflake.ddl.find((s) => s.startsWith('CREATE PIPE'))).toContain(
      'AUTO_INGEST = TRUE ERROR_INTEGRATION = "INGEST_TEST_ERRORS" COMMENT',
    );
    expect(h.snowflake.catalog.pipes.get('INGEST_TEST.RAW.ORDERS_PIPE')!.errorIntegration).toBe('INGEST_TEST_ERRORS');
  });
});

describe('GIVEN the deployed integration', () => {
  test('WHEN updated with unchanged properties THEN it only reads (SHOW, DESC) and reports no-op', async () => {
    const out = await handler(
      cfnEvent(
        'Update',
        'NotificationIntegration',
        props(h.connection, o('NotificationIntegration')),
        'INGEST_TEST_ERRORS',
      ),
    );
    expect(out.Data.ChangeKind).toBe('no-op');
    expect(h.snowflake.statements).toEqual([
      `SHOW NOTIFICATION INTEGRATIONS LIKE 'INGEST_TEST_ERRORS'`,
      `DESC NOTIFICATION INTEGRATION "INGEST_TEST_ERRORS"`,
    ]);
  });

  test('WHEN the topic changes THEN one ALTER changes it in place and the external id stays the same', async () => {
    const topic = 'arn:aws:sns:eu-west-1:111111111111:ingest-test-alarms';
    const def = { ...o('NotificationIntegration').definition, topicArn: topic };
    const out = await handler(
      cfnEvent(
        'Update',
        'NotificationIntegration',
        props(h.connection, { ...o('NotificationIntegration'), definition: def }),
        'INGEST_TEST_ERRORS',
        props(h.connection, o('NotificationIntegration')),
      ),
    );
    expect(out.Data).toMatchObject({
      ChangeKind: 'alter',
      SfAwsExternalId: h.snowflake.catalog.notificationExternalId,
    });
    expect(h.snowflake.ddl).toEqual([
      `ALTER NOTIFICATION INTEGRATION "INGEST_TEST_ERRORS" SET AWS_SNS_TOPIC_ARN = '${topic}' AWS_SNS_ROLE_ARN = '${SNS_ROLE}'`,
    ]);
    expect(h.snowflake.catalog.notificationIntegrations.get('INGEST_TEST_ERRORS')!.AWS_SNS_TOPIC_ARN).toBe(topic);
  });

  test('WHEN a running pipe without an error integration gets one THEN it is ALTERed, not recreated, and keeps running', async () => {
    const old = withoutErrors.get('EventsPipe')!;
    await handler(cfnEvent('Create', 'EventsBronze', props(h.connection, o('EventsBronze'))));
    await handler(cfnEvent('Create', 'EventsPipe', props(h.connection, old)));
    expect(h.snowflake.catalog.pipes.get('INGEST_TEST.RAW.EVENTS_PIPE')!.errorIntegration).toBeNull();
    h.snowflake.clearLog();

    const out = await handler(
      cfnEvent(
        'Update',
        'EventsPipe',
        props(h.connection, o('EventsPipe')),
        'INGEST_TEST.RAW.EVENTS_PIPE',
        props(h.connection, old),
      ),
    );
    expect(out.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.ddl).toEqual([
      `ALTER PIPE "INGEST_TEST"."RAW"."EVENTS_PIPE" SET ERROR_INTEGRATION = "INGEST_TEST_ERRORS"`,
    ]);
    const pipe = h.snowflake.catalog.pipes.get('INGEST_TEST.RAW.EVENTS_PIPE')!;
    expect(pipe).toMatchObject({ errorIntegration: 'INGEST_TEST_ERRORS', paused: false });
  });

  test('WHEN it is deleted under retain THEN it is untouched (pipes and tasks name it); under destroy THEN dropped', async () => {
    const kept = await handler(
      cfnEvent(
        'Delete',
        'NotificationIntegration',
        props(h.connection, o('NotificationIntegration')),
        'INGEST_TEST_ERRORS',
      ),
    );
    expect(kept.Data.ChangeKind).toBe('retain');
    expect(h.snowflake.ddl).toEqual([]);
    const out = await handler(
      cfnEvent(
        'Delete',
        'NotificationIntegration',
        props(h.connection, o('NotificationIntegration'), { removalPolicy: 'destroy' }),
        'INGEST_TEST_ERRORS',
      ),
    );
    expect(out.Data.ChangeKind).toBe('drop');
    expect(h.snowflake.ddl).toEqual([`DROP NOTIFICATION INTEGRATION IF EXISTS "INGEST_TEST_ERRORS"`]);
    expect(h.snowflake.catalog.notificationIntegrations.has('INGEST_TEST_ERRORS')).toBe(false);
  });
});
