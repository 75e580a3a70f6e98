/** Planner rules of the outbound SNS notification integration, and the pipes' ERROR_INTEGRATION. */
import { UnsafeChangeError } from '../../snowflake/engine/errors';
import {
  notificationIntegrationKind,
  notificationIntegrationName,
  notificationRoleName,
} from '../../snowflake/kinds/notification-integration';
import type { NotificationIntegrationState } from '../../snowflake/kinds/notification-integration';
import { pipeKind } from '../../snowflake/kinds/pipe';
import { getKind } from '../../snowflake/kinds/registry';
import { ingestionObjects } from '../../snowflake/ingestion-objects';
import { ORDERS_PIPE, runningPipeState } from './support/pipes';

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:ingest-dev-snowflake-errors';
const ROLE = 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-sns';
const definition = notificationIntegrationKind.schema.parse({
  name: 'ingest_dev_errors',
  topicArn: TOPIC,
  roleArn: ROLE,
  comment: 'Snowflake errors (ingest dev)',
});
const state: NotificationIntegrationState = {
  type: 'QUEUE',
  direction: 'OUTBOUND',
  provider: 'AWS_SNS',
  enabled: true,
  topicArn: TOPIC,
  roleArn: ROLE,
  iamUserArn: 'arn:aws:iam::999999999999:user/sf',
  externalId: 'ABC_SFCRole=2_xyz',
  comment: 'Snowflake errors (ingest dev)',
};
const sqlOf = (plan: { steps: readonly { type: string; sql?: string }[] }) => plan.steps.map((s) => s.sql);

describe('GIVEN a notification integration definition', () => {
  test('WHEN parsed THEN the name is canonical and the kind is registered for the provisioner', () => {
    expect(definition.name).toBe('INGEST_DEV_ERRORS');
    expect(getKind('notification-integration')).toBe(notificationIntegrationKind);
    expect(notificationIntegrationKind.physicalId(definition)).toBe('INGEST_DEV_ERRORS');
    expect(notificationIntegrationKind.dataBearing).toBe(true);
  });

  test.each([
    [
      { topicArn: 'arn:aws:sns:eu-west-1:111111111111:errors.fifo' },
      'topicArn: must be the ARN of a standard SNS topic',
    ],
    [{ topicArn: 'arn:aws:sqs:eu-west-1:111111111111:q' }, 'topicArn: must be the ARN of a standard SNS topic'],
    [{ roleArn: 'arn:aws:iam::111111111111:user/u' }, 'roleArn: must be an IAM role ARN'],
    [{ name: 'bad name' }, 'name: must be a Snowflake identifier'],
    [{ externalId: 'x' }, 'Unrecognized key'],
  ])('WHEN %j THEN the definition is refused with the property named', (override, message) => {
    const parsed = notificationIntegrationKind.schema.safeParse({ ...definition, ...override });
    expect(parsed.success).toBe(false);
    const text = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    expect(text).toContain(message.replace(/^Unrecognized key$/, 'Unrecognized key'));
  });

  test('WHEN it does not exist THEN it is created outbound to SNS with the topic and the computed role', () => {
    const plan = notificationIntegrationKind.plan(undefined, definition);
    expect(plan.change).toBe('create');
    expect(sqlOf(plan)).toEqual([
      `CREATE NOTIFICATION INTEGRATION "INGEST_DEV_ERRORS" ENABLED = TRUE TYPE = QUEUE DIRECTION = OUTBOUND NOTIFICATION_PROVIDER = AWS_SNS AWS_SNS_TOPIC_ARN = '${TOPIC}' AWS_SNS_ROLE_ARN = '${ROLE}' COMMENT = 'Snowflake errors (ingest dev)'`,
    ]);
  });

  test('WHEN it exists exactly as defined THEN nothing runs', () => {
    expect(notificationIntegrationKind.plan(state, definition)).toEqual({ change: 'no-op', steps: [], notes: [] });
  });

  test('WHEN the topic changes THEN one ALTER sets topic and role together (never a replacement)', () => {
    const other = 'arn:aws:sns:eu-west-1:111111111111:other';
    const plan = notificationIntegrationKind.plan(state, { ...definition, topicArn: other });
    expect(plan.change).toBe('alter');
    expect(sqlOf(plan)).toEqual([
      `ALTER NOTIFICATION INTEGRATION "INGEST_DEV_ERRORS" SET AWS_SNS_TOPIC_ARN = '${other}' AWS_SNS_ROLE_ARN = '${ROLE}'`,
    ]);
    expect(plan.notes).toEqual([]);
  });

  test('WHEN the role changes THEN it is ALTERed and the note says the trust must follow', () => {
    const role = 'arn:aws:iam::111111111111:role/other';
    const plan = notificationIntegrationKind.plan(state, { ...definition, roleArn: role });
    expect(sqlOf(plan)).toEqual([
      `ALTER NOTIFICATION INTEGRATION "INGEST_DEV_ERRORS" SET AWS_SNS_TOPIC_ARN = '${TOPIC}' AWS_SNS_ROLE_ARN = '${role}'`,
    ]);
    expect(plan.notes.join()).toContain('trust policy');
  });

  test('WHEN disabled and the comment is removed THEN both are one ALTER … SET', () => {
    const plan = notificationIntegrationKind.plan(state, { ...definition, enabled: false, comment: undefined });
    expect(sqlOf(plan)).toEqual([
      `ALTER NOTIFICATION INTEGRATION "INGEST_DEV_ERRORS" SET ENABLED = FALSE COMMENT = ''`,
    ]);
  });

  test.each([
    [{ direction: 'INBOUND' }, 'DIRECTION = INBOUND (not OUTBOUND)'],
    [{ provider: 'AWS_SQS' }, 'NOTIFICATION_PROVIDER = AWS_SQS (not AWS_SNS)'],
    [{ type: 'EMAIL', provider: 'EMAIL' }, 'TYPE = EMAIL (not QUEUE), NOTIFICATION_PROVIDER = EMAIL (not AWS_SNS)'],
  ])('WHEN an existing integration of that name is %j THEN it is refused, never replaced', (other, described) => {
    expect(() => notificationIntegrationKind.plan({ ...state, ...other }, definition)).toThrow(UnsafeChangeError);
    expect(() => notificationIntegrationKind.plan({ ...state, ...other }, definition)).toThrow(
      `INGEST_DEV_ERRORS: exists with ${described}; a notification integration is never replaced`,
    );
  });

  test('WHEN DESC omits TYPE THEN the outbound SNS integration is still recognised', () => {
    expect(notificationIntegrationKind.plan({ ...state, type: '' }, definition).change).toBe('no-op');
  });

  test('THEN the attributes expose the IAM user and the generated external id for the trust policy', () => {
    expect(notificationIntegrationKind.attributes(definition, state)).toEqual({
      Name: 'INGEST_DEV_ERRORS',
      SfAwsIamUserArn: 'arn:aws:iam::999999999999:user/sf',
      SfAwsExternalId: 'ABC_SFCRole=2_xyz',
    });
    expect(notificationIntegrationKind.drop(definition)).toBe(
      'DROP NOTIFICATION INTEGRATION IF EXISTS "INGEST_DEV_ERRORS"',
    );
  });

  test('THEN the default names derive from project and environment', () => {
    expect(notificationIntegrationName('ingest', 'dev-eu')).toBe('INGEST_DEV_EU_ERRORS');
    expect(notificationRoleName('ingest', 'dev')).toBe('ingest-dev-snowflake-sns');
  });
});

describe('GIVEN a pipe and an error integration', () => {
  const pipe = ORDERS_PIPE;
  const running = runningPipeState(pipe, 'arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe');

  test('WHEN a running pipe gets one THEN it is one ALTER PIPE … SET ERROR_INTEGRATION, no recreation', () => {
    const plan = pipeKind.plan(running, { ...pipe, errorIntegration: 'INGEST_DEV_ERRORS' });
    expect(plan.change).toBe('alter');
    expect(sqlOf(plan)).toEqual([
      `ALTER PIPE "INGEST_DEV"."RAW"."ORDERS_PIPE" SET ERROR_INTEGRATION = "INGEST_DEV_ERRORS"`,
    ]);
  });

  test('WHEN a new pipe has one THEN CREATE PIPE names it', () => {
    const [step] = pipeKind.plan(undefined, { ...pipe, errorIntegration: 'INGEST_DEV_ERRORS' }).steps;
    expect(step).toMatchObject({
      sql: expect.stringContaining('AUTO_INGEST = TRUE ERROR_INTEGRATION = "INGEST_DEV_ERRORS" AS COPY INTO'),
    });
  });

  test('WHEN the objects of an environment are built with error notifications THEN the integration comes first and every pipe uses and depends on it', () => {
    const objects = ingestionObjects({
      project: 'ingest',
      environment: 'dev',
      database: 'INGEST_DEV',
      stageBucketName: 'stage',
      roleArn: 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-s3',
      externalId: 'ingest:dev:snowflake-s3',
      datasets: [{ name: 'orders' }, { name: 'events' }],
      errorNotifications: { topicArn: TOPIC, roleArn: ROLE },
    });
    const integration = objects.find((o) => o.kind === 'notification-integration')!;
    expect(integration).toMatchObject({
      id: 'NotificationIntegration',
      definition: { name: 'INGEST_DEV_ERRORS', topicArn: TOPIC, roleArn: ROLE },
      dependsOn: [],
    });
    const pipes = objects.filter((o) => o.kind === 'pipe');
    expect(pipes).toHaveLength(2);
    for (const p of pipes) {
      expect(p.definition.errorIntegration).toBe('INGEST_DEV_ERRORS');
      expect(p.dependsOn).toContain('NotificationIntegration');
      expect(objects.indexOf(p)).toBeGreaterThan(objects.indexOf(integration));
    }
  });

  test('WHEN built without error notifications THEN there is no integration and pipes have none', () => {
    const objects = ingestionObjects({
      project: 'ingest',
      environment: 'dev',
      database: 'INGEST_DEV',
      stageBucketName: 'stage',
      roleArn: 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-s3',
      externalId: 'ingest:dev:snowflake-s3',
      datasets: [{ name: 'orders' }],
    });
    expect(objects.some((o) => o.kind === 'notification-integration')).toBe(false);
    expect(objects.find((o) => o.kind === 'pipe')!.definition).not.toHaveProperty('errorIntegration');
  });
});
