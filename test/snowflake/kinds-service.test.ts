/** The service-role and service-user planners (pure): definition validation, exact grants, key rotation triggers. */
import { serviceRoleKind } from '../../snowflake/kinds/service-role';
import { serviceUserKind } from '../../snowflake/kinds/service-user';

const ROLE = { name: 'mon', grants: [{ on: 'PIPE', name: 'db.raw.orders_pipe', privileges: ['MONITOR'] }] };
const USER = {
  name: 'mon',
  role: 'mon',
  privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbCdEf',
};

describe('service-role', () => {
  test.each([
    [
      { on: 'STREAM', name: 'DB.RAW.S', privileges: ['MONITOR'] },
      'grants.0.privileges.0: MONITOR is not a privilege on a STREAM (valid: SELECT)',
    ],
    [{ on: 'PIPE', name: 'DB.RAW', privileges: ['OPERATE'] }, 'grants.0.name: a PIPE name has 3 part(s)'],
    [{ on: 'SEQUENCE', name: 'DB.RAW.S', privileges: ['USAGE'] }, 'grants.0.on:'],
  ])('GIVEN grant %j THEN the definition is rejected naming the path', (grant, message) => {
    const r = serviceRoleKind.schema.safeParse({ ...ROLE, grants: [grant] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toContain(message);
  });

  test('GIVEN held grants WHEN planned THEN missing ones are granted and every other one revoked (ownership ignored)', () => {
    const d = serviceRoleKind.schema.parse(ROLE);
    const plan = serviceRoleKind.plan(
      { comment: null, grants: new Set(['SELECT|TABLE|DB.RAW.ORDERS', 'USAGE|FILE FORMAT|DB.RAW.F']) },
      d,
    );
    expect(plan.steps.map((s) => (s.type === 'sql' ? s.sql : s.type))).toEqual([
      'GRANT MONITOR ON PIPE "DB"."RAW"."ORDERS_PIPE" TO ROLE "MON"',
      'REVOKE SELECT ON TABLE "DB"."RAW"."ORDERS" FROM ROLE "MON"',
      'REVOKE USAGE ON FILE FORMAT "DB"."RAW"."F" FROM ROLE "MON"',
    ]);
    expect(plan.notes).toEqual(['revoked SELECT ON TABLE DB.RAW.ORDERS', 'revoked USAGE ON FILE FORMAT DB.RAW.F']);
  });
});

describe('service-user', () => {
  const d = serviceUserKind.schema.parse(USER);
  const current = {
    type: 'SERVICE',
    defaultRole: 'MON',
    defaultWarehouse: null,
    comment: null,
    keyRotation: 0,
    hasKey: true,
    hasSecondKey: false,
    roles: ['MON'],
  };
  const types = (plan: ReturnType<typeof serviceUserKind.plan>) => plan.steps.map((s) => s.type);

  test('GIVEN the user as defined THEN no-op', () => {
    expect(serviceUserKind.plan(current, d).change).toBe('no-op');
  });

  test.each([
    ['no key', { hasKey: false }, undefined],
    ['a key left in RSA_PUBLIC_KEY_2', { hasSecondKey: true }, undefined],
    ['another rotation counter', { keyRotation: 3 }, undefined],
    ['a new secret', {}, { ...USER, privateKeySecretArn: `${USER.privateKeySecretArn}x` }],
  ])('GIVEN %s THEN a fresh key pair is installed and the comment records the rotation', (_what, state, previous) => {
    const plan = serviceUserKind.plan({ ...current, ...state }, d, { previous });
    expect(types(plan)).toEqual(['install-key-pair', 'sql']);
  });

  test('GIVEN another role granted and a person user THEN it becomes a service user with only its role', () => {
    const plan = serviceUserKind.plan({ ...current, type: 'PERSON', roles: ['MON', 'SYSADMIN', 'PUBLIC'] }, d);
    expect(plan.steps.map((s) => (s.type === 'sql' ? s.sql : s.type))).toEqual([
      'ALTER USER "MON" SET TYPE = SERVICE',
      'REVOKE ROLE "SYSADMIN" FROM USER "MON"',
    ]);
  });
});
