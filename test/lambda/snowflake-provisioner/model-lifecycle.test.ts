/**
 * The data-model kinds through the real provisioner handler and snowflake-sdk (JWT login) against the
 * Snowflake-protocol test server: create, no-op update (no DDL), schema evolution, task body /
 * schedule / graph changes with the suspend → alter → resume rule, a failure that restores the graph,
 * stream staleness, view replacement, and Delete under retain / destroy.
 */
import type { DatasetSpec } from '../../../contracts/config';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import type { FollowUpTaskSpec } from '../../../snowflake/model';
import { useDeployment } from './deployment';
import { testObjects } from './objects';

const ORDERS: DatasetSpec = {
  name: 'orders',
  format: 'json',
  columns: [
    { name: 'order_id', type: 'NUMBER(38,0)' },
    { name: 'amount', type: 'NUMBER(12,2)', description: 'Order total' },
    { name: 'updated_at', type: 'TIMESTAMP_NTZ' },
  ],
  primaryKey: ['order_id'],
  orderBy: 'updated_at',
};
const CLICKS: DatasetSpec = { name: 'clicks', format: 'ndjson', columns: [{ name: 'url', type: 'VARCHAR' }] };
const SNAPSHOT: FollowUpTaskSpec = {
  name: 'order_snapshot',
  after: ['orders'],
  sql: 'INSERT INTO core.order_snapshot SELECT order_id, amount FROM core.orders',
};
const GOLD = [
  {
    name: 'order_totals',
    file: '/p/snowflake/gold/order_totals.sql',
    sql: 'SELECT SUM(amount) AS total FROM core.orders',
  },
];

function model(datasets: DatasetSpec[] = [ORDERS, CLICKS], followUpTasks: FollowUpTaskSpec[] = [SNAPSHOT]) {
  return testObjects(datasets, { dataModel: { datasets, goldViews: GOLD, followUpTasks } });
}

let objects = model();
const deployment = useDeployment(() => objects.values());
const { physical } = deployment;
const ROOT = '"INGEST_TEST"."CORE"."ORDERS_MERGE"';
const CHILD = '"INGEST_TEST"."CORE"."ORDER_SNAPSHOT"';

const run = (type: 'Create' | 'Update' | 'Delete', o: IngestionObject, extra: Record<string, unknown> = {}) =>
  deployment.send(type, o, { extra });
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&');
const task = (name: string) => deployment.h.snowflake.catalog.model.tasks.get(name)!;

describe('GIVEN two datasets, a follow-up task, a gold view and the reader role, all created', () => {
  test('THEN every data-model object exists, the task graph is running and the reader can read gold only', () => {
    const c = deployment.h.snowflake.catalog;
    expect([...c.model.streams.keys()]).toEqual(['INGEST_TEST.RAW.ORDERS_STREAM', 'INGEST_TEST.RAW.CLICKS_STREAM']);
    expect(c.tables.has('INGEST_TEST.CORE.ORDERS') && c.tables.has('INGEST_TEST.CORE.ORDERS_REJECTS')).toBe(true);
    expect(c.tables.has('INGEST_TEST.CORE.CLICKS_REJECTS')).toBe(true); // insert-only: cast failures still rejected
    expect(task('INGEST_TEST.CORE.ORDERS_MERGE').state).toBe('started');
    expect(task('INGEST_TEST.CORE.ORDER_SNAPSHOT')).toMatchObject({
      state: 'started',
      predecessors: ['INGEST_TEST.CORE.ORDERS_MERGE'],
    });
    expect(task('INGEST_TEST.CORE.ORDERS_MERGE').condition).toBe(
      `SYSTEM$STREAM_HAS_DATA('"INGEST_TEST"."RAW"."ORDERS_STREAM"')`,
    );
    expect([...c.model.grants].sort()).toEqual([
      'SELECT|VIEW|INGEST_TEST.GOLD.ORDER_TOTALS|INGEST_TEST_READER',
      'USAGE|DATABASE|INGEST_TEST|INGEST_TEST_READER',
      'USAGE|SCHEMA|INGEST_TEST.GOLD|INGEST_TEST_READER',
    ]);
    expect([...c.model.futureGrants]).toEqual(['SELECT|VIEW|INGEST_TEST.GOLD|INGEST_TEST_READER']);
    expect([...c.model.roleGrants]).toEqual(['INGEST_TEST_READER|SYSADMIN']);
  });

  test('WHEN a follow-up task is created THEN the root is suspended around it: suspend, create, resume child, resume root', async () => {
    deployment.h.snowflake.clearLog();
    const extra = model(
      [ORDERS, CLICKS],
      [SNAPSHOT, { name: 'order_audit', after: ['order_snapshot'], sql: 'SELECT 1' }],
    );
    const out = await run('Create', extra.get('OrderAuditTask')!);
    physical.OrderAuditTask = out.PhysicalResourceId;
    expect(deployment.h.snowflake.ddl.map((s) => s.split('\n')[0])).toEqual([
      `ALTER TASK ${ROOT} SUSPEND`,
      'CREATE TASK "INGEST_TEST"."CORE"."ORDER_AUDIT"',
      'ALTER TASK "INGEST_TEST"."CORE"."ORDER_AUDIT" RESUME',
      `ALTER TASK ${ROOT} RESUME`,
    ]);
    expect(deployment.h.snowflake.ddl[1]).toContain(`AFTER ${CHILD}`);
    // Under retain a task is left untouched (its run history); under destroy it is dropped.
    expect((await run('Delete', extra.get('OrderAuditTask')!)).Data.ChangeKind).toBe('retain');
    expect(deployment.h.snowflake.catalog.model.tasks.has('INGEST_TEST.CORE.ORDER_AUDIT')).toBe(true);
    const deleted = await run('Delete', extra.get('OrderAuditTask')!, { removalPolicy: 'destroy' });
    expect(deleted.Data.ChangeKind).toBe('drop');
    expect(deployment.h.snowflake.catalog.model.tasks.has('INGEST_TEST.CORE.ORDER_AUDIT')).toBe(false);
    expect(task('INGEST_TEST.CORE.ORDERS_MERGE').state).toBe('started');
  });
});

describe('GIVEN the deployed data model', () => {
  test('WHEN every object is updated with unchanged properties THEN no DDL runs and each reports no-op', async () => {
    for (const o of objects.values()) {
      const out = await run('Update', o);
      expect({ id: o.id, change: out.Data.ChangeKind }).toEqual({ id: o.id, change: 'no-op' });
    }
    expect(deployment.h.snowflake.ddl).toEqual([]);
  });

  test('WHEN a column is added THEN silver gets ADD COLUMN and the root task is suspended, altered and resumed', async () => {
    const added = { ...ORDERS, columns: [...ORDERS.columns, { name: 'channel', type: 'VARCHAR' }] };
    objects = model([added, CLICKS]);
    const silver = await run('Update', objects.get('OrdersSilver')!);
    expect(silver.Data.ChangeKind).toBe('alter');
    expect(deployment.h.snowflake.ddl).toEqual([
      'ALTER TABLE "INGEST_TEST"."CORE"."ORDERS" ADD COLUMN IF NOT EXISTS "CHANNEL" VARCHAR',
    ]);
    deployment.h.snowflake.clearLog();
    const t = await run('Update', objects.get('OrdersMergeTask')!);
    expect(t.Data).toMatchObject({ ChangeKind: 'alter', State: 'started' });
    // The body changes (MODIFY AS) and the comment's fingerprint (SET); no CREATE OR ALTER.
    expect(deployment.h.snowflake.ddl.map((s) => s.split('\n')[0])).toEqual([
      `ALTER TASK ${ROOT} SUSPEND`,
      expect.stringMatching(new RegExp(`^ALTER TASK ${escape(ROOT)} UNSET `)),
      `ALTER TASK ${ROOT} MODIFY AS`,
      expect.stringMatching(new RegExp(`^ALTER TASK ${escape(ROOT)} SET .*COMMENT = `)),
      `ALTER TASK ${ROOT} RESUME`,
    ]);
    expect(deployment.h.snowflake.ddl[2]).toContain('"CHANNEL"');
    deployment.h.snowflake.clearLog();
    for (const id of ['OrdersSilver', 'OrdersMergeTask']) await run('Update', objects.get(id)!);
    expect(deployment.h.snowflake.ddl).toEqual([]);
  });

  test('WHEN the schedule changes THEN the root is altered between suspend and resume', async () => {
    const scheduled = {
      ...ORDERS,
      columns: [...ORDERS.columns, { name: 'channel', type: 'VARCHAR' }],
      task: { schedule: '10 MINUTE' },
    };
    objects = model([scheduled, CLICKS]);
    await run('Update', objects.get('OrdersMergeTask')!);
    const set = deployment.h.snowflake.ddl.find((s) => / SET /.test(s))!;
    expect(set).toContain(`SCHEDULE = '10 MINUTES'`);
    expect(set).not.toContain('TARGET_COMPLETION_INTERVAL');
    expect(deployment.h.snowflake.ddl.find((s) => / UNSET /.test(s))).toContain('TARGET_COMPLETION_INTERVAL');
    expect(deployment.h.snowflake.ddl[0]).toBe(`ALTER TASK ${ROOT} SUSPEND`);
    expect(deployment.h.snowflake.ddl.at(-1)).toBe(`ALTER TASK ${ROOT} RESUME`);
    expect(task('INGEST_TEST.CORE.ORDERS_MERGE')).toMatchObject({ state: 'started', schedule: '10 MINUTES' });
  });

  test('WHEN a follow-up task body changes THEN root suspended, child altered, child resumed, root resumed', async () => {
    const changed = model(
      [ORDERS, CLICKS],
      [{ ...SNAPSHOT, sql: 'INSERT INTO core.order_snapshot SELECT order_id FROM core.orders' }],
    );
    await run('Update', changed.get('OrderSnapshotTask')!);
    // The child too is suspended before it changes (Snowflake requires it), then resumed before the root.
    const ddl = deployment.h.snowflake.ddl.map((s) => s.split('\n')[0]);
    expect(ddl.slice(0, 2)).toEqual([`ALTER TASK ${ROOT} SUSPEND`, `ALTER TASK ${CHILD} SUSPEND`]);
    expect(ddl).toContain(`ALTER TASK ${CHILD} MODIFY AS`);
    expect(ddl.slice(-2)).toEqual([`ALTER TASK ${CHILD} RESUME`, `ALTER TASK ${ROOT} RESUME`]);
    expect(ddl.filter((s) => /CREATE OR ALTER/.test(s))).toEqual([]);
    expect(task('INGEST_TEST.CORE.ORDER_SNAPSHOT').definition).toBe(
      'INSERT INTO core.order_snapshot SELECT order_id FROM core.orders',
    );
  });

  test('WHEN altering the task fails THEN the root is resumed again and the error says so', async () => {
    deployment.h.snowflake.failOn({
      match: /^ALTER TASK .* SET WAREHOUSE/,
      code: '002003',
      sqlState: '02000',
      message: 'warehouse does not exist',
    });
    const broken = model([{ ...ORDERS, task: { warehouse: 'MISSING_WH' } }, CLICKS]);
    await expect(run('Update', broken.get('OrdersMergeTask')!)).rejects.toThrow(
      new RegExp(`statement failed \\(code 002003, SQLSTATE 02000\\)[\\s\\S]*restored: ALTER TASK ${ROOT} RESUME`),
    );
    expect(deployment.h.snowflake.ddl[0]).toBe(`ALTER TASK ${ROOT} SUSPEND`);
    expect(deployment.h.snowflake.ddl.at(-2)).toMatch(/ SET WAREHOUSE = "MISSING_WH"/);
    expect(deployment.h.snowflake.ddl.at(-1)).toBe(`ALTER TASK ${ROOT} RESUME`);
    expect(task('INGEST_TEST.CORE.ORDERS_MERGE').state).toBe('started');
  });

  test('WHEN the root was suspended by an operator THEN the change is applied and the graph left suspended', async () => {
    task('INGEST_TEST.CORE.ORDERS_MERGE').state = 'suspended';
    const out = await run(
      'Update',
      model([{ ...ORDERS, task: { schedule: '30 MINUTE' } }, CLICKS]).get('OrdersMergeTask')!,
    );
    expect(out.Data).toMatchObject({ ChangeKind: 'alter', State: 'suspended' });
    expect(deployment.h.snowflake.ddl.length).toBeGreaterThan(0);
    expect(deployment.h.snowflake.ddl.filter((s) => / (SUSPEND|RESUME)$/.test(s))).toEqual([]);
    task('INGEST_TEST.CORE.ORDERS_MERGE').state = 'started';
  });

  test('WHEN a column is retyped THEN the update fails before any DDL; WHEN removed THEN it is kept and reported', async () => {
    const retyped = {
      ...ORDERS,
      columns: ORDERS.columns.map((c) => (c.name === 'amount' ? { ...c, type: 'VARCHAR' } : c)),
    };
    await expect(run('Update', model([retyped, CLICKS]).get('OrdersSilver')!)).rejects.toThrow(
      /INGEST_TEST\.CORE\.ORDERS: schema change not applied .*COLUMN_RETYPED: AMOUNT is NUMBER\(12,2\) in Snowflake but VARCHAR in the spec/,
    );
    const removed = { ...ORDERS, columns: ORDERS.columns.filter((c) => c.name !== 'amount') };
    const out = await run('Update', model([removed, CLICKS]).get('OrdersSilver')!);
    expect(out.Data.UnappliedChanges).toBe('COLUMN_REMOVED: AMOUNT, CHANNEL (kept with their data)');
    expect(deployment.h.snowflake.ddl).toEqual([]);
  });

  test('WHEN the stream went stale THEN it is replaced (reported) with the initial rows; otherwise never', async () => {
    const stream = deployment.h.snowflake.catalog.model.streams.get('INGEST_TEST.RAW.ORDERS_STREAM')!;
    stream.stale = true;
    const out = await run('Update', objects.get('OrdersStream')!);
    expect(out.Data).toMatchObject({ ChangeKind: 'replace', StaleAfter: stream.staleAfter });
    expect(deployment.h.snowflake.ddl).toEqual([
      `CREATE OR REPLACE STREAM "INGEST_TEST"."RAW"."ORDERS_STREAM" COPY GRANTS ON TABLE "INGEST_TEST"."RAW"."ORDERS" APPEND_ONLY = TRUE SHOW_INITIAL_ROWS = TRUE COMMENT = 'New bronze rows of orders, consumed by its MERGE task.'`,
    ]);
    deployment.h.snowflake.clearLog();
    expect((await run('Update', objects.get('OrdersStream')!)).Data.ChangeKind).toBe('no-op');
    expect(deployment.h.snowflake.ddl).toEqual([]);
  });

  test('WHEN a gold view query changes THEN it is replaced with COPY GRANTS and the reader keeps SELECT', async () => {
    const view = { ...objects.get('OrderTotalsView')! };
    const changed = {
      ...view,
      definition: { ...view.definition, query: 'SELECT COUNT(*) AS n FROM "INGEST_TEST"."CORE"."ORDERS"' },
    };
    const out = await run('Update', changed);
    expect(out.Data.ChangeKind).toBe('replace');
    expect(deployment.h.snowflake.ddl[0]).toMatch(
      /^CREATE OR REPLACE VIEW "INGEST_TEST"."GOLD"."ORDER_TOTALS" COPY GRANTS COMMENT = /,
    );
    deployment.h.snowflake.clearLog();
    expect((await run('Update', objects.get('ReaderRole')!)).Data.ChangeKind).toBe('no-op');
    expect(deployment.h.snowflake.ddl).toEqual([]);
  });
});

describe('GIVEN a Delete', () => {
  test('WHEN the removal policy is retain THEN every object (tasks, streams, pipes, stage, integrations included) is left untouched and reported retained', async () => {
    const tasksBefore = JSON.stringify([...deployment.h.snowflake.catalog.model.tasks]);
    const streamsBefore = JSON.stringify([...deployment.h.snowflake.catalog.model.streams]);
    const outcome: Record<string, string> = {};
    for (const o of [...objects.values()].reverse()) outcome[o.id] = (await run('Delete', o)).Data.ChangeKind ?? 'none';
    expect(Object.entries(outcome).filter(([, change]) => change !== 'retain')).toEqual([]);
    expect(deployment.h.snowflake.ddl).toEqual([]);
    // Untouched: same tasks in the same state, streams with their offsets, pipes and stage in place.
    expect(JSON.stringify([...deployment.h.snowflake.catalog.model.tasks])).toBe(tasksBefore);
    expect(JSON.stringify([...deployment.h.snowflake.catalog.model.streams])).toBe(streamsBefore);
    expect(deployment.h.snowflake.catalog.pipes.size).toBeGreaterThan(0);
    expect(deployment.h.snowflake.catalog.stages.size).toBe(1);
    expect(deployment.h.snowflake.catalog.integrations.size).toBe(1);
  });

  test('WHEN the removal policy is destroy THEN the silver table, view and role are dropped', async () => {
    for (const id of ['ReaderRole', 'OrderTotalsView', 'ClicksMergeTask', 'ClicksSilver']) {
      const out = await run('Delete', objects.get(id)!, { removalPolicy: 'destroy' });
      expect({ id, change: out.Data.ChangeKind }).toEqual({ id, change: 'drop' });
    }
    expect(deployment.h.snowflake.catalog.tables.has('INGEST_TEST.CORE.CLICKS')).toBe(false);
    expect(deployment.h.snowflake.catalog.model.roles.size).toBe(0);
  });
});
