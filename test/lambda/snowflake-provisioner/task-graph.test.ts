/**
 * Concurrent changes to one task graph against the strict test server (091089 for a task altered
 * while its root runs, a child altered only while suspended): two sibling follow-up tasks updated at
 * once, and a sibling that resumes the shared root in the middle of another's change.
 */
import { ROOT, useSiblingGraph } from './sibling-graph';

const graph = useSiblingGraph(['snap_a', 'snap_b']);
const { run, task, change } = graph;

describe('GIVEN a running graph with two sibling follow-up tasks', () => {
  test('WHEN the sibling resumes the shared root in the middle of a change (091089) THEN the change is undone, retried by the provider, and completes; the graph ends running', async () => {
    const c = change('SELECT 10', 'SELECT 2');
    let resumedBySibling = false;
    graph.h.snowflake.beforeStatement = (sql) => {
      if (!resumedBySibling && /MODIFY AS/.test(sql)) {
        resumedBySibling = true;
        task(ROOT).state = 'started'; // the sibling's invocation finished and resumed the root
      }
    };
    const out = await run('Update', c.a, c.oldA);
    expect(out.Data.ChangeKind).toBe('alter');
    expect(graph.h.snowflake.statements.some((s) => /MODIFY AS/.test(s))).toBe(true);
    // The first attempt suspended the root and failed with 091089; its undo suspended the root again
    // to resume the child, then resumed the root; the second attempt suspended it once more.
    expect(
      graph.h.snowflake.ddl.filter((s) => s === `ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE" SUSPEND`),
    ).toHaveLength(3);
    expect(task('INGEST_TEST.CORE.SNAP_A')).toMatchObject({ definition: 'SELECT 10', state: 'started' });
    expect(task(ROOT).state).toBe('started');
  });

  test('WHEN both siblings are updated concurrently THEN neither deploy fails and the graph ends running with both changes', async () => {
    const c = change('SELECT 11', 'SELECT 22');
    const outs = await Promise.all([run('Update', c.a, c.oldA), run('Update', c.b, c.oldB)]);
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
    const c = change('SELECT 12', 'SELECT 22');
    await run('Update', c.a, c.oldA);
    expect(task(ROOT).state).toBe('suspended');
    // No statement of its own touches the root (the child's resume block checks its state first).
    expect(graph.h.snowflake.ddl.filter((s) => s.startsWith('ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE"'))).toEqual(
      [],
    );
    task(ROOT).state = 'started';
  });
});
