/**
 * Task: a dataset's MERGE task (the root of its graph) or a follow-up task running AFTER it. A new
 * task is created by the data model's createTaskStatement (snowflake/model/tasks.ts); an existing
 * one is changed with ALTER TASK SET / UNSET / MODIFY AS / MODIFY WHEN / ADD|REMOVE AFTER
 * (snowflake/tasks/alter-task.ts), never CREATE OR ALTER.
 *
 * Task graph rule: the root is suspended before a task of its graph changes, and the task itself
 * too (Snowflake requires a child to be suspended before it is altered); the change is applied,
 * then the task and finally the root are resumed (children before root). Each resume is the undo of
 * its suspension, so a failure on the way restores the graph's earlier state and the error says so.
 * Tasks that were suspended before (by an operator, or by Snowflake after repeated failures) are left
 * suspended. One change to a graph at a time: the constructs order every task of a graph after the
 * previous one (CloudFormation never updates two of them at once), and a change that still meets a
 * started root (Snowflake error 091089) is undone and retried by the provider.
 *
 * No-op detection: SHOW TASKS shows the body but not every parameter (compute size, timezone…), so the
 * rendered statement's SHA-256 is kept in the task comment (`[definition <hash>]`); a task whose body
 * and fingerprint match the definition is left alone (no DDL).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { qualifiedName, quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectPath } from '../names';
import { createTaskStatement } from '../model/tasks';
import type { TaskDefinition as ModelTaskDefinition } from '../model/tasks';
import { UnsafeChangeError } from '../engine/errors';
import type { ObjectKind, Plan, SqlSession, Step } from '../engine/types';
import { alterTaskStatements, taskParameters } from '../tasks/alter-task';
import type { TaskShape } from '../tasks/alter-task';
import { cfnInteger, comment, exactRow, identifier, objectRef, showInSchema } from '../engine/values';

const INTERVAL = /^\d{1,5} (SECONDS|MINUTES|HOURS)$/;
const SCHEDULE = /^(\d{1,5} (SECONDS|MINUTES|HOURS)|USING CRON [0-9*/,\- A-Za-z_]+)$/;

export const taskDefinition = z
  .object({
    database: identifier,
    schema: identifier,
    name: identifier,
    /** Root of this task's graph (DATABASE.SCHEMA.NAME); absent for a root task. */
    root: objectRef.optional(),
    /** Predecessors (DATABASE.SCHEMA.NAME); a child task only. */
    after: z.array(objectRef).optional(),
    /** User-managed warehouse; absent → serverless. */
    warehouse: identifier.optional(),
    /** Serverless: size of the first runs. */
    initialWarehouseSize: z.enum(['XSMALL', 'SMALL', 'MEDIUM', 'LARGE', 'XLARGE', 'XXLARGE']).optional(),
    /** Serverless triggered task: e.g. `5 MINUTES`. */
    targetCompletionInterval: z.string().regex(INTERVAL, 'must be "<n> MINUTES" (or SECONDS, HOURS)').optional(),
    /** `<n> MINUTES` or `USING CRON <expr> <tz>`; absent → triggered by the stream. */
    schedule: z.string().regex(SCHEDULE, 'must be "<n> MINUTES" or "USING CRON <expr> <tz>"').optional(),
    /** Runs only when this stream (DATABASE.SCHEMA.NAME) has data: WHEN SYSTEM$STREAM_HAS_DATA(…). */
    whenStreamHasData: objectRef.optional(),
    /** The task body: one statement or an EXECUTE IMMEDIATE block. */
    body: z.string().min(1, 'must not be empty').max(100_000, 'must be at most 100000 characters'),
    suspendTaskAfterNumFailures: cfnInteger.optional(),
    timezone: z
      .string()
      .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone like UTC')
      .optional(),
    /** Notification integration for failed runs. @default none */
    errorIntegration: identifier.optional(),
    comment,
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.root && !d.after?.length)
      ctx.addIssue({ code: 'custom', path: ['after'], message: 'a child task (root set) needs predecessors' });
    if (!d.root && d.after?.length)
      ctx.addIssue({ code: 'custom', path: ['root'], message: 'a task with predecessors must name its graph root' });
    if (d.warehouse && (d.initialWarehouseSize || d.targetCompletionInterval))
      ctx.addIssue({ code: 'custom', path: ['warehouse'], message: 'a warehouse task takes no serverless options' });
  });
export type TaskDefinition = z.infer<typeof taskDefinition>;

export type TaskRunState = 'started' | 'suspended';

export interface TaskState {
  readonly state: TaskRunState;
  readonly definition: string;
  readonly comment: string | null;
  /** Fingerprint found in the comment, if any. */
  readonly fingerprint: string | null;
  /** State of the graph root (child tasks): `absent` when it does not exist. */
  readonly root?: TaskRunState | 'absent';
  /** The WHEN condition as SHOW TASKS reports it. */
  readonly condition?: string | null;
  /** Predecessors as quoted qualified names (SHOW TASKS `predecessors`). */
  readonly predecessors?: readonly string[];
}

const path = (ref: string): ObjectPath => ref.split('.') as unknown as ObjectPath;
const fqn = (d: TaskDefinition) => qualifiedName(d.database, d.schema, d.name);
const rootRef = (d: TaskDefinition) => d.root ?? `${d.database}.${d.schema}.${d.name}`;
const FINGERPRINT = /\s*\[definition ([0-9a-f]{16})\]$/;
const normalize = (sql: string) => sql.replace(/\s+/g, ' ').trim();

function modelDefinition(d: TaskDefinition, commentText: string | undefined): ModelTaskDefinition {
  return {
    name: [d.database, d.schema, d.name],
    warehouse: d.warehouse,
    initialWarehouseSize: d.initialWarehouseSize,
    targetCompletionInterval: d.targetCompletionInterval,
    schedule: d.schedule,
    after: d.after?.map(path),
    when: d.whenStreamHasData
      ? `SYSTEM$STREAM_HAS_DATA(${stringLiteral(qualifiedName(...path(d.whenStreamHasData)))})`
      : undefined,
    body: d.body,
    comment: commentText,
    suspendTaskAfterNumFailures: d.suspendTaskAfterNumFailures,
    timezone: d.timezone,
  };
}

/** SHA-256 (16 hex) of everything the statement sets except the comment. */
export function taskFingerprint(d: TaskDefinition): string {
  const sql = `${createTaskStatement(modelDefinition(d, undefined))}|${d.errorIntegration ?? ''}`;
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

const commentText = (d: TaskDefinition) => `${d.comment ? `${d.comment} ` : ''}[definition ${taskFingerprint(d)}]`;

/** `CREATE TASK …` with the fingerprint in the comment and the error integration, if any. */
export function renderTask(d: TaskDefinition): string {
  const lines = createTaskStatement(modelDefinition(d, commentText(d))).split('\n');
  if (d.errorIntegration) lines.splice(1, 0, `  ERROR_INTEGRATION = ${quoteIdentifier(d.errorIntegration)}`);
  return lines.join('\n');
}

/** What an existing task must look like, for alterTaskStatements. */
function shapeOf(d: TaskDefinition): TaskShape {
  const model = modelDefinition(d, commentText(d));
  return {
    body: d.body,
    when: model.when,
    after: (d.after ?? []).map((a) => qualifiedName(...path(a))),
    parameters: parametersOf(d),
    comment: commentText(d),
  };
}

const parametersOf = (d: TaskDefinition) => taskParameters({ ...d, isRoot: !d.root });

/** SHOW TASKS `predecessors`: a JSON array of quoted names (older releases: comma-separated). */
function parsePredecessors(text: string | null | undefined): string[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // not JSON
  }
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

async function taskRow(session: SqlSession, ref: string) {
  const [database, schema, name] = path(ref);
  return exactRow(await session.query(showInSchema('TASKS', database, schema, name)), name);
}

const runState = (v: string | null | undefined): TaskRunState =>
  String(v ?? '').toLowerCase() === 'started' ? 'started' : 'suspended';

/**
 * A script that runs `statement` (one statement, without its `;`) in the graph of root `rootPath`: a root that
 * runs is suspended for it and resumed after it (Snowflake changes a child only while its root is suspended);
 * a suspended root stays suspended. With `resumeOnError`, a root that ran is resumed too when the statement
 * fails, and the error is raised again.
 */
function withRootSuspended(rootPath: string, statement: string, resumeOnError = false): string {
  const [db, schema, name] = path(rootPath);
  const root = qualifiedName(db, schema, name);
  const ifStarted = (sql: string, indent = '  ') =>
    `${indent}IF (root_started) THEN\n${indent}  ${sql};\n${indent}END IF;`;
  return [
    'EXECUTE IMMEDIATE $$',
    'DECLARE',
    '  root_started BOOLEAN DEFAULT FALSE;',
    'BEGIN',
    `  ${showInSchema('TASKS', db, schema, name)};`,
    `  SELECT COUNT(*) > 0 INTO :root_started FROM TABLE(RESULT_SCAN(LAST_QUERY_ID())) WHERE "name" = ${stringLiteral(name)} AND "state" = 'started';`,
    ifStarted(`ALTER TASK ${root} SUSPEND`),
    `  ${statement};`,
    ifStarted(`ALTER TASK ${root} RESUME`),
    ...(resumeOnError
      ? ['EXCEPTION', `  WHEN OTHER THEN\n${ifStarted(`ALTER TASK ${root} RESUME`, '    ')}\n    RAISE;`]
      : []),
    'END;',
    '$$',
  ].join('\n');
}

/**
 * Resumes child task `d` whatever its root's state now: a root that runs (another change resumed it) is
 * suspended for the resume and resumed again (Snowflake resumes a child only while its root is
 * suspended); a suspended root (an operator's) stays suspended.
 */
export function resumeUnderRoot(d: TaskDefinition): string {
  return withRootSuspended(rootRef(d), `ALTER TASK ${fqn(d)} RESUME`);
}

export const taskKind: ObjectKind<TaskDefinition, TaskState> = {
  kind: 'task',
  label: 'task',
  dataBearing: true,
  schema: taskDefinition,
  physicalId: (d) => `${d.database}.${d.schema}.${d.name}`,
  async read(d, session) {
    const row = await taskRow(session, `${d.database}.${d.schema}.${d.name}`);
    if (!row) return undefined;
    const text = row.comment ?? '';
    const root = d.root ? await taskRow(session, d.root) : undefined;
    return {
      state: runState(row.state),
      definition: row.definition ?? '',
      comment: text.replace(FINGERPRINT, '') || null,
      fingerprint: FINGERPRINT.exec(text)?.[1] ?? null,
      ...(d.root ? { root: root ? runState(root.state) : 'absent' } : {}),
      condition: row.condition ?? null,
      predecessors: parsePredecessors(row.predecessors),
    };
  },
  plan(current, d, context): Plan {
    const notes: string[] = [];
    const self = `ALTER TASK ${fqn(d)}`;
    const root = qualifiedName(...path(rootRef(d)));
    if (!current) {
      // Created suspended. A child needs its root suspended while it joins the graph.
      const create: Step = { type: 'sql', sql: renderTask(d) };
      if (!d.root) return { change: 'create', steps: [create, { type: 'sql', sql: `${self} RESUME` }], notes };
      return {
        change: 'create',
        steps: [
          { type: 'sql', sql: `ALTER TASK ${root} SUSPEND`, undo: `ALTER TASK ${root} RESUME` },
          create,
          { type: 'sql', sql: `${self} RESUME` },
          { type: 'sql', sql: `ALTER TASK ${root} RESUME` },
        ],
        notes: ['the graph root is suspended while the task joins the graph, then resumed'],
      };
    }
    if (current.root === 'absent')
      throw new UnsafeChangeError(fqn(d).replace(/"/g, ''), `its graph root ${rootRef(d)} does not exist`);
    const unchanged =
      current.fingerprint === taskFingerprint(d) &&
      normalize(current.definition) === normalize(d.body) &&
      (current.comment ?? '') === (d.comment ?? '');
    if (unchanged) {
      if (current.state === 'suspended') notes.push('the task is suspended: a no-op deploy leaves it suspended');
      return { change: 'no-op', steps: [], notes };
    }
    // Parameters SHOW TASKS does not show are known only while the task carries the fingerprint of
    // the previous definition; otherwise every parameter is re-asserted.
    const previous = taskDefinition.safeParse(context?.previous);
    const known =
      previous.success && current.fingerprint === taskFingerprint(previous.data)
        ? parametersOf(previous.data)
        : undefined;
    const alters = alterTaskStatements(
      fqn(d),
      { body: current.definition, when: current.condition ?? null, after: current.predecessors ?? [] },
      known,
      shapeOf(d),
    );
    const rootStarted = (d.root ? current.root : current.state) === 'started';
    const selfStarted = d.root !== undefined && current.state === 'started';
    const steps: Step[] = [];
    if (rootStarted) steps.push({ type: 'sql', sql: `ALTER TASK ${root} SUSPEND`, undo: `ALTER TASK ${root} RESUME` });
    // Snowflake resumes a child only while its root is suspended: should the root run again by the
    // time this undo runs (another change resumed it), it is suspended first; its own undo follows.
    // When the root was found suspended (by an operator, or held by a sibling's change that may resume it
    // at any moment), the task is resumed under the root's state at that moment (resumeUnderRoot), so a
    // sibling resuming the root meanwhile never leaves this task suspended.
    if (selfStarted)
      steps.push({
        type: 'sql',
        sql: `${self} SUSPEND`,
        undo: rootStarted ? [`ALTER TASK ${root} SUSPEND`, `${self} RESUME`] : resumeUnderRoot(d),
      });
    for (const sql of alters) steps.push({ type: 'sql', sql });
    if (selfStarted) steps.push({ type: 'sql', sql: rootStarted ? `${self} RESUME` : resumeUnderRoot(d) });
    if (rootStarted) steps.push({ type: 'sql', sql: `ALTER TASK ${root} RESUME` });
    if (!rootStarted) notes.push(`the graph root ${rootRef(d)} was suspended: changed and left suspended`);
    if (d.root && current.state === 'suspended') notes.push('the task was suspended: changed and left suspended');
    if (!known) notes.push('parameters not shown by SHOW TASKS are re-asserted (no matching previous definition)');
    return { change: 'alter', steps, notes };
  },
  drop(d) {
    // Snowflake: the root must be suspended before any task of its graph is dropped.
    if (!d.root)
      return `EXECUTE IMMEDIATE $$\nBEGIN\n  ALTER TASK IF EXISTS ${fqn(d)} SUSPEND;\n  DROP TASK IF EXISTS ${fqn(d)};\nEND;\n$$`;
    return withRootSuspended(d.root, `DROP TASK IF EXISTS ${fqn(d)}`, true);
  },
  attributes: (d, s) => ({ Name: `${d.database}.${d.schema}.${d.name}`, State: s.state }),
};
