/**
 * Sibling follow-up tasks changed by concurrent invocations, beyond the constructs' ordering (a
 * rollback, two stacks, a hand-run deploy), with the interleavings forced by holding statements in the
 * strict test server (091089 when a graph is altered while its root is not suspended, a child resumed
 * only while its root is suspended): an operator's suspension survives, and a sibling that resumes the
 * shared root in the middle of another's change never leaves that change's task suspended.
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
    dataModel: { datasets: [ORDERS], goldViews: [], followUpTasks: [sibling('race_a', a), sibling('race_b', b)] },
  });
const ROOT = 'INGEST_TEST.CORE.ORDERS_MERGE';
const A = 'INGEST_TEST.CORE.RACE_A';
const B = 'INGEST_TEST.CORE.RACE_B';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

let h: Harness;
let objects = model('SELECT 1', 'SELECT 2');
const handler = createHandler({ session: { attempts: 1 }, apply: { sleep: async () => undefined } });
const physical: Record<string, string> = {};
const run = (type: 'Create' | 'Update', o: IngestionObject, old?: IngestionObject) =>
  handler(
    cfnEvent(
      type,
      o.id,
      props(h.connection, o),
      type === 'Create' ? undefined : physical[o.id],
      old ? props(h.connection, old) : undefined,
    ),
  );
const task = (name: string) => h.snowflake.catalog.model.tasks.get(name)!;
const states = () => [ROOT, A, B].map((t) => task(t).state);
/** Updates both siblings to new bodies; returns the two Update calls' objects (a, b) and their old versions. */
function change(a: string, b: string) {
  const before = objects;
  objects = model(a, b);
  const pick = (name: string) => [...objects.values()].find((o) => o.kind === 'task' && o.definition.name === name)!;
  const [oa, ob] = [pick('RACE_A'), pick('RACE_B')];
  return { a: oa, b: ob, oldA: before.get(oa.id)!, oldB: before.get(ob.id)! };
}
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

beforeAll(async () => {
  h = await startHarness();
  for (const o of objects.values()) physical[o.id] = (await run('Create', o)).PhysicalResourceId;
});
afterAll(() => h.stop());
beforeEach(() => {
  h.snowflake.clearLog();
  h.snowflake.beforeStatement = undefined;
});

describe('GIVEN a graph with two sibling follow-up tasks', () => {
  test('WHEN an operator suspended the root and both siblings are updated concurrently THEN both change and the root stays suspended', async () => {
    task(ROOT).state = 'suspended';
    const c = change('SELECT 11', 'SELECT 22');
    const outs = await Promise.all([run('Update', c.a, c.oldA), run('Update', c.b, c.oldB)]);
    expect(outs.map((o) => o.Data.ChangeKind)).toEqual(['alter', 'alter']);
    expect([task(A).definition, task(B).definition]).toEqual(['SELECT 11', 'SELECT 22']);
    expect(states()).toEqual(['suspended', 'started', 'started']);
    expect(h.snowflake.ddl.filter((s) => s.startsWith(`ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE"`))).toEqual([]);
    task(ROOT).state = 'started';
  });

  test('WHEN A holds the root suspended, B changes its task meanwhile, and A resumes the root before B resumes its task THEN B completes and every task ends started', async () => {
    const c = change('SELECT 31', 'SELECT 32');
    const aHeld = deferred();
    const releaseA = deferred();
    let aFinished: Promise<unknown> = Promise.resolve();
    let heldA = false;
    let ranA = false;
    h.snowflake.beforeStatement = async (sql) => {
      if (!heldA && sql.includes('"RACE_A" MODIFY AS')) {
        heldA = true;
        aHeld.resolve();
        await releaseA.promise; // A: root and RACE_A suspended, change not applied yet
      } else if (!ranA && sql.includes('"RACE_B" RESUME')) {
        ranA = true; // B: found the root suspended (A's), changed RACE_B; now A finishes first
        releaseA.resolve();
        await aFinished;
      }
    };
    aFinished = run('Update', c.a, c.oldA);
    await aHeld.promise;
    const outB = await run('Update', c.b, c.oldB);
    await aFinished;
    expect(outB.Data.ChangeKind).toBe('alter');
    expect([task(A).definition, task(B).definition]).toEqual(['SELECT 31', 'SELECT 32']);
    expect(states()).toEqual(['started', 'started', 'started']);
  });

  test('WHEN B suspends its task while A holds the root and A resumes the root before B changes anything THEN B retries and every task ends started', async () => {
    const c = change('SELECT 41', 'SELECT 42');
    const aHeld = deferred();
    const releaseA = deferred();
    let aFinished: Promise<unknown> = Promise.resolve();
    let heldA = false;
    let ranA = false;
    h.snowflake.beforeStatement = async (sql) => {
      if (!heldA && sql.includes('"RACE_A" MODIFY AS')) {
        heldA = true;
        aHeld.resolve();
        await releaseA.promise;
      } else if (!ranA && /"RACE_B" (MODIFY AS|SET|UNSET)/.test(sql)) {
        ranA = true;
        releaseA.resolve();
        await aFinished; // the root now runs again: B's ALTER meets 091089
      }
    };
    aFinished = run('Update', c.a, c.oldA);
    await aHeld.promise;
    const outB = await run('Update', c.b, c.oldB);
    await aFinished;
    expect(outB.Data.ChangeKind).toBe('alter');
    expect(h.snowflake.statements.some((s) => s.includes('"RACE_B" MODIFY AS'))).toBe(true);
    expect([task(A).definition, task(B).definition]).toEqual(['SELECT 41', 'SELECT 42']);
    expect(states()).toEqual(['started', 'started', 'started']);
  });
});
