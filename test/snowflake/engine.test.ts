import { applyPlan, isAwsAccessError } from '../../snowflake/engine/apply';
import { RetryLaterError, StatementFailedError } from '../../snowflake/engine/errors';
import { REFRESH_FROM_PLACEHOLDER, refreshInstant } from '../../snowflake/kinds/pipe';
import { createObject, deleteObject, updateObject } from '../../snowflake/engine/lifecycle';
import type { Plan, Row, SqlSession } from '../../snowflake/engine/types';
import { ingestionObjects } from '../../snowflake/ingestion-objects';
import { databaseKind } from '../../snowflake/kinds/database';
import { tableKind } from '../../snowflake/kinds/table';
import { freshDeployPlan, renderFreshDeploySql } from '../../snowflake/plan/fresh-deploy';

/** The engine's own session interface, answered by a script: statement → rows or error. */
class ScriptedSession implements SqlSession {
  readonly log: string[] = [];
  constructor(private readonly answer: (sql: string, n: number) => Row[] | Error) {}
  async query(sql: string): Promise<Row[]> {
    this.log.push(sql);
    const out = this.answer(sql, this.log.length);
    if (out instanceof Error) throw out;
    return out;
  }
}
const sqlError = (message: string, code: string, sqlState: string) =>
  Object.assign(new Error(message), { code, sqlState });
const noSleep = async () => undefined;

describe('applyPlan', () => {
  const pipe = '"D"."RAW"."P"';
  const procedure: Plan = {
    change: 'replace-by-procedure',
    notes: [],
    steps: [
      { type: 'sql', sql: 'PAUSE', undo: 'RESUME', marksPause: true },
      { type: 'mark-refresh-from', pipe, comment: 'c', recorded: null },
      { type: 'sql', sql: `RECREATE '${REFRESH_FROM_PLACEHOLDER}'`, settlesUndo: true, usesRefreshFrom: true },
      { type: 'sql', sql: 'RESUME' },
      { type: 'refresh-from-mark', pipe },
    ],
  };
  const status = (pending: number, oldest?: string) => [
    {
      STATUS: JSON.stringify({
        executionState: 'PAUSED',
        pendingFileCount: pending,
        ...(oldest ? { oldestFileTimestamp: oldest } : {}),
      }),
    },
  ];
  const PAUSED_AT = new Date('2026-01-02T03:04:05.678Z');
  // PAUSED_AT minus the 15-minute look-back, computed by hand.
  const FROM_PAUSE = '2026-01-02T02:49:05.678Z';
  const markSql = (instant: string) => `ALTER PIPE "D"."RAW"."P" SET COMMENT = 'c [refresh-from ${instant}]'`;

  test('GIVEN a failure after the pause WHEN applied THEN the undo (resume) runs and the error names object, statement and code', async () => {
    const session = new ScriptedSession((sql) =>
      sql.startsWith('RECREATE')
        ? sqlError('Insufficient privileges', '003001', '42501')
        : sql.startsWith('SELECT')
          ? status(0)
          : [],
    );
    const error = (await applyPlan(session, 'D.RAW.P', procedure, { sleep: noSleep, now: () => PAUSED_AT }).catch(
      (e: Error) => e,
    )) as StatementFailedError;
    expect(error).toBeInstanceOf(StatementFailedError);
    expect(error.message).toBe(
      `D.RAW.P: statement failed (code 003001, SQLSTATE 42501): Insufficient privileges\n  statement: RECREATE '${FROM_PAUSE}'\n  restored: RESUME`,
    );
    expect(session.log).toEqual([
      'PAUSE',
      `SELECT SYSTEM$PIPE_STATUS('D.RAW.P') AS STATUS`,
      markSql(FROM_PAUSE),
      `RECREATE '${FROM_PAUSE}'`,
      'RESUME',
    ]);
  });

  test('GIVEN a failure after the recreation WHEN applied THEN nothing is undone (the old pipe is gone)', async () => {
    const session = new ScriptedSession((sql) =>
      sql === 'RESUME' ? sqlError('boom', '000603', 'XX000') : sql.startsWith('SELECT') ? status(0) : [],
    );
    await expect(applyPlan(session, 'D.RAW.P', procedure, { sleep: noSleep })).rejects.toThrow(/statement: RESUME$/);
    expect(session.log.at(-1)).toBe('RESUME');
  });

  test('GIVEN files pending since before the pause WHEN applied THEN no wait for them: the refresh starts the look-back before the oldest one', async () => {
    const session = new ScriptedSession((sql) =>
      sql.startsWith('SELECT') ? status(3, '2026-01-02T01:00:00.000Z') : [],
    );
    const executed = await applyPlan(session, 'D.RAW.P', procedure, { sleep: noSleep, now: () => PAUSED_AT });
    expect(executed.filter((s) => s.startsWith('SELECT'))).toHaveLength(1);
    expect(executed).toContain(markSql('2026-01-02T00:45:00.000Z'));
    expect(executed.at(-1)).toBe(`ALTER PIPE "D"."RAW"."P" REFRESH MODIFIED_AFTER = '2026-01-02T00:45:00.000Z'`);
  });

  test('GIVEN an instant recorded by an earlier attempt WHEN marked again THEN the earlier instant is kept', () => {
    const earlier = '2026-01-01T10:00:00.000Z';
    expect(refreshInstant(PAUSED_AT, { executionState: 'PAUSED', pendingFileCount: 0 }, earlier)).toBe(earlier);
    expect(
      refreshInstant(PAUSED_AT, { executionState: 'PAUSED', pendingFileCount: 0 }, '2026-01-03T00:00:00.000Z'),
    ).toBe(FROM_PAUSE);
    // Pending files of unknown age: REFRESH's whole 7-day window.
    expect(refreshInstant(PAUSED_AT, { executionState: 'PAUSED', pendingFileCount: 1 })).toBe(
      '2025-12-26T03:04:05.678Z',
    );
  });

  test('GIVEN the REFRESH fails after the recreation WHEN applied THEN RetryLaterError (the provider calls again), nothing undone', async () => {
    const session = new ScriptedSession((sql) =>
      /REFRESH/.test(sql) ? sqlError('Internal error', '000603', 'XX000') : sql.startsWith('SELECT') ? status(0) : [],
    );
    const error = await applyPlan(session, 'D.RAW.P', procedure, { sleep: noSleep, now: () => PAUSED_AT }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(session.log.at(-1)).toBe(`ALTER PIPE "D"."RAW"."P" REFRESH MODIFIED_AFTER = '${FROM_PAUSE}'`);
  });

  test('GIVEN an access error whose retry would end past the deadline WHEN applied THEN RetryLaterError instead of waiting', async () => {
    const session = new ScriptedSession(() => sqlError('Error assuming AWS_ROLE.', '091003', '22000'));
    const plan: Plan = {
      change: 'create',
      notes: [],
      steps: [{ type: 'sql', sql: 'CREATE STAGE X', retryOnAccessError: true }],
    };
    const slept: number[] = [];
    const error = await applyPlan(session, 'X', plan, {
      sleep: async (ms) => void slept.push(ms),
      accessRetryDelayMs: 5000,
      deadline: Date.now() + 1000,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(slept).toEqual([]);
    expect(session.log).toEqual(['CREATE STAGE X']);
  });

  test('GIVEN an access error that persists WHEN a retried step runs THEN it gives up after the bounded attempts with an actionable note', async () => {
    const denied = () =>
      sqlError(
        'Error assuming AWS_ROLE. Please verify the role and externalId are configured correctly',
        '091003',
        '22000',
      );
    const session = new ScriptedSession(denied);
    const plan: Plan = {
      change: 'create',
      notes: [],
      steps: [{ type: 'sql', sql: 'CREATE STAGE X', retryOnAccessError: true }],
    };
    const delays: number[] = [];
    const error = await applyPlan(session, 'D.RAW.X', plan, {
      accessRetryAttempts: 4,
      accessRetryDelayMs: 100,
      sleep: async (ms) => void delays.push(ms),
    }).catch((e: Error) => e);
    expect(session.log).toHaveLength(4);
    expect(delays).toEqual([100, 200, 400]);
    expect((error as Error).message).toMatch(
      /after 4 attempts: check the role's trust policy \(STORAGE_AWS_IAM_USER_ARN, sts:ExternalId\)/,
    );
  });

  test('GIVEN an access error on a step not marked for retry WHEN applied THEN it fails at once', async () => {
    const session = new ScriptedSession(() => sqlError('Access Denied', '091003', '22000'));
    await expect(
      applyPlan(session, 'X', { change: 'alter', notes: [], steps: [{ type: 'sql', sql: 'ALTER X' }] }),
    ).rejects.toThrow(StatementFailedError);
    expect(session.log).toEqual(['ALTER X']);
    expect(isAwsAccessError(new Error('User: x is not authorized to perform: sts:AssumeRole on resource'))).toBe(true);
  });
});

describe('lifecycle', () => {
  const table = {
    kind: tableKind,
    definition: tableKind.schema.parse({
      database: 'D',
      schema: 'RAW',
      name: 'T',
      columns: [{ name: 'A', type: 'VARCHAR' }],
    }),
    adopt: false,
    removalPolicy: 'destroy' as const,
  };
  const exists = (sql: string) =>
    sql.startsWith('SHOW TABLES')
      ? [{ name: 'T', comment: '' }]
      : sql.startsWith('DESC')
        ? [{ name: 'A', type: 'VARCHAR(16777216)', kind: 'COLUMN' }]
        : [];

  test('GIVEN a Delete whose physical id is not the object name (failed-Create marker) THEN nothing runs at all', async () => {
    const session = new ScriptedSession(() => new Error('must not be called'));
    const out = await deleteObject(session, 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', table);
    expect(out.change).toBe('retain');
    expect(session.log).toEqual([]);
  });

  test('GIVEN a data-bearing object and removal policy retain WHEN deleted THEN retained; non-data-bearing objects are dropped', async () => {
    const session = new ScriptedSession(() => []);
    expect((await deleteObject(session, 'D.RAW.T', { ...table, removalPolicy: 'retain' })).change).toBe('retain');
    expect(
      (
        await deleteObject(session, 'D', {
          kind: databaseKind,
          definition: { name: 'D' },
          adopt: true,
          removalPolicy: 'destroy',
        })
      ).change,
    ).toBe('retain');
    expect((await deleteObject(session, 'D.RAW.T', table)).statements).toEqual(['DROP TABLE IF EXISTS "D"."RAW"."T"']);
  });

  test('GIVEN an existing object WHEN an Update keeps its name THEN converge without the existence error', async () => {
    const session = new ScriptedSession(exists);
    const out = await updateObject(session, 'D.RAW.T', table);
    expect(out.change).toBe('no-op');
    await expect(createObject(new ScriptedSession(exists), table)).rejects.toThrow(/already exists/);
  });

  test('GIVEN an Update that renames onto an existing object that differs WHEN not adopting THEN it fails and changes nothing', async () => {
    const differs = (sql: string) =>
      sql.startsWith('SHOW TABLES') ? [{ name: 'T', comment: 'someone else' }] : exists(sql);
    const session = new ScriptedSession(differs);
    await expect(updateObject(session, 'D.RAW.OLD', table)).rejects.toThrow(/table D\.RAW\.T already exists/);
    expect(session.log.filter((s) => !/^(SHOW|DESC)/.test(s))).toEqual([]);
  });

  test('GIVEN the rollback of a rename (Update back to a name whose object is exactly as defined) THEN kept without DDL, with a note', async () => {
    const session = new ScriptedSession(exists);
    const out = await updateObject(session, 'D.RAW.NEW', table);
    expect(out).toMatchObject({ physicalId: 'D.RAW.T', change: 'no-op', statements: [] });
    expect(out.notes[0]).toMatch(/already exists exactly as defined \(e\.g\. the rollback of a rename\)/);
  });

  test('GIVEN a Create whose CREATE itself fails WHEN compensating THEN nothing is dropped (the object may belong to someone else)', async () => {
    const session = new ScriptedSession((sql) =>
      sql.startsWith('CREATE') ? sqlError("Object 'T' already exists.", '002002', '42710') : [],
    );
    await expect(createObject(session, table)).rejects.toThrow(/002002/);
    expect(session.log.some((s) => s.startsWith('DROP'))).toBe(false);
  });
});

describe('offline fresh-deploy plan', () => {
  const objects = ingestionObjects({
    project: 'ingest',
    environment: 'dev',
    database: 'ingest_dev',
    stageBucketName: 'ingest-dev-stage',
    roleArn: 'arn:aws:iam::111111111111:role/ingest-dev-snowflake-s3',
    externalId: 'ingest:dev:snowflake-s3',
    datasets: [{ name: 'orders' }, { name: 'customers' }],
  });

  test('GIVEN two datasets WHEN planned THEN one create per object, in dependency order', () => {
    expect(freshDeployPlan(objects).map((o) => `${o.kind} ${o.object} ${o.change}`)).toEqual([
      'database INGEST_DEV create',
      'schema INGEST_DEV.RAW create',
      'storage integration INGEST_DEV_S3 create',
      'file format INGEST_DEV.RAW.STAGE_NDJSON_GZ create',
      'stage INGEST_DEV.RAW.PIPELINE_STAGE create',
      'table INGEST_DEV.RAW.ORDERS create',
      'pipe INGEST_DEV.RAW.ORDERS_PIPE create',
      'table INGEST_DEV.RAW.CUSTOMERS create',
      'pipe INGEST_DEV.RAW.CUSTOMERS_PIPE create',
    ]);
  });

  test('WHEN rendered THEN SQL is grouped per object with a header and terminated statements', () => {
    const sql = renderFreshDeploySql(objects);
    expect(
      sql.startsWith(
        '-- database INGEST_DEV (create)\nCREATE DATABASE "INGEST_DEV";\n\n-- schema INGEST_DEV.RAW (create)\n',
      ),
    ).toBe(true);
    expect(sql).toContain(
      `-- pipe INGEST_DEV.RAW.CUSTOMERS_PIPE (create)\nCREATE PIPE "INGEST_DEV"."RAW"."CUSTOMERS_PIPE" AUTO_INGEST = TRUE`,
    );
    expect(sql.match(/;\n/g)).toHaveLength(9);
  });

  test('GIVEN an invalid definition WHEN planned THEN the error names the kind and field', () => {
    expect(() => freshDeployPlan([{ kind: 'stage', definition: { database: 'D' } }])).toThrow(
      /invalid stage definition: schema: /,
    );
  });
});
