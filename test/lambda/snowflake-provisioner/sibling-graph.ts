/**
 * A task graph of the orders merge task (the root) and two sibling follow-up tasks after it, created
 * once per test file through the real provider handler against the strict test server, for the
 * task-graph tests: update the siblings' bodies and watch the root and the siblings.
 */
import type { DatasetSpec } from '../../../contracts/config';
import type { ProvisionerResponse } from '../../../lambda/snowflake-provisioner/index';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import type { FollowUpTaskSpec } from '../../../snowflake/model';
import type { TaskEntry } from '../../snowflake/support/model-catalog';
import { useDeployment } from './deployment';
import type { Harness } from './harness';
import { testObjects } from './objects';

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
 * Registers, for the calling file, a {@link useDeployment} of the graph with the siblings `names` (bodies
 * `SELECT 1`, `SELECT 2`), and before each test no statement held.
 */
export function useSiblingGraph(names: readonly [string, string]): SiblingGraph {
  const sibling = (name: string, sql: string): FollowUpTaskSpec => ({ name, after: ['orders'], sql });
  const model = (a: string, b: string) =>
    testObjects([ORDERS], {
      dataModel: { datasets: [ORDERS], goldViews: [], followUpTasks: [sibling(names[0], a), sibling(names[1], b)] },
    });
  let objects = model('SELECT 1', 'SELECT 2');
  const deployment = useDeployment(() => objects.values());
  const graph: SiblingGraph = {
    get h() {
      return deployment.h;
    },
    run: (type, o, old) => deployment.send(type, o, { old }),
    task: (name) => deployment.h.snowflake.catalog.model.tasks.get(name)!,
    change: (a, b) => {
      const before = objects;
      objects = model(a, b);
      const pick = (name: string) =>
        [...objects.values()].find((o) => o.kind === 'task' && o.definition.name === name.toUpperCase())!;
      const [oa, ob] = [pick(names[0]), pick(names[1])];
      return { a: oa, b: ob, oldA: before.get(oa.id)!, oldB: before.get(ob.id)! };
    },
  };
  beforeEach(() => {
    deployment.h.snowflake.beforeStatement = undefined;
  });
  return graph;
}
