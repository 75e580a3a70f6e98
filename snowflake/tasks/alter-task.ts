/**
 * The ALTER TASK statements that bring an existing task to its definition, in the forms Snowflake
 * documents for ALTER TASK (SET / UNSET, MODIFY AS, MODIFY WHEN / REMOVE WHEN, ADD AFTER / REMOVE
 * AFTER) — never CREATE OR ALTER TASK, whose documented syntax lacks TARGET_COMPLETION_INTERVAL
 * and which unsets whatever it omits. Pure.
 *
 * SHOW TASKS shows the body, condition, predecessors, warehouse and schedule but not every
 * parameter; the others are diffed against the previous definition (CloudFormation's
 * OldResourceProperties) when the task still carries that definition's fingerprint, and re-asserted
 * (SET what is defined, UNSET what is not) when it does not (drift, or no previous definition).
 */
import { quoteIdentifier, stringLiteral } from '../identifiers';

/** The parameters of a task as ALTER TASK SET renders them (absent = unset). */
export interface TaskParameters {
  readonly WAREHOUSE?: string;
  readonly USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE?: string;
  readonly TARGET_COMPLETION_INTERVAL?: string;
  readonly SCHEDULE?: string;
  readonly SUSPEND_TASK_AFTER_NUM_FAILURES?: string;
  readonly TIMEZONE?: string;
  readonly ERROR_INTEGRATION?: string;
  /** Root tasks only (Snowflake: a task graph's overlap policy is set on its root). */
  readonly OVERLAP_POLICY?: string;
}

/** Order of SET / UNSET clauses. */
export const TASK_PARAMETER_NAMES: readonly (keyof TaskParameters)[] = [
  'WAREHOUSE',
  'USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE',
  'TARGET_COMPLETION_INTERVAL',
  'SCHEDULE',
  'SUSPEND_TASK_AFTER_NUM_FAILURES',
  'TIMEZONE',
  'ERROR_INTEGRATION',
  'OVERLAP_POLICY',
];

/** What a task's parameters are, from its definition's fields. */
export function taskParameters(d: {
  readonly warehouse?: string;
  readonly initialWarehouseSize?: string;
  readonly targetCompletionInterval?: string;
  readonly schedule?: string;
  readonly suspendTaskAfterNumFailures?: number;
  readonly timezone?: string;
  readonly errorIntegration?: string;
  readonly isRoot: boolean;
}): TaskParameters {
  const p: Record<string, string> = {};
  if (d.warehouse) p.WAREHOUSE = quoteIdentifier(d.warehouse);
  if (d.initialWarehouseSize) p.USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = stringLiteral(d.initialWarehouseSize);
  if (d.targetCompletionInterval) p.TARGET_COMPLETION_INTERVAL = stringLiteral(d.targetCompletionInterval);
  if (d.schedule) p.SCHEDULE = stringLiteral(d.schedule);
  if (d.suspendTaskAfterNumFailures !== undefined)
    p.SUSPEND_TASK_AFTER_NUM_FAILURES = String(d.suspendTaskAfterNumFailures);
  if (d.timezone) p.TIMEZONE = stringLiteral(d.timezone);
  if (d.errorIntegration) p.ERROR_INTEGRATION = quoteIdentifier(d.errorIntegration);
  if (d.isRoot) p.OVERLAP_POLICY = 'NO_OVERLAP';
  return p;
}

export interface TaskShape {
  readonly body: string;
  /** The WHEN expression, if any. */
  readonly when?: string;
  /** Predecessors as quoted qualified names. */
  readonly after: readonly string[];
  readonly parameters: TaskParameters;
  /** Comment text including the fingerprint. */
  readonly comment: string;
}

export interface LiveTask {
  readonly body: string;
  readonly when: string | null;
  readonly after: readonly string[];
}

const normalize = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * ALTER TASK statements from `live` (+ `known` parameters: those of the previous definition when
 * the task still carries its fingerprint, else undefined = re-assert everything) to `desired`.
 */
export function alterTaskStatements(
  task: string,
  live: LiveTask,
  known: TaskParameters | undefined,
  desired: TaskShape,
): string[] {
  const out: string[] = [];
  const unset: string[] = [];
  const set: string[] = [];
  for (const name of TASK_PARAMETER_NAMES) {
    const want = desired.parameters[name];
    const had = known ? known[name] : null; // null: unknown
    if (want === undefined) {
      if (had !== undefined && name !== 'OVERLAP_POLICY') unset.push(name);
    } else if (had !== want) set.push(`${name} = ${want}`);
  }
  if (unset.length) out.push(`ALTER TASK ${task} UNSET ${unset.join(', ')}`);
  const removed = live.after.filter((a) => !desired.after.includes(a));
  const added = desired.after.filter((a) => !live.after.includes(a));
  if (added.length) out.push(`ALTER TASK ${task} ADD AFTER ${added.join(', ')}`);
  if (removed.length) out.push(`ALTER TASK ${task} REMOVE AFTER ${removed.join(', ')}`);
  if (normalize(live.when ?? '') !== normalize(desired.when ?? ''))
    out.push(desired.when ? `ALTER TASK ${task} MODIFY WHEN ${desired.when}` : `ALTER TASK ${task} REMOVE WHEN`);
  if (normalize(live.body) !== normalize(desired.body)) out.push(`ALTER TASK ${task} MODIFY AS\n${desired.body}`);
  // The comment carries the fingerprint of everything above: set last, so an interrupted change
  // keeps the old fingerprint and the next attempt re-asserts every parameter.
  set.push(`COMMENT = ${stringLiteral(desired.comment)}`);
  out.push(`ALTER TASK ${task} SET ${set.join(' ')}`);
  return out;
}
