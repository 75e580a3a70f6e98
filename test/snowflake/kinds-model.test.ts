/**
 * Planner rules of the data-model kinds (pure): stream, task, silver table, rejects table, view,
 * reader role. The end-to-end statement sequences are in
 * test/lambda/snowflake-provisioner/model-lifecycle.test.ts.
 */
import { UnsafeChangeError } from '../../snowflake/engine/errors';
import { readerRoleKind } from '../../snowflake/kinds/reader-role';
import type { ReaderRoleState } from '../../snowflake/kinds/reader-role';
import { rejectsTableKind } from '../../snowflake/kinds/rejects-table';
import { silverModel, silverTableKind } from '../../snowflake/kinds/silver-table';
import { silverTable } from '../../snowflake/model/tables';
import { streamKind } from '../../snowflake/kinds/stream';
import { renderTask, taskKind, taskFingerprint } from '../../snowflake/kinds/task';
import type { TaskDefinition } from '../../snowflake/kinds/task';
import { viewKind } from '../../snowflake/kinds/view';
import { getKind } from '../../snowflake/kinds/registry';

const sqlOf = (plan: { steps: readonly { type: string; sql?: string }[] }) => plan.steps.map((s) => s.sql ?? s.type);

describe('stream', () => {
  const d = streamKind.schema.parse({
    database: 'db',
    schema: 'raw',
    name: 'orders_stream',
    table: 'db.raw.orders',
    comment: 'c',
  });
  const live = { table: 'DB.RAW.ORDERS', mode: 'APPEND_ONLY', stale: false, staleAfter: '2026-12-01', comment: 'c' };

  test('GIVEN no stream WHEN planned THEN an append-only CREATE STREAM', () => {
    expect(sqlOf(streamKind.plan(undefined, d))).toEqual([
      `CREATE STREAM "DB"."RAW"."ORDERS_STREAM" ON TABLE "DB"."RAW"."ORDERS" APPEND_ONLY = TRUE COMMENT = 'c'`,
    ]);
  });
  test('GIVEN the same stream THEN no-op; GIVEN a new comment THEN ALTER, never a replacement', () => {
    expect(streamKind.plan(live, d)).toEqual({ change: 'no-op', steps: [], notes: [] });
    expect(sqlOf(streamKind.plan({ ...live, comment: 'old' }, d))).toEqual([
      `ALTER STREAM "DB"."RAW"."ORDERS_STREAM" SET COMMENT = 'c'`,
    ]);
  });
  test.each([
    ['stale', { stale: true }, /it is stale \(stale after 2026-12-01\)/],
    ['on another table', { table: 'DB.RAW.OLD' }, /its source changes from DB.RAW.OLD to DB.RAW.ORDERS/],
    ['not append-only', { mode: 'DEFAULT' }, /its mode changes from DEFAULT to APPEND_ONLY/],
  ])('GIVEN a stream %s WHEN planned THEN replaced, with the initial rows, and reported', (_w, diff, reason) => {
    const plan = streamKind.plan({ ...live, ...diff }, d);
    expect(plan.change).toBe('replace');
    expect(sqlOf(plan)[0]).toMatch(
      /^CREATE OR REPLACE STREAM "DB"."RAW"."ORDERS_STREAM" COPY GRANTS ON TABLE .* APPEND_ONLY = TRUE SHOW_INITIAL_ROWS = TRUE/,
    );
    expect(plan.notes[0]).toMatch(reason);
  });
});

describe('task', () => {
  const root: TaskDefinition = taskKind.schema.parse({
    database: 'db',
    schema: 'core',
    name: 'orders_merge',
    initialWarehouseSize: 'XSMALL',
    targetCompletionInterval: '5 MINUTES',
    whenStreamHasData: 'db.raw.orders_stream',
    body: 'SELECT 1',
    suspendTaskAfterNumFailures: '10',
    timezone: 'UTC',
    comment: 'merge',
  });
  const child = taskKind.schema.parse({
    database: 'db',
    schema: 'core',
    name: 'snap',
    root: 'db.core.orders_merge',
    after: ['db.core.orders_merge'],
    body: 'SELECT 2',
  });
  const state = (d: TaskDefinition, extra = {}) => ({
    state: 'started' as const,
    definition: d.body,
    comment: d.comment ?? null,
    fingerprint: taskFingerprint(d),
    // As SHOW TASKS reports them: the WHEN text and the predecessors as quoted names.
    condition: d.whenStreamHasData ? `SYSTEM$STREAM_HAS_DATA('"DB"."RAW"."ORDERS_STREAM"')` : null,
    predecessors: d.root ? ['"DB"."CORE"."ORDERS_MERGE"'] : [],
    ...extra,
  });

  test('GIVEN a root task WHEN rendered THEN serverless, triggered by its stream, fingerprinted in the comment', () => {
    const sql = renderTask(root);
    expect(sql.split('\n')).toEqual([
      'CREATE TASK "DB"."CORE"."ORDERS_MERGE"',
      `  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'XSMALL'`,
      `  TARGET_COMPLETION_INTERVAL = '5 MINUTES'`,
      '  OVERLAP_POLICY = NO_OVERLAP',
      '  SUSPEND_TASK_AFTER_NUM_FAILURES = 10',
      `  TIMEZONE = 'UTC'`,
      `  COMMENT = 'merge [definition ${taskFingerprint(root)}]'`,
      `  WHEN SYSTEM$STREAM_HAS_DATA('"DB"."RAW"."ORDERS_STREAM"')`,
      'AS',
      'SELECT 1',
    ]);
    expect(renderTask({ ...root, errorIntegration: 'ERRS' })).toMatch(
      /^CREATE TASK "DB"."CORE"."ORDERS_MERGE"\n {2}ERROR_INTEGRATION = "ERRS"\n/,
    );
  });
  test('GIVEN no task WHEN planned THEN created then resumed (tasks are created suspended)', () => {
    expect(sqlOf(taskKind.plan(undefined, root)).map((s) => s.split('\n')[0])).toEqual([
      'CREATE TASK "DB"."CORE"."ORDERS_MERGE"',
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME',
    ]);
  });
  test('GIVEN an unchanged task THEN no-op, also when suspended (noted, not resumed)', () => {
    expect(taskKind.plan(state(root), root)).toEqual({ change: 'no-op', steps: [], notes: [] });
    expect(taskKind.plan(state(root, { state: 'suspended' }), root).notes).toEqual([
      'the task is suspended: a no-op deploy leaves it suspended',
    ]);
  });
  test('GIVEN a changed parameter only (body unchanged) and the previous definition WHEN planned THEN suspend, ALTER TASK SET of that parameter (+ the fingerprint comment), resume — no CREATE OR ALTER', () => {
    const next = { ...root, timezone: 'Europe/Oslo' };
    const plan = taskKind.plan(state(root), next, { previous: root });
    expect(sqlOf(plan)).toEqual([
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" SUSPEND',
      `ALTER TASK "DB"."CORE"."ORDERS_MERGE" SET TIMEZONE = 'Europe/Oslo' COMMENT = 'merge [definition ${taskFingerprint(next)}]'`,
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME',
    ]);
    expect(plan.steps[0]).toMatchObject({ undo: 'ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME' });
  });
  test('GIVEN a removed parameter (serverless → warehouse) WHEN planned THEN UNSET what is gone and SET what is new', () => {
    const next = { ...root, warehouse: 'WH', initialWarehouseSize: undefined, targetCompletionInterval: undefined };
    const [, ...alters] = sqlOf(taskKind.plan(state(root), next, { previous: root }));
    expect(alters.slice(0, 2)).toEqual([
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" UNSET USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE, TARGET_COMPLETION_INTERVAL',
      `ALTER TASK "DB"."CORE"."ORDERS_MERGE" SET WAREHOUSE = "WH" COMMENT = 'merge [definition ${taskFingerprint(next)}]'`,
    ]);
  });
  test('GIVEN a task that does not carry the previous definition (drift) WHEN planned THEN every parameter is re-asserted', () => {
    const next = { ...root, timezone: 'Europe/Oslo' };
    const plan = taskKind.plan(state(root, { fingerprint: '0000000000000000' }), next, { previous: root });
    expect(sqlOf(plan)[1]).toBe('ALTER TASK "DB"."CORE"."ORDERS_MERGE" UNSET WAREHOUSE, SCHEDULE, ERROR_INTEGRATION');
    expect(sqlOf(plan)[2]).toContain(
      `SET USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = 'XSMALL' TARGET_COMPLETION_INTERVAL = '5 MINUTES' SUSPEND_TASK_AFTER_NUM_FAILURES = 10 TIMEZONE = 'Europe/Oslo' OVERLAP_POLICY = NO_OVERLAP COMMENT`,
    );
  });
  test('GIVEN a changed child body WHEN the root and the child run THEN root suspended, child suspended, MODIFY AS, child resumed, root resumed; each suspension undone on failure', () => {
    const plan = taskKind.plan(state(child, { root: 'started' }), { ...child, body: 'SELECT 3' }, { previous: child });
    expect(sqlOf(plan).map((s) => s.split('\n')[0])).toEqual([
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" SUSPEND',
      'ALTER TASK "DB"."CORE"."SNAP" SUSPEND',
      'ALTER TASK "DB"."CORE"."SNAP" MODIFY AS',
      expect.stringMatching(/^ALTER TASK "DB"."CORE"."SNAP" SET COMMENT = /),
      'ALTER TASK "DB"."CORE"."SNAP" RESUME',
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME',
    ]);
    expect(plan.steps.slice(0, 2)).toMatchObject([
      { undo: 'ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME' },
      { undo: ['ALTER TASK "DB"."CORE"."ORDERS_MERGE" SUSPEND', 'ALTER TASK "DB"."CORE"."SNAP" RESUME'] },
    ]);
  });
  test('GIVEN a changed child WHEN the child was suspended THEN the child is not resumed (noted)', () => {
    const plan = taskKind.plan(
      state(child, { state: 'suspended', root: 'started' }),
      { ...child, body: 'SELECT 3' },
      { previous: child },
    );
    expect(sqlOf(plan).map((s) => s.split('\n')[0])).toEqual([
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" SUSPEND',
      'ALTER TASK "DB"."CORE"."SNAP" MODIFY AS',
      expect.stringMatching(/^ALTER TASK "DB"."CORE"."SNAP" SET /),
      'ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME',
    ]);
    expect(plan.notes).toContain('the task was suspended: changed and left suspended');
  });
  test('GIVEN a child whose root is gone THEN refused', () => {
    expect(() => taskKind.plan(state(child, { root: 'absent' }), { ...child, body: 'x' })).toThrow(UnsafeChangeError);
  });
  test('GIVEN a child WHEN dropped THEN one block suspends the root only if it ran, drops, restores it', () => {
    const sql = taskKind.drop(child);
    expect(sql).toMatch(/^EXECUTE IMMEDIATE \$\$\nDECLARE\n {2}root_started BOOLEAN DEFAULT FALSE;/);
    expect(sql).toContain(`SHOW TASKS LIKE 'ORDERS_MERGE' IN SCHEMA "DB"."CORE";`);
    expect(sql).toContain('DROP TASK IF EXISTS "DB"."CORE"."SNAP";');
    expect(sql.match(/ALTER TASK "DB"."CORE"."ORDERS_MERGE" RESUME/g)).toHaveLength(2); // after the drop, and on error
  });
  test('GIVEN invalid definitions THEN each problem names the field', () => {
    const bad = taskKind.schema.safeParse({ ...child, root: undefined, schedule: 'every minute' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['schedule', 'root']);
  });
});

describe('silver and rejects tables', () => {
  const d = silverTableKind.schema.parse({
    database: 'db',
    schema: 'core',
    dataset: 'orders',
    columns: [
      { name: 'order_id', type: 'NUMBER(38,0)' },
      { name: 'amount', type: 'NUMBER(10,2)' },
    ],
    primaryKey: ['order_id'],
  });
  const created = silverTableKind.plan(undefined, d);
  // As DESC TABLE reports it: canonical types (VARCHAR(16777216), TIMESTAMP_TZ(9)), key flag, comments.
  const described = (t: string) => ({ VARCHAR: 'VARCHAR(16777216)', TIMESTAMP_TZ: 'TIMESTAMP_TZ(9)' })[t] ?? t;
  const live = {
    comment: 'Silver table of dataset orders (typed, deduplicated by primary key)',
    columns: silverTable(silverModel(d)).columns.map((c) => ({
      name: c.name,
      type: described(c.type.snowflake),
      'primary key': c.name === 'ORDER_ID' ? 'Y' : 'N',
      comment: c.comment ?? null,
    })),
  };

  test('GIVEN no table THEN a plain CREATE TABLE of the model (not IF NOT EXISTS, never OR REPLACE)', () => {
    expect(sqlOf(created)[0]).toMatch(/^CREATE TABLE "DB"."CORE"."ORDERS" \(\n {2}"ORDER_ID" NUMBER\(38,0\) NOT NULL,/);
    expect(sqlOf(created)[0]).toContain('PRIMARY KEY ("ORDER_ID")');
  });
  test('GIVEN the live table as DESC TABLE reports it THEN no-op', () => {
    expect(silverTableKind.plan(live, d).steps).toEqual([]);
  });
  test('GIVEN an added column THEN ADD COLUMN IF NOT EXISTS; GIVEN a removed one THEN kept and noted', () => {
    const added = { ...d, columns: [...d.columns, { name: 'note', type: 'VARCHAR' }] };
    expect(sqlOf(silverTableKind.plan(live, added))).toEqual([
      'ALTER TABLE "DB"."CORE"."ORDERS" ADD COLUMN IF NOT EXISTS "NOTE" VARCHAR',
    ]);
    const removed = silverTableKind.plan(live, { ...d, columns: d.columns.slice(0, 1) });
    expect(removed.change).toBe('no-op');
    expect(removed.notes.join()).toMatch(/COLUMN_REMOVED \(not applied\): AMOUNT is no longer in the spec: kept/);
  });
  test('GIVEN a retyped column or a new key THEN refused; a safe widening only with allowWidening', () => {
    const widened = { ...d, columns: [d.columns[0], { name: 'amount', type: 'NUMBER(12,2)' }] };
    expect(() => silverTableKind.plan(live, widened)).toThrow(/COLUMN_RETYPED: .*set allowWidening/);
    expect(sqlOf(silverTableKind.plan(live, { ...widened, allowWidening: true }))).toEqual([
      'ALTER TABLE "DB"."CORE"."ORDERS" ALTER COLUMN "AMOUNT" SET DATA TYPE NUMBER(12,2)',
    ]);
    expect(() => silverTableKind.plan(live, { ...d, primaryKey: ['amount'] })).toThrow(/PRIMARY_KEY_CHANGED/);
  });
  test('GIVEN a rejects table missing a column THEN ADD COLUMN; retyped THEN refused', () => {
    const r = rejectsTableKind.schema.parse({ database: 'db', schema: 'core', dataset: 'orders' });
    expect(sqlOf(rejectsTableKind.plan(undefined, r))[0]).toMatch(/^CREATE TABLE "DB"."CORE"."ORDERS_REJECTS" \(/);
    const cols = [
      { name: 'RECORD', type: 'VARIANT' },
      ...['SOURCE', 'SOURCE_KEY', 'STAGE_FILE', 'REASON', 'DETAIL'].map((name) => ({
        name,
        type: 'VARCHAR(16777216)',
      })),
      ...['SOURCE_ROW', 'STAGE_ROW'].map((name) => ({ name, type: 'NUMBER(38,0)' })),
      ...['RECEIVED_AT', 'LOADED_AT'].map((name) => ({ name, type: 'TIMESTAMP_TZ(9)' })),
    ];
    const state = {
      comment: 'Rows of dataset orders that could not be merged into silver, with the reason.',
      columns: cols,
    };
    // REJECTED_AT missing, and the nullable columns added for cast failures on a table created before them.
    expect(sqlOf(rejectsTableKind.plan(state, r))).toEqual([
      'ALTER TABLE "DB"."CORE"."ORDERS_REJECTS" ADD COLUMN IF NOT EXISTS "REJECTED_AT" TIMESTAMP_TZ',
      'ALTER TABLE "DB"."CORE"."ORDERS_REJECTS" ADD COLUMN IF NOT EXISTS "COLUMN_NAME" VARCHAR',
      'ALTER TABLE "DB"."CORE"."ORDERS_REJECTS" ADD COLUMN IF NOT EXISTS "RAW_VALUE" VARCHAR',
      'ALTER TABLE "DB"."CORE"."ORDERS_REJECTS" ADD COLUMN IF NOT EXISTS "ROW_REJECTED" BOOLEAN',
      `ALTER TABLE "DB"."CORE"."ORDERS_REJECTS" SET COMMENT = 'Rows of dataset orders that could not be merged into silver, and values that could not be cast, with the reason.'`,
    ]);
    const retyped = {
      ...state,
      columns: [...cols.filter((c) => c.name !== 'REASON'), { name: 'REASON', type: 'NUMBER(38,0)' }],
    };
    expect(() => rejectsTableKind.plan(retyped, r)).toThrow(/REASON is NUMBER\(38,0\), expected VARCHAR/);
  });
});

describe('view', () => {
  const d = viewKind.schema.parse({
    database: 'db',
    schema: 'gold',
    name: 'totals',
    query: '-- totals\nSELECT 1 AS n FROM "DB"."CORE"."ORDERS"',
    comment: 'c',
  });
  test('GIVEN no view THEN CREATE VIEW; GIVEN its stored text THEN no-op; GIVEN another query THEN replaced with COPY GRANTS', () => {
    const create = sqlOf(viewKind.plan(undefined, d))[0] as string;
    expect(create).toBe(
      `CREATE VIEW "DB"."GOLD"."TOTALS" COMMENT = 'c' AS\n-- totals\nSELECT 1 AS n FROM "DB"."CORE"."ORDERS"`,
    );
    expect(viewKind.plan({ text: create, comment: 'c' }, d).change).toBe('no-op');
    const replaced = viewKind.plan({ text: create.replace('1 AS n', '2 AS n'), comment: 'c' }, d);
    expect(replaced.change).toBe('replace');
    expect(sqlOf(replaced)[0]).toMatch(/^CREATE OR REPLACE VIEW "DB"."GOLD"."TOTALS" COPY GRANTS COMMENT = 'c' AS/);
  });
  test('GIVEN a query that is not a SELECT THEN the definition is invalid', () => {
    expect(viewKind.schema.safeParse({ ...d, query: 'DROP TABLE x' }).success).toBe(false);
  });
});

describe('reader role', () => {
  const d = readerRoleKind.schema.parse({ name: 'db_reader', database: 'db', schema: 'gold' });
  const full: ReaderRoleState = {
    comment: 'Read-only access to DB.GOLD (managed by the pipeline).',
    grants: new Set(['USAGE ON DATABASE DB', 'USAGE ON SCHEMA DB.GOLD', 'SELECT ON VIEW DB.GOLD.V']),
    futureGrants: new Set(['SELECT ON VIEW']),
    grantedTo: new Set(['SYSADMIN']),
    views: ['DB.GOLD.V'],
  };
  test('GIVEN no role THEN CREATE ROLE and the grants on the database and gold only', () => {
    expect(sqlOf(readerRoleKind.plan(undefined, d))).toEqual([
      `CREATE ROLE "DB_READER" COMMENT = 'Read-only access to DB.GOLD (managed by the pipeline).'`,
      'GRANT USAGE ON DATABASE "DB" TO ROLE "DB_READER"',
      'GRANT USAGE ON SCHEMA "DB"."GOLD" TO ROLE "DB_READER"',
      'GRANT SELECT ON ALL VIEWS IN SCHEMA "DB"."GOLD" TO ROLE "DB_READER"',
      'GRANT SELECT ON FUTURE VIEWS IN SCHEMA "DB"."GOLD" TO ROLE "DB_READER"',
      'GRANT ROLE "DB_READER" TO ROLE "SYSADMIN"',
    ]);
  });
  test('GIVEN every grant held THEN no-op; GIVEN a view without SELECT THEN only the ALL VIEWS grant', () => {
    expect(readerRoleKind.plan(full, d).change).toBe('no-op');
    expect(sqlOf(readerRoleKind.plan({ ...full, views: ['DB.GOLD.V', 'DB.GOLD.W'] }, d))).toEqual([
      'GRANT SELECT ON ALL VIEWS IN SCHEMA "DB"."GOLD" TO ROLE "DB_READER"',
    ]);
  });
  test('GIVEN a configured warehouse THEN the role gets USAGE on it (analysts holding only it can query), once', () => {
    const withWh = readerRoleKind.schema.parse({ ...d, warehouse: 'analyst_wh' });
    expect(sqlOf(readerRoleKind.plan(undefined, withWh)).at(-1)).toBe(
      'GRANT USAGE ON WAREHOUSE "ANALYST_WH" TO ROLE "DB_READER"',
    );
    expect(sqlOf(readerRoleKind.plan(full, withWh))).toEqual([
      'GRANT USAGE ON WAREHOUSE "ANALYST_WH" TO ROLE "DB_READER"',
    ]);
    const held = { ...full, grants: new Set([...full.grants, 'USAGE ON WAREHOUSE ANALYST_WH']) };
    expect(readerRoleKind.plan(held, withWh).change).toBe('no-op');
  });
});

test('GIVEN the registry THEN every data-model kind is registered', () => {
  for (const k of ['stream', 'silver-table', 'rejects-table', 'task', 'view', 'reader-role'])
    expect(getKind(k).kind).toBe(k);
});
