/**
 * Sibling follow-up tasks changed by concurrent invocations, beyond the constructs' ordering (a
 * rollback, two stacks, a hand-run deploy), with the interleavings forced by holding statements in the
 * strict test server (091089 when a graph is altered while its root is not suspended, a child resumed
 * only while its root is suspended): an operator's suspension survives, and a sibling that resumes the
 * shared root in the middle of another's change never leaves that change's task suspended.
 */
import { ROOT, useSiblingGraph } from './sibling-graph';
import type { SiblingChange } from './sibling-graph';

const A = 'INGEST_TEST.CORE.RACE_A';
const B = 'INGEST_TEST.CORE.RACE_B';

const graph = useSiblingGraph(['race_a', 'race_b']);
const { run, task, change } = graph;
const states = () => [ROOT, A, B].map((t) => task(t).state);
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * Runs the Updates of `c`: A's first, held at its `"RACE_A" MODIFY AS` (the root and RACE_A suspended, the
 * change not applied yet) until B's reaches a statement for which `bReached` holds; there A is released and
 * finishes before that statement of B runs. Returns B's response, once A has finished too.
 */
async function aFinishesWhileBWaits(c: SiblingChange, bReached: (sql: string) => boolean) {
  const aHeld = deferred();
  const releaseA = deferred();
  let aFinished: Promise<unknown> = Promise.resolve();
  let heldA = false;
  let ranA = false;
  graph.h.snowflake.beforeStatement = async (sql) => {
    if (!heldA && sql.includes('"RACE_A" MODIFY AS')) {
      heldA = true;
      aHeld.resolve();
      await releaseA.promise;
    } else if (!ranA && bReached(sql)) {
      ranA = true;
      releaseA.resolve();
      await aFinished;
    }
  };
  aFinished = run('Update', c.a, c.oldA);
  await aHeld.promise;
  const outB = await run('Update', c.b, c.oldB);
  await aFinished;
  return outB;
}

describe('GIVEN a graph with two sibling follow-up tasks', () => {
  test('WHEN an operator suspended the root and both siblings are updated concurrently THEN both change and the root stays suspended', async () => {
    task(ROOT).state = 'suspended';
    const c = change('SELECT 11', 'SELECT 22');
    const outs = await Promise.all([run('Update', c.a, c.oldA), run('Update', c.b, c.oldB)]);
    expect(outs.map((o) => o.Data.ChangeKind)).toEqual(['alter', 'alter']);
    expect([task(A).definition, task(B).definition]).toEqual(['SELECT 11', 'SELECT 22']);
    expect(states()).toEqual(['suspended', 'started', 'started']);
    expect(graph.h.snowflake.ddl.filter((s) => s.startsWith(`ALTER TASK "INGEST_TEST"."CORE"."ORDERS_MERGE"`))).toEqual(
      [],
    );
    task(ROOT).state = 'started';
  });

  test('WHEN A holds the root suspended, B changes its task meanwhile, and A resumes the root before B resumes its task THEN B completes and every task ends started', async () => {
    const c = change('SELECT 31', 'SELECT 32');
    // B found the root suspended (A's) and changed RACE_B; A finishes first, then B resumes RACE_B.
    const outB = await aFinishesWhileBWaits(c, (sql) => sql.includes('"RACE_B" RESUME'));
    expect(outB.Data.ChangeKind).toBe('alter');
    expect([task(A).definition, task(B).definition]).toEqual(['SELECT 31', 'SELECT 32']);
    expect(states()).toEqual(['started', 'started', 'started']);
  });

  test('WHEN B suspends its task while A holds the root and A resumes the root before B changes anything THEN B retries and every task ends started', async () => {
    const c = change('SELECT 41', 'SELECT 42');
    // The root runs again once A finished: B's ALTER meets 091089.
    const outB = await aFinishesWhileBWaits(c, (sql) => /"RACE_B" (MODIFY AS|SET|UNSET)/.test(sql));
    expect(outB.Data.ChangeKind).toBe('alter');
    expect(graph.h.snowflake.statements.some((s) => s.includes('"RACE_B" MODIFY AS'))).toBe(true);
    expect([task(A).definition, task(B).definition]).toEqual(['SELECT 41', 'SELECT 42']);
    expect(states()).toEqual(['started', 'started', 'started']);
  });
});
