/**
 * Concurrent changes to one task graph against the strict test server (091089 for a task altered
 * while its root runs, a child altered only while suspended): two sibling follow-up tasks updated at
 * once, and a sibling that resumes the shared root in the middle of another's change.
 */
import type { DatasetSpec } from '../../../contracts/config';
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import type { FollowUpTaskSpec } from '../../../snowflake/model';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

const ORDERS: DatasetSpec = {
  name: 'orders',
  format: 'json',
  columns: [{ name: 'order_id', type: 'NUMBER(38,0)' }],
  primaryKey: ['order_id'],
};
const sibling = (name: string, sql: string): FollowUpTaskSpec => ({ name, after: ['orders'], sql });
const model = (a: string, b: string) =>
  testObjects([ORDERS], {
    dataModel: {
      datasets: [ORDERS],
      goldViews: [],
      followUpTasks: [sibling('snap_a', a), sibling('snap_b', b)],
    },
  });
const ROOT = 'INGEST_TEST.CORE.ORDERS_MERGE';

// Silence the handler's logger, created below before the harness would set this.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

let h: Harness;
let objects = model('SELECT 1', 'SELECT 2');
const handler = createHandler({ session: { attempts: 1 }, apply: { sleep: async () => undefined } });
const run = (type: 'Create' | 'Update', o: IngestionObject, old?: IngestionObject) =>
  handler(
    cfnEvent(
      type,
      o.id,
      props(h.connection, o),
      type === 'Create' ? undefined : o.id.endsWith('Schema') ? o.id : physical[o.id],
      old ? props(h.connection, old) : undefined,
    ),
  );
const physical: Record<string, string> = {};
const task = (name: string) => h.snowflake.catalog.model.tasks.get(name)!;
const ids = () => [...objects.values()].filter((o) => o.kind === 'task' && o.id !== 'OrdersMergeTask');

beforeAll(async () => {
  h = await startHarness();
  for (const o of objects.values()) physical[o.id] = (await run('Create', o)).PhysicalResourceId;
});
afterAll(() => h.stop());
beforeEach(() => {
  h.snowflake.clearLog();
  h.snowflake.beforeStatement = undefined;
});

describe('GIVEN a running graph with two sibling follow-up tasks', () => {
  test('WHEN the sibling resumes the shared root in the middle of a change (091089) THEN the change is undone, retried by the provider, and completes; the graph ends running', async () => {
    const before = objects;
    objects = model('SELECT 10', 'SELECT 2');
    const [a] = ids();
    let resumedBySibling = false;
    h.snowflake.beforeStatement = (sql) => {
      if (!resumedBySibling && /MODIFY AS/.test(sql)) {
        resumedBySibling = true;
        task(ROOT).state = 'started'; // the sibling's invocation finished and resumed the root
      }
    };
    const out = await run('Update', a!, before.get(a!.id));
    expect(out.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.statements.some((s) => /MODIFY AS/.test(s))).toBe(true);
    // The first attempt suspended the root and failed with 091089; its undo suspended the root again
    // to resume the child, then resumed the root; the second attempt suspended it once more.
    expect(h.snowflake.ddl.filter((s) => s === `ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE" SUSPEND`)).toHaveLength(
      3,
    );
    expect(task('INGEST_TEST.CORE.SNAP_A')).toMatchObject({ definition: 'SELECT 10', state: 'started' });
    expect(task(ROOT).state).toBe('started');
  });

  test('WHEN both siblings are updated concurrently THEN neither deploy fails and the graph ends running with both changes', async () => {
    const before = objects;
    objects = model('SELECT 11', 'SELECT 22');
    const [a, b] = ids();
    const outs = await Promise.all([run('Update', a!, before.get(a!.id)), run('Update', b!, before.get(b!.id))]);
    expect(outs.map((o) => o.Data.ChangeKind)).toEqual(['alter', 'alter']);
    expect(task('INGEST_TEST.CORE.SNAP_A').definition).toBe('SELECT 11');
    expect(task('INGEST_TEST.CORE.SNAP_B').definition).toBe('SELECT 22');
    expect([task(ROOT).state, task('INGEST_TEST.CORE.SNAP_A').state, task('INGEST_TEST.CORE.SNAP_B').state]).toEqual([
      'started',
      'started',
      'started',
    ]);
  });

  test('WHEN an operator suspended the root THEN a change leaves the graph suspended', async () => {
    task(ROOT).state = 'suspended';
    const before = objects;
    objects = model('SELECT 12', 'SELECT 22');
    const [a] = ids();
    await run('Update', a!, before.get(a!.id));
    expect(task(ROOT).state).toBe('suspended');
    // No statement of its own touches the root (the child's resume block checks its state first).
    expect(h.snowflake.ddl.filter((s) => s.startsWith('ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE"'))).toEqual([]);
    task(ROOT).state = 'started';
  });
});
