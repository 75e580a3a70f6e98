/**
 * Acceptance suite against a REAL Snowflake account (`npm run test:snowflake`), skipped unless its
 * environment variables are set — like the Terraform provider's TF_ACC tests. It runs the real
 * provisioner (onEvent + isComplete, in process) through create → no-op → a pipe COPY change → a task
 * graph change → delete (destroy and retain) in a throwaway database it drops afterwards, and checks
 * what no local server can: SHOW output round-trips (the no-op runs no DDL), the ALTER TASK forms,
 * the REFRESH MODIFIED_AFTER timestamp format, OVERLAP_POLICY and the generated external id.
 *
 * Required: SNOWFLAKE_ACC_ACCOUNT, SNOWFLAKE_ACC_USER, SNOWFLAKE_ACC_ROLE, SNOWFLAKE_ACC_WAREHOUSE,
 * SNOWFLAKE_ACC_PRIVATE_KEY_PATH (PEM; served to the handler by the local Secrets Manager server).
 * For the pipe steps also: SNOWFLAKE_ACC_STAGE_URL (s3://bucket/) and SNOWFLAKE_ACC_ROLE_ARN (a role
 * the created integration may name; loads are not needed, only DDL). The role needs CREATE DATABASE,
 * CREATE INTEGRATION and EXECUTE TASK. Everything is created in ACC_<random>; the integration is
 * ACC_<random>_S3 and is dropped at the end.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { createHandler } from '../../lambda/snowflake-provisioner/index';
import { openSession } from '../../lambda/shared/snowflake/connection';
import { ingestionObjects } from '../../snowflake/ingestion-objects';
import type { IngestionObject } from '../../snowflake/ingestion-objects';
import { SecretsManagerTestServer } from '../support/secrets-manager-server';
import { cfnEvent } from '../lambda/snowflake-provisioner/harness';

const env = process.env;
const REQUIRED = [
  'SNOWFLAKE_ACC_ACCOUNT',
  'SNOWFLAKE_ACC_USER',
  'SNOWFLAKE_ACC_ROLE',
  'SNOWFLAKE_ACC_WAREHOUSE',
  'SNOWFLAKE_ACC_PRIVATE_KEY_PATH',
] as const;
const enabled = REQUIRED.every((k) => env[k]);
const withPipes = enabled && !!env.SNOWFLAKE_ACC_STAGE_URL && !!env.SNOWFLAKE_ACC_ROLE_ARN;
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/acceptance-AbCdEf';
const suffix = randomBytes(4).toString('hex').toUpperCase();
const DATABASE = `ACC_${suffix}`;

const ORDERS = {
  name: 'orders',
  format: 'json' as const,
  columns: [{ name: 'order_id', type: 'NUMBER(38,0)' }],
  primaryKey: ['order_id'],
};
const objectsFor = (followUpSql: string) =>
  ingestionObjects({
    project: 'acc',
    environment: suffix.toLowerCase(),
    database: DATABASE,
    stageBucketName: (env.SNOWFLAKE_ACC_STAGE_URL ?? 's3://unused/').replace(/^s3:\/\/|\/$/g, ''),
    roleArn: env.SNOWFLAKE_ACC_ROLE_ARN ?? 'arn:aws:iam::111111111111:role/unused',
    datasets: [{ name: 'orders' }],
    dataModel: {
      datasets: [ORDERS],
      goldViews: [],
      followUpTasks: [{ name: 'order_audit', after: ['orders'], sql: followUpSql }],
    },
  }).filter((o) => withPipes || !['storage-integration', 'stage', 'pipe'].includes(o.kind));

(enabled ? describe : describe.skip)('Snowflake acceptance (real account)', () => {
  const secrets = new SecretsManagerTestServer();
  const connection = {
    account: env.SNOWFLAKE_ACC_ACCOUNT ?? '',
    user: env.SNOWFLAKE_ACC_USER ?? '',
    role: env.SNOWFLAKE_ACC_ROLE ?? '',
    warehouse: env.SNOWFLAKE_ACC_WAREHOUSE ?? '',
    privateKeySecretArn: SECRET_ARN,
    // Only to dry-run this suite against the local test server (never for a real account).
    ...(env.SNOWFLAKE_ACC_ACCESS_URL ? { accessUrl: env.SNOWFLAKE_ACC_ACCESS_URL } : {}),
  };
  const handler = createHandler({
    maxCompletionCalls: 40,
    apply: { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
  });
  const physical = new Map<string, string>();
  const props = (o: IngestionObject, removalPolicy = 'destroy') => ({
    kind: o.kind,
    connection,
    definition: o.definition,
    adopt: o.adopt ?? false,
    removalPolicy,
  });
  const apply = async (
    type: 'Create' | 'Update' | 'Delete',
    o: IngestionObject,
    old?: IngestionObject,
    policy?: string,
  ) => {
    const out = await handler(
      cfnEvent(type, o.id, props(o, policy), physical.get(o.id), old ? props(old, policy) : undefined),
    );
    physical.set(o.id, out.PhysicalResourceId);
    return out.Data.ChangeKind;
  };

  beforeAll(async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await secrets.start();
    process.env.AWS_REGION ??= 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'acceptance';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'acceptance';
    secrets.put(SECRET_ARN, readFileSync(env.SNOWFLAKE_ACC_PRIVATE_KEY_PATH!, 'utf8'));
  }, 60_000);

  afterAll(async () => {
    // Clean up whatever a failed step left behind.
    const session = await openSession(connection as never, {});
    try {
      await session.query(`DROP DATABASE IF EXISTS "${DATABASE}"`);
      if (withPipes) await session.query(`DROP STORAGE INTEGRATION IF EXISTS "ACC_${suffix}_S3"`);
    } finally {
      await session.close();
      await secrets.stop();
    }
  }, 120_000);

  let current = objectsFor('SELECT 1');

  test('GIVEN an empty database WHEN every object is created THEN each Create succeeds', async () => {
    for (const o of current)
      expect([o.id, await apply('Create', o)]).toEqual([o.id, o.adopt ? expect.any(String) : 'create']);
  }, 600_000);

  test('WHEN every object is updated unchanged THEN each is a no-op (SHOW / DESC output round-trips)', async () => {
    for (const o of current) expect([o.id, await apply('Update', o, o)]).toEqual([o.id, 'no-op']);
  }, 600_000);

  (withPipes ? test : test.skip)(
    'WHEN the pipe COPY changes THEN it is recreated by procedure (REFRESH MODIFIED_AFTER accepted) and converges',
    async () => {
      const pipe = current.find((o) => o.kind === 'pipe')!;
      const changed = { ...pipe, definition: { ...pipe.definition, path: 'data/orders/v2/' } };
      expect(await apply('Update', changed, pipe)).toBe('replace-by-procedure');
      expect(await apply('Update', changed, changed)).toBe('no-op');
      expect(await apply('Update', pipe, changed)).toBe('replace-by-procedure');
    },
    600_000,
  );

  test('WHEN the follow-up task changes THEN ALTER TASK … MODIFY AS / SET converges, then no-op', async () => {
    const next = objectsFor('SELECT 2');
    const task = (list: IngestionObject[]) => list.find((o) => o.kind === 'task' && /AUDIT/i.test(o.id))!;
    expect(await apply('Update', task(next), task(current))).toBe('alter');
    expect(await apply('Update', task(next), task(next))).toBe('no-op');
    current = next;
  }, 600_000);

  test('WHEN deleted under retain THEN nothing is dropped; under destroy THEN everything is', async () => {
    const reversed = [...current].reverse();
    for (const o of reversed) expect([o.id, await apply('Delete', o, undefined, 'retain')]).toEqual([o.id, 'retain']);
    for (const o of reversed)
      expect([o.id, await apply('Delete', o, undefined, 'destroy')]).toEqual([o.id, o.adopt ? 'retain' : 'drop']);
  }, 600_000);
});

if (!enabled)
  test('acceptance suite skipped: set SNOWFLAKE_ACC_ACCOUNT, _USER, _ROLE, _WAREHOUSE, _PRIVATE_KEY_PATH to run it', () => {
    expect(REQUIRED.filter((k) => !env[k]).length).toBeGreaterThan(0);
  });
