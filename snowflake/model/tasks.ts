/**
 * Task definitions: the per-dataset MERGE task (root of its graph), optional follow-up tasks
 * that run AFTER it, CREATE statements, and the suspend → alter → resume plan for updating a graph.
 *
 * Compute: serverless by default (no WAREHOUSE; USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE), or the
 * dataset's configured warehouse. Trigger: when the stream has data (a triggered task has no
 * SCHEDULE; a serverless triggered task sets TARGET_COMPLETION_INTERVAL, per Snowflake's
 * "Triggered tasks" guide), or on the configured SCHEDULE — still guarded by the same WHEN so an
 * empty stream costs nothing.
 */
import { canonicalName, qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectPath } from '../names';
import type { DatasetModel } from './dataset-model';
import { DataModelError } from './errors';
import { mergeTaskBody } from './merge';

export interface TaskDefinition {
  readonly name: ObjectPath;
  /** User-managed warehouse (canonical name); absent → serverless. */
  readonly warehouse?: string;
  /** Serverless: size of the first runs. */
  readonly initialWarehouseSize?: string;
  /** Serverless: target completion interval, e.g. `5 MINUTES`. */
  readonly targetCompletionInterval?: string;
  /** Normalised schedule: `<n> MINUTES|HOURS|SECONDS` or `USING CRON <expr> <tz>`. */
  readonly schedule?: string;
  /** Predecessors (child task). */
  readonly after?: readonly ObjectPath[];
  /** Boolean condition, e.g. SYSTEM$STREAM_HAS_DATA(…). */
  readonly when?: string;
  /** The task body (one statement or an EXECUTE IMMEDIATE block). */
  readonly body: string;
  readonly comment?: string;
  /** Auto-suspend after this many consecutive failed runs. */
  readonly suspendTaskAfterNumFailures?: number;
  /** Session TIMEZONE of the runs (how offset-less TIMESTAMP_TZ/LTZ text is read). */
  readonly timezone?: string;
}

export interface MergeTaskOptions {
  /** Serverless initial size. @default 'XSMALL' */
  readonly initialWarehouseSize?: string;
  /** Serverless triggered tasks: target completion interval. @default '5 MINUTES' */
  readonly targetCompletionInterval?: string;
  /** Consecutive failures before Snowflake suspends the task (the freshness alarm then fires). @default 10 */
  readonly suspendTaskAfterNumFailures?: number;
  /**
   * Session TIMEZONE of the task, so timestamps without an offset are read the same way on every
   * account (Snowflake's account default is America/Los_Angeles). @default 'UTC'
   */
  readonly timezone?: string;
}

const WAREHOUSE_SIZES = ['XSMALL', 'SMALL', 'MEDIUM', 'LARGE', 'XLARGE', 'XXLARGE'];
const INTERVAL = /^(\d{1,5}) (MINUTE|MINUTES|SECOND|SECONDS|HOUR|HOURS)$/i;
const CRON = /^USING CRON [0-9*/,\- A-Za-z_]+$/;

/** `5 MINUTE` → `5 MINUTES`; `USING CRON 0 * * * * UTC` unchanged; anything else is rejected. */
export function normaliseSchedule(schedule: string, where: string): string {
  const m = INTERVAL.exec(schedule.trim());
  if (m) return `${Number(m[1])} ${(m[2] as string).toUpperCase().replace(/S?$/, 'S')}`;
  if (CRON.test(schedule.trim())) return schedule.trim().replace(/\s+/g, ' ');
  throw new DataModelError(
    `${where}: invalid schedule ${JSON.stringify(schedule)} (want "<n> MINUTES" or "USING CRON <expr> <tz>")`,
  );
}

/** The `<DATASET>_MERGE` task: root of the dataset's graph, running the MERGE body. */
export function mergeTaskDefinition(model: DatasetModel, options: MergeTaskOptions = {}): TaskDefinition {
  const where = `datasets.${model.spec.name}.task`;
  const size = options.initialWarehouseSize ?? 'XSMALL';
  if (!WAREHOUSE_SIZES.includes(size))
    throw new DataModelError(`${where}: initialWarehouseSize must be one of ${WAREHOUSE_SIZES.join(', ')}`);
  const interval = options.targetCompletionInterval ?? '5 MINUTES';
  if (!INTERVAL.test(interval))
    throw new DataModelError(`${where}: invalid targetCompletionInterval ${JSON.stringify(interval)}`);
  const failures = options.suspendTaskAfterNumFailures ?? 10;
  if (!Number.isInteger(failures) || failures < 0)
    throw new DataModelError(`${where}: suspendTaskAfterNumFailures must be an integer ≥ 0`);
  const timezone = options.timezone ?? 'UTC';
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone))
    throw new DataModelError(
      `${where}: invalid timezone ${JSON.stringify(timezone)} (an IANA name like UTC or Europe/Oslo)`,
    );
  const warehouse = model.spec.task?.warehouse
    ? canonicalName(model.spec.task.warehouse, `${where}.warehouse`)
    : undefined;
  const schedule = model.spec.task?.schedule
    ? normaliseSchedule(model.spec.task.schedule, `${where}.schedule`)
    : undefined;
  return {
    name: model.objects.task,
    warehouse,
    initialWarehouseSize: warehouse ? undefined : size,
    targetCompletionInterval:
      warehouse || schedule ? undefined : normaliseSchedule(interval, `${where}.targetCompletionInterval`),
    schedule,
    when: `SYSTEM$STREAM_HAS_DATA(${stringLiteral(qualifiedName(...model.objects.stream))})`,
    body: mergeTaskBody(model),
    comment: `Merges new rows of ${model.spec.name} from the bronze stream into silver (managed by the pipeline).`,
    suspendTaskAfterNumFailures: failures,
    timezone,
  };
}

/**
 * `CREATE TASK …` (a new task; the provisioner changes an existing one with ALTER TASK, see
 * snowflake/tasks/alter-task.ts). OVERLAP_POLICY (which replaces the deprecated
 * ALLOW_OVERLAPPING_EXECUTION) is a graph setting, given on the root only.
 */
export function createTaskStatement(def: TaskDefinition): string {
  const lines = [`CREATE TASK ${qualifiedName(...def.name)}`];
  if (def.warehouse) lines.push(`  WAREHOUSE = ${quoteIdentifier(def.warehouse)}`);
  if (def.initialWarehouseSize)
    lines.push(`  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = ${stringLiteral(def.initialWarehouseSize)}`);
  if (def.targetCompletionInterval)
    lines.push(`  TARGET_COMPLETION_INTERVAL = ${stringLiteral(def.targetCompletionInterval)}`);
  if (def.schedule) lines.push(`  SCHEDULE = ${stringLiteral(def.schedule)}`);
  if (!def.after?.length) lines.push('  OVERLAP_POLICY = NO_OVERLAP');
  if (def.suspendTaskAfterNumFailures !== undefined)
    lines.push(`  SUSPEND_TASK_AFTER_NUM_FAILURES = ${def.suspendTaskAfterNumFailures}`);
  if (def.timezone) lines.push(`  TIMEZONE = ${stringLiteral(def.timezone)}`);
  if (def.comment) lines.push(`  COMMENT = ${stringLiteral(def.comment)}`);
  if (def.after?.length) lines.push(`  AFTER ${def.after.map((a) => qualifiedName(...a)).join(', ')}`);
  if (def.when) lines.push(`  WHEN ${def.when}`);
  lines.push(`AS\n${def.body}`);
  return lines.join('\n');
}

/** A task graph: its root and every child with its predecessors. */
export interface TaskGraph {
  readonly root: ObjectPath;
  readonly children: readonly { readonly name: ObjectPath; readonly after: readonly ObjectPath[] }[];
}

export interface TaskGraphUpdatePlan {
  /** Run first: suspend the root (children of a suspended root do not run). */
  readonly suspend: readonly string[];
  /** The changes (CREATE OR ALTER TASK, DROP TASK of removed children…), in order. */
  readonly apply: readonly string[];
  /** Run last: resume every child (deepest first), then the root. */
  readonly resume: readonly string[];
  /**
   * Run when a step of `apply` fails: the same resumes, so the graph is never left suspended
   * silently; the provisioner then reports the failure (the update is rolled back by CloudFormation).
   */
  readonly restoreOnError: readonly string[];
}

const key = (p: ObjectPath) => p.join('.');

/**
 * Plans an update of a task graph: suspend root → apply → resume children (deepest first) → resume root.
 * Pure: the provisioner executes the statements. Throws when a child's predecessor is not in the graph.
 */
export function planTaskGraphUpdate(graph: TaskGraph, apply: readonly string[]): TaskGraphUpdatePlan {
  const depth = new Map<string, number>([[key(graph.root), 0]]);
  const pending = [...graph.children];
  while (pending.length) {
    const i = pending.findIndex((c) => c.after.every((a) => depth.has(key(a))));
    if (i < 0) {
      const c = pending[0] as (typeof pending)[number];
      throw new DataModelError(
        `task ${key(c.name)}: predecessor(s) ${c.after
          .filter((a) => !depth.has(key(a)))
          .map(key)
          .join(', ')} are not in the graph of ${key(graph.root)} (or form a cycle)`,
      );
    }
    const [c] = pending.splice(i, 1) as [(typeof pending)[number]];
    depth.set(key(c.name), 1 + Math.max(...c.after.map((a) => depth.get(key(a)) as number)));
  }
  const children = graph.children
    .map((c, i) => ({ c, i, d: depth.get(key(c.name)) as number }))
    .sort((a, b) => b.d - a.d || a.i - b.i)
    .map(({ c }) => `ALTER TASK ${qualifiedName(...c.name)} RESUME`);
  const resume = [...children, `ALTER TASK ${qualifiedName(...graph.root)} RESUME`];
  return {
    suspend: [`ALTER TASK ${qualifiedName(...graph.root)} SUSPEND`],
    apply: [...apply],
    resume,
    restoreOnError: resume,
  };
}
