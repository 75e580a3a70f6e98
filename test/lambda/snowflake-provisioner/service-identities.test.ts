/**
 * The scheduled functions' own identities (snowflake/service-identities.ts: service-role and
 * service-user kinds) through the real provisioner handler, snowflake-sdk and Secrets Manager client,
 * against the strict test servers: create (exact grants, a service user whose generated key signs in,
 * the private key only in the function's secret), no-op, grant changes (revoked when removed, hand-made
 * grants revoked, re-granted after a recreation), key rotation, a failed secret write, Delete under
 * retain and destroy.
 */
import type { DatasetSpec } from '../../../contracts/config';
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import { openSession } from '../../../lambda/shared/snowflake/connection';
import { clearPrivateKeyCache } from '../../../lambda/shared/snowflake/private-key';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import { serviceIdentityObjects } from '../../../snowflake/service-identities';
import { ACCOUNT, cfnEvent, SECRET_ARN, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

const ORDERS: DatasetSpec = {
  name: 'orders',
  format: 'json',
  columns: [{ name: 'order_id', type: 'NUMBER(38,0)' }],
  primaryKey: ['order_id'],
};
const MONITOR_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ingest-test/health-monitor-AbCdEf';
const REFRESHER_SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ingest-test/pipe-refresher-AbCdEf';
const MONITOR = 'INGEST_TEST_HEALTH_MONITOR';
const REFRESHER = 'INGEST_TEST_PIPE_REFRESHER';

function environmentObjects(keyRotation = 0): Map<string, IngestionObject> {
  const base = testObjects([ORDERS], { dataModel: { datasets: [ORDERS], goldViews: [] } });
  const identities = serviceIdentityObjects({
    project: 'ingest',
    environment: 'test',
    database: 'INGEST_TEST',
    warehouse: 'MONITOR_WH',
    datasets: ['orders'],
    objects: [...base.values()],
    secretArns: { healthMonitor: MONITOR_SECRET, pipeRefresher: REFRESHER_SECRET },
    keyRotation,
  });
  return new Map([...base, ...identities.map((o) => [o.id, o] as const)]);
}

// The grants each function needs, written out from the statements it runs (not from the builder).
const MONITOR_GRANTS = [
  'USAGE|WAREHOUSE|MONITOR_WH',
  'USAGE|DATABASE|INGEST_TEST',
  'USAGE|SCHEMA|INGEST_TEST.RAW',
  'USAGE|SCHEMA|INGEST_TEST.CORE',
  'USAGE|SCHEMA|INGEST_TEST.OPS',
  'MONITOR|PIPE|INGEST_TEST.RAW.ORDERS_PIPE',
  'SELECT|TABLE|INGEST_TEST.RAW.ORDERS',
  'SELECT|STREAM|INGEST_TEST.RAW.ORDERS_STREAM',
  'MONITOR|TASK|INGEST_TEST.CORE.ORDERS_MERGE',
  'SELECT|TABLE|INGEST_TEST.CORE.ORDERS_REJECTS',
  'SELECT|VIEW|INGEST_TEST.OPS.FILE_LEDGER',
  'MONITOR|PIPE|INGEST_TEST.OPS.FILE_MANIFESTS_PIPE', // ManifestsPipeNotRunning (SYSTEM$PIPE_STATUS)
].sort();
const REFRESHER_GRANTS = [
  'USAGE|DATABASE|INGEST_TEST',
  'USAGE|SCHEMA|INGEST_TEST.RAW',
  'USAGE|STAGE|INGEST_TEST.RAW.PIPELINE_STAGE',
  'USAGE|FILE_FORMAT|INGEST_TEST.RAW.STAGE_NDJSON_GZ',
  'OPERATE|PIPE|INGEST_TEST.RAW.ORDERS_PIPE',
  'INSERT|TABLE|INGEST_TEST.RAW.ORDERS',
  // The manifests pipe gets the same refresh as a dataset's pipe.
  'USAGE|SCHEMA|INGEST_TEST.OPS',
  'OPERATE|PIPE|INGEST_TEST.OPS.FILE_MANIFESTS_PIPE',
  'INSERT|TABLE|INGEST_TEST.OPS.FILE_MANIFESTS',
].sort();

// Silence the handler's logger, created below before the harness would set this.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

let h: Harness;
let objects = environmentObjects();
const handler = createHandler({ session: { attempts: 1 }, apply: { sleep: async () => undefined } });
const physical: Record<string, string> = {};
const run = (
  type: 'Create' | 'Update' | 'Delete',
  o: IngestionObject,
  old?: IngestionObject,
  extra: Record<string, unknown> = {},
) =>
  handler(
    cfnEvent(
      type,
      o.id,
      props(h.connection, o, extra),
      type === 'Create' ? undefined : physical[o.id],
      old ? props(h.connection, old, extra) : undefined,
    ),
  );
const grantsOf = (role: string) =>
  [...h.snowflake.catalog.model.grants]
    .filter((g) => g.endsWith(`|${role}`))
    .map((g) => g.split('|').slice(0, 3).join('|'))
    .sort();
const user = (name: string) => h.snowflake.catalog.access.users.get(name)!;
/** Signs in as `name` with the key its secret holds (the function's own connection). */
async function signIn(name: string, secretArn: string) {
  clearPrivateKeyCache();
  const session = await openSession(
    {
      account: ACCOUNT,
      user: name,
      role: name,
      warehouse: 'MONITOR_WH',
      privateKeySecretArn: secretArn,
      accessUrl: h.connection.accessUrl,
    },
    { attempts: 1 },
  );
  await session.close();
}

beforeAll(async () => {
  h = await startHarness();
  h.secrets.put(MONITOR_SECRET, 'placeholder: the deploy writes the key');
  h.secrets.put(REFRESHER_SECRET, 'placeholder: the deploy writes the key');
  for (const o of objects.values()) physical[o.id] = (await run('Create', o)).PhysicalResourceId;
});
afterAll(() => h.stop());
beforeEach(() => h.snowflake.clearLog());

describe('GIVEN a fresh deploy with the service identities', () => {
  test('THEN each role holds exactly the grants its function needs', () => {
    expect(grantsOf(MONITOR)).toEqual(MONITOR_GRANTS);
    expect(grantsOf(REFRESHER)).toEqual(REFRESHER_GRANTS);
  });

  test('THEN each user is a SERVICE user whose only role is its own, with a key in RSA_PUBLIC_KEY only', () => {
    for (const name of [MONITOR, REFRESHER]) {
      expect(user(name)).toMatchObject({ type: 'SERVICE', defaultRole: name, roles: new Set([name]) });
      expect(user(name).keys[0]).not.toBeNull();
      expect(user(name).keys[1]).toBeNull();
    }
    expect(user(MONITOR).defaultWarehouse).toBe('MONITOR_WH');
    expect(user(REFRESHER).defaultWarehouse).toBeNull();
  });

  test('THEN the private key is in the function secret only, and signs in as the service user', async () => {
    expect(h.secrets.get(MONITOR_SECRET)).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(h.secrets.get(MONITOR_SECRET)).not.toBe(h.secrets.get(REFRESHER_SECRET));
    expect(h.secrets.writes).toEqual([MONITOR_SECRET, REFRESHER_SECRET]);
    expect(h.secrets.writes).not.toContain(SECRET_ARN);
    await signIn(MONITOR, MONITOR_SECRET);
    await signIn(REFRESHER, REFRESHER_SECRET);
    expect(h.snowflake.logins.filter((l) => l.user !== 'PROVISIONER')).toEqual([
      { account: ACCOUNT, user: MONITOR, ok: true },
      { account: ACCOUNT, user: REFRESHER, ok: true },
    ]);
    expect(h.snowflake.bodies.join('\n')).not.toContain('PRIVATE KEY');
  });

  test('WHEN every identity is updated unchanged THEN no DDL runs', async () => {
    for (const id of ['HealthMonitorRole', 'HealthMonitorUser', 'PipeRefresherRole', 'PipeRefresherUser']) {
      const out = await run('Update', objects.get(id)!, objects.get(id));
      expect(out.Data.ChangeKind).toBe('no-op');
    }
    expect(h.snowflake.ddl).toEqual([]);
  });
});

describe('GIVEN deployed service identities', () => {
  test('WHEN a grant leaves the definition and another was added by hand THEN both are revoked, the rest kept', async () => {
    const before = objects.get('HealthMonitorRole')!;
    const definition = before.definition as { grants: { on: string; name: string }[] };
    const after = {
      ...before,
      definition: { ...definition, grants: definition.grants.filter((g) => g.on !== 'STREAM') },
    };
    h.snowflake.catalog.model.grants.add(`OPERATE|PIPE|INGEST_TEST.RAW.ORDERS_PIPE|${MONITOR}`);
    const out = await run('Update', after, before);
    expect(h.snowflake.ddl).toEqual([
      `REVOKE OPERATE ON PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" FROM ROLE "${MONITOR}"`,
      `REVOKE SELECT ON STREAM "INGEST_TEST"."RAW"."ORDERS_STREAM" FROM ROLE "${MONITOR}"`,
    ]);
    expect(out.Data.ChangeKind).toBe('alter');
    expect(grantsOf(MONITOR)).toEqual(MONITOR_GRANTS.filter((g) => !g.startsWith('SELECT|STREAM')));
    h.snowflake.clearLog();
    await run('Update', before, after);
    expect(h.snowflake.ddl).toEqual([
      `GRANT SELECT ON STREAM "INGEST_TEST"."RAW"."ORDERS_STREAM" TO ROLE "${MONITOR}"`,
    ]);
    expect(grantsOf(MONITOR)).toEqual(MONITOR_GRANTS);
  });

  test('WHEN the pipe is recreated (its grants dropped) THEN the role update the new revision causes grants them again', async () => {
    const pipe = h.snowflake.catalog.pipes.get('INGEST_TEST.RAW.ORDERS_PIPE')!;
    pipe.paused = true; // the procedure recreates only a paused pipe
    h.snowflake.catalog.execute(
      `CREATE OR REPLACE PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" AUTO_INGEST = TRUE AS ${pipe.definition}`,
    );
    expect(grantsOf(REFRESHER)).not.toContain('OPERATE|PIPE|INGEST_TEST.RAW.ORDERS_PIPE');
    h.snowflake.clearLog();
    const before = objects.get('PipeRefresherRole')!;
    const after = { ...before, definition: { ...before.definition, revision: 'pipe-recreated' } };
    await run('Update', after, before);
    expect(h.snowflake.ddl).toEqual([`GRANT OPERATE ON PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" TO ROLE "${REFRESHER}"`]);
    expect(grantsOf(REFRESHER)).toEqual(REFRESHER_GRANTS);
  });

  test('WHEN keyRotation is bumped THEN a new key pair replaces the old one through the second key slot', async () => {
    const oldSecret = h.secrets.get(MONITOR_SECRET)!;
    const before = objects.get('HealthMonitorUser')!;
    objects = environmentObjects(1);
    const out = await run('Update', objects.get('HealthMonitorUser')!, before);
    expect(out.Data.ChangeKind).toBe('alter');
    // Each step leaves a key the secret holds in a slot: old key + new (slot 2), secret written, new in both, new only.
    expect(h.snowflake.ddl.map((s) => s.replace(/'[A-Za-z0-9+/=]{200,}'/, "'<key>'"))).toEqual([
      `ALTER USER "${MONITOR}" SET RSA_PUBLIC_KEY_2 = '<key>'`,
      `ALTER USER "${MONITOR}" SET RSA_PUBLIC_KEY = '<key>'`,
      `ALTER USER "${MONITOR}" UNSET RSA_PUBLIC_KEY_2`,
      `ALTER USER "${MONITOR}" SET COMMENT = 'The health monitor\\'s service user (ingest test, managed by the pipeline). [key-rotation 1]'`,
    ]);
    const newSecret = h.secrets.get(MONITOR_SECRET)!;
    expect(newSecret).not.toBe(oldSecret);
    await signIn(MONITOR, MONITOR_SECRET);
    expect(h.snowflake.logins.at(-1)).toEqual({ account: ACCOUNT, user: MONITOR, ok: true });
    // The old private key no longer signs in.
    h.secrets.put(MONITOR_SECRET, oldSecret);
    await expect(signIn(MONITOR, MONITOR_SECRET)).rejects.toThrow();
    expect(h.snowflake.logins.at(-1)).toEqual({ account: ACCOUNT, user: MONITOR, ok: false });
    h.secrets.put(MONITOR_SECRET, newSecret);
  });

  test('WHEN the key is rotated while a warm function holds the old key in its cache THEN its next sign-in re-reads the secret and succeeds', async () => {
    await signIn(MONITOR, MONITOR_SECRET); // caches the current key (as a warm Lambda container would)
    const before = objects.get('HealthMonitorUser')!;
    const next = environmentObjects(5).get('HealthMonitorUser')!;
    await run('Update', next, before);
    h.snowflake.logins.length = 0;
    const session = await openSession(
      {
        account: ACCOUNT,
        user: MONITOR,
        role: MONITOR,
        warehouse: 'MONITOR_WH',
        privateKeySecretArn: MONITOR_SECRET,
        accessUrl: h.connection.accessUrl,
      },
      { attempts: 1 },
    );
    await session.close();
    expect(h.snowflake.logins).toEqual([
      { account: ACCOUNT, user: MONITOR, ok: false },
      { account: ACCOUNT, user: MONITOR, ok: true },
    ]);
    await run('Update', before, next); // back to the rotation the following tests start from
  });

  test('WHEN the secret cannot be written during a rotation THEN the deploy fails naming the secret, the user keeps its key, and a retry completes', async () => {
    const current = objects.get('HealthMonitorUser')!;
    const next = environmentObjects(2).get('HealthMonitorUser')!;
    const broken = { ...next, definition: { ...next.definition, privateKeySecretArn: `${MONITOR_SECRET}-missing` } };
    const keyBefore = user(MONITOR).keys[0];
    await expect(run('Update', broken, current)).rejects.toThrow(
      `could not write the new private key to ${MONITOR_SECRET}-missing (ResourceNotFoundException`,
    );
    expect(user(MONITOR).keys[0]).toBe(keyBefore);
    expect(user(MONITOR).keys[1]).not.toBeNull(); // the interrupted rotation's key
    h.snowflake.clearLog();
    await run('Update', next, current);
    expect(user(MONITOR).keys[1]).toBeNull();
    await signIn(MONITOR, MONITOR_SECRET);
    expect(h.snowflake.logins.at(-1)).toEqual({ account: ACCOUNT, user: MONITOR, ok: true });
    objects = environmentObjects(2);
  });
});

describe('GIVEN the strict test server', () => {
  test.each([
    [
      'a privilege a stream does not have',
      `GRANT MONITOR ON STREAM "INGEST_TEST"."RAW"."ORDERS_STREAM" TO ROLE "${MONITOR}"`,
      'Invalid privilege MONITOR for STREAM',
    ],
    [
      'an internal-stage privilege on an external stage',
      `GRANT READ ON STAGE "INGEST_TEST"."RAW"."PIPELINE_STAGE" TO ROLE "${MONITOR}"`,
      'Invalid privilege READ for STAGE',
    ],
    [
      'a missing pipe',
      `GRANT OPERATE ON PIPE "INGEST_TEST"."RAW"."NOPE_PIPE" TO ROLE "${MONITOR}"`,
      "Object 'INGEST_TEST.RAW.NOPE_PIPE' does not exist",
    ],
    [
      'a missing role',
      `GRANT OPERATE ON PIPE "INGEST_TEST"."RAW"."ORDERS_PIPE" TO ROLE "NOBODY"`,
      "Object 'NOBODY' does not exist",
    ],
  ])('WHEN a GRANT names %s THEN it fails like Snowflake', (_what, sql, message) => {
    expect(() => h.snowflake.catalog.execute(sql)).toThrow(message);
  });
});

describe('GIVEN deployed service identities, on Delete', () => {
  const ids = ['HealthMonitorUser', 'PipeRefresherUser', 'HealthMonitorRole', 'PipeRefresherRole'];

  test('WHEN the removal policy is retain THEN users and roles are left untouched', async () => {
    for (const id of ids) expect((await run('Delete', objects.get(id)!)).Data.ChangeKind).toBe('retain');
    expect(h.snowflake.ddl).toEqual([]);
    expect(h.snowflake.catalog.access.users.has(MONITOR)).toBe(true);
  });

  test('WHEN the removal policy is destroy THEN users then roles are dropped', async () => {
    for (const id of ids) await run('Delete', objects.get(id)!, undefined, { removalPolicy: 'destroy' });
    expect(h.snowflake.ddl).toEqual([
      `DROP USER IF EXISTS "${MONITOR}"`,
      `DROP USER IF EXISTS "${REFRESHER}"`,
      `DROP ROLE IF EXISTS "${MONITOR}"`,
      `DROP ROLE IF EXISTS "${REFRESHER}"`,
    ]);
    expect(grantsOf(MONITOR)).toEqual([]);
  });
});
