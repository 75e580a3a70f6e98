/**
 * A task graph of the orders merge task (the root) and two sibling follow-up tasks after it, created
 * once per test file through the real provider handler against the strict test server, for the
 * task-graph tests: update the siblings' bodies and watch the root and the siblings.
 */
import type { DatasetSpec } from '../../../contracts/config';
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import type { ProvisionerResponse } from '../../../lambda/snowflake-provisioner/index';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import type { FollowUpTaskSpec } from '../../../snowflake/model';
import type { TaskEntry } from '../../snowflake/support/model-catalog';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props, testObjects } from './objects';

const ORDERS: DatasetSpec = {
  name: 'orders',
  format: 'json',
  columns: [{ name: 'order_id', type: 'NUMBER(38,0)' }],
  primaryKey: ['order_id'],
};

/** The graph's root: the orders merge task. */
export const ROOT = 'INGEST_TEST.CORE.ORDERS_MERGE';

/** The Update of both siblings to new bodies: each sibling's new object and its old version. */
export interface SiblingChange {
  readonly a: IngestionObject;
  readonly b: IngestionObject;
  readonly oldA: IngestionObject;
  readonly oldB: IngestionObject;
}

export interface SiblingGraph {
  /** The harness of the running file (set in its beforeAll). */
  readonly h: Harness;
  /** Sends a Create or Update of `o` (an Update with its old version) to the provider handler. */
  readonly run: (type: 'Create' | 'Update', o: IngestionObject, old?: IngestionObject) => Promise<ProvisionerResponse>;
  /** The test server's task of that fully qualified name. */
  readonly task: (name: string) => TaskEntry;
  /** Gives the siblings the bodies `a` and `b` (the objects of the next Update). */
  readonly change: (a: string, b: string) => SiblingChange;
}

/**
 * Registers, for the calling file: before all tests, the harness and every object of the graph created with
 * the siblings `names` (bodies `SELECT 1`, `SELECT 2`); after all, the harness stopped; before each test, the
 * statement log cleared and no statement held.
 */
export function useSiblingGraph(names: readonly [string, string]): SiblingGraph {
  const sibling = (name: string, sql: string): FollowUpTaskSpec => ({ name, after: ['orders'], sql });
  const model = (a: string, b: string) =>
    testObjects([ORDERS], {
      dataModel: { datasets: [ORDERS], goldViews: [], followUpTasks: [sibling(names[0], a), sibling(names[1], b)] },
    });
  // Silence the handler's logger, created below before the harness would set this.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const handler = createHandler({ session: { attempts: 1 }, apply: { sleep: async () => undefined } });
  const physical: Record<string, string> = {};
  let objects = model('SELECT 1', 'SELECT 2');
  let h: Harness | undefined;
  const harness = (): Harness => {
    if (!h) throw new Error('the sibling graph was used outside its tests (no harness yet)');
    return h;
  };

  const graph: SiblingGraph = {
    get h() {
      return harness();
    },
    run: (type, o, old) =>
      handler(
        cfnEvent(
          type,
          o.id,
          props(harness().connection, o),
          type === 'Create' ? undefined : physical[o.id],
          old ? props(harness().connection, old) : undefined,
        ),
      ),
    task: (name) => harness().snowflake.catalog.model.tasks.get(name)!,
    change: (a, b) => {
      const before = objects;
      objects = model(a, b);
      const pick = (name: string) =>
        [...objects.values()].find((o) => o.kind === 'task' && o.definition.name === name.toUpperCase())!;
      const [oa, ob] = [pick(names[0]), pick(names[1])];
      return { a: oa, b: ob, oldA: before.get(oa.id)!, oldB: before.get(ob.id)! };
    },
  };

  beforeAll(async () => {
    h = await startHarness();
    for (const o of objects.values()) physical[o.id] = (await graph.run('Create', o)).PhysicalResourceId;
  });
  afterAll(() => h?.stop());
  beforeEach(() => {
    harness().snowflake.clearLog();
    harness().snowflake.beforeStatement = undefined;
  });
  return graph;
}
