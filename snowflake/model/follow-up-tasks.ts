/**
 * Follow-up tasks: user SQL that runs AFTER a dataset's MERGE task (or after another follow-up),
 * forming one task graph per dataset. Defined in `snowflake/tasks/<name>.sql` or in config.
 *
 * File format — header comments, then the body (one statement, or an EXECUTE IMMEDIATE block):
 *
 *     -- after: listings                (dataset names and/or follow-up task names, comma-separated)
 *     -- warehouse: REPORTING_WH        (optional; default: the root dataset task's compute)
 *     -- comment: Refresh the price snapshot   (optional)
 *     INSERT INTO core.listing_price_history SELECT … FROM core.listings;
 *
 * The task is created as `CORE.<NAME>` and runs with the task's database and schema as context.
 */
import { IDENTIFIER_PATTERN } from '../../contracts/config';
import { canonicalName } from '../identifiers';
import type { ObjectPath, SchemaNames } from '../names';
import type { DatasetModel } from './dataset-model';
import { SqlFileError } from './errors';
import { topologicalOrder } from './graph';
import type { TaskDefinition, TaskGraph } from './tasks';

export interface FollowUpTaskSpec {
  /** Task name (lower snake case): the task is `CORE.<NAME>`. */
  readonly name: string;
  /** Dataset names (their MERGE task) and/or other follow-up task names. */
  readonly after: readonly string[];
  /** Task body. */
  readonly sql: string;
  readonly warehouse?: string;
  readonly comment?: string;
  /** Where it was defined (file path or `config`), for error messages. */
  readonly source?: string;
}

const HEADER = /^--\s*(after|warehouse|comment)\s*:\s*(.*?)\s*$/i;

/** Parses one `snowflake/tasks/<name>.sql` file. */
export function parseFollowUpTaskFile(file: string, text: string): FollowUpTaskSpec {
  const base = file.replace(/^.*[\\/]/, '').replace(/\.sql$/, '');
  if (!IDENTIFIER_PATTERN.test(base))
    throw new SqlFileError(file, `file name must match ${IDENTIFIER_PATTERN.source}.sql`);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const m = HEADER.exec(line);
    if (m) header[(m[1] as string).toLowerCase()] = m[2] as string;
    else if (!line.startsWith('--')) break;
  }
  const sql = lines.slice(i).join('\n').trim().replace(/;\s*$/, '');
  if (!sql) throw new SqlFileError(file, 'has no SQL body');
  const after = (header.after ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (after.length === 0) throw new SqlFileError(file, 'needs a "-- after: <dataset or task>" header');
  return {
    name: base,
    after,
    sql,
    warehouse: header.warehouse || undefined,
    comment: header.comment || undefined,
    source: file,
  };
}

export interface FollowUpPlan {
  /** Child task definitions in dependency order. */
  readonly tasks: readonly TaskDefinition[];
  /** One graph per dataset that has follow-ups (root: the dataset's MERGE task). */
  readonly graphs: readonly TaskGraph[];
}

/**
 * Resolves follow-up tasks against the datasets: validates names and predecessors, rejects
 * cycles and tasks that would join two graphs (a task graph has exactly one root).
 */
export function planFollowUpTasks(
  specs: readonly FollowUpTaskSpec[],
  models: readonly DatasetModel[],
  schemas: SchemaNames,
): FollowUpPlan {
  const datasets = new Map(models.map((m) => [m.spec.name, m]));
  const byName = new Map<string, FollowUpTaskSpec>();
  const reserved = new Set(models.flatMap((m) => [m.objects.task[2], m.objects.silver[2], m.objects.rejects[2]]));
  for (const s of specs) {
    const where = s.source ?? `task ${s.name}`;
    if (!IDENTIFIER_PATTERN.test(s.name))
      throw new SqlFileError(where, `task name must match ${IDENTIFIER_PATTERN.source}`);
    if (byName.has(s.name)) throw new SqlFileError(where, `duplicate follow-up task "${s.name}"`);
    if (datasets.has(s.name) || reserved.has(s.name.toUpperCase()))
      throw new SqlFileError(where, `task name "${s.name}" collides with a dataset object in the core schema`);
    for (const a of s.after)
      if (!datasets.has(a) && !specs.some((o) => o.name === a))
        throw new SqlFileError(where, `after: unknown dataset or task "${a}"`);
    byName.set(s.name, s);
  }
  const order = topologicalOrder(
    new Map(specs.map((s) => [s.name, s.after.filter((a) => !datasets.has(a))])),
    'follow-up tasks',
  );
  const rootOf = new Map<string, string>();
  const path = (name: string): ObjectPath => {
    const m = datasets.get(name);
    return m ? m.objects.task : [schemas.database, schemas.core, canonicalName(name, 'task name')];
  };
  const tasks: TaskDefinition[] = [];
  const children = new Map<string, { name: ObjectPath; after: ObjectPath[] }[]>();
  for (const name of order) {
    const s = byName.get(name) as FollowUpTaskSpec;
    const roots = new Set(s.after.map((a) => (datasets.has(a) ? a : (rootOf.get(a) as string))));
    if (roots.size !== 1)
      throw new SqlFileError(
        s.source ?? `task ${name}`,
        `after: predecessors belong to different task graphs (${[...roots].join(', ')}); a graph has one root`,
      );
    const root = [...roots][0] as string;
    rootOf.set(name, root);
    const rootModel = datasets.get(root) as DatasetModel;
    const warehouse = s.warehouse ?? rootModel.spec.task?.warehouse;
    const after = s.after.map(path);
    tasks.push({
      name: path(name),
      warehouse: warehouse ? canonicalName(warehouse, `${s.source ?? name} warehouse`) : undefined,
      initialWarehouseSize: warehouse ? undefined : 'XSMALL',
      after,
      body: s.sql,
      comment: s.comment ?? `Follow-up of ${s.after.join(', ')} (managed by the pipeline).`,
    });
    children.set(root, [...(children.get(root) ?? []), { name: path(name), after }]);
  }
  const graphs = [...children].map(([root, c]) => ({
    root: (datasets.get(root) as DatasetModel).objects.task,
    children: c,
  }));
  return { tasks, graphs };
}
