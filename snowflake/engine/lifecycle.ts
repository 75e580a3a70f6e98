/**
 * The lifecycle rules of a Snowflake object managed by one CloudFormation custom resource:
 *
 * - physical id = the object's fully qualified name;
 * - Create over an existing object fails unless `adopt` is set (adopted objects are never dropped);
 * - a Create that fails after creating the object drops it again (it did not exist before);
 * - an Update that changes the name creates the new object; the old one is left to the Delete that
 *   CloudFormation sends afterwards;
 * - Delete drops only the object its physical id names (never after a failed Create, whose physical
 *   id is the provider framework's marker), never an adopted object, and one that carries data, state
 *   or history (every kind but views) only under the `destroy` removal policy; otherwise it is left
 *   untouched and the outcome says so.
 */
import { RetryLaterError, StatementFailedError, ObjectExistsError } from './errors';
import type { ApplyOptions } from './apply';
import { applyPlan } from './apply';
import type { AnyObjectKind, ChangeKind, Plan, PlanContext, SqlErrorLike, SqlSession } from './types';

export type RemovalPolicy = 'retain' | 'destroy';

export interface ObjectRequest {
  readonly kind: AnyObjectKind;
  /** Definition already validated with `kind.schema`. */
  readonly definition: unknown;
  /** Take over an existing object instead of failing; an adopted object is never dropped. */
  readonly adopt: boolean;
  readonly removalPolicy: RemovalPolicy;
}

export interface Outcome {
  readonly physicalId: string;
  readonly change: ChangeKind;
  /** DDL that ran (empty for no-op, retain and the ignored Delete). */
  readonly statements: readonly string[];
  readonly attributes: Record<string, string>;
  readonly notes: readonly string[];
}

const hasDdl = (plan: Plan) => plan.steps.length > 0;

/**
 * How an existing object found under the desired name is treated: `ours` (an Update in place),
 * `foreign` (a Create: needs adopt), `rename-target` (an Update to a new name), `absent-before` (a
 * Create or rename continued by a later provider call: the name was free when the change began, so
 * what is there now was created by an earlier attempt of this change and is finished, not adopted).
 */
export type Existing = 'ours' | 'foreign' | 'rename-target' | 'absent-before';

async function converge(
  session: SqlSession,
  req: ObjectRequest,
  options: ApplyOptions,
  existing: Existing,
  context: PlanContext = {},
): Promise<Outcome> {
  const { kind, definition } = req;
  const name = kind.physicalId(definition);
  const current = await kind.read(definition, session);
  const newObject = existing !== 'ours';
  const notes: string[] = [];
  if (current !== undefined && newObject && existing !== 'absent-before' && !req.adopt) {
    // The rollback of a rename sends an Update back to the old name, whose object the stack never
    // dropped and which is exactly as defined: that one is ours again. Anything else needs adopt.
    if (existing !== 'rename-target' || !isExactly(req, current)) throw new ObjectExistsError(name, kind.label);
    notes.push(
      `${kind.label} ${name} already exists exactly as defined (e.g. the rollback of a rename): kept without DDL`,
    );
  }
  const plan = kind.plan(current, definition, context);
  notes.push(...plan.notes);
  const change: ChangeKind = current !== undefined && newObject && req.adopt ? 'adopt' : plan.change;
  if (!hasDdl(plan)) {
    return { physicalId: name, change, statements: [], attributes: kind.attributes(definition, current), notes };
  }
  const dropOnFailure = newObject && (current === undefined || existing === 'absent-before');
  try {
    const statements = await applyPlan(session, name, plan, options);
    const after = await kind.read(definition, session);
    if (after === undefined) throw new Error(`${name}: ${kind.label} not found after ${plan.change}`);
    return { physicalId: name, change, statements, attributes: kind.attributes(definition, after), notes };
  } catch (error) {
    // A change the provider continues later keeps what it made so far.
    if (dropOnFailure && !(error instanceof RetryLaterError)) await dropCreatedObject(session, req, name, error);
    throw error;
  }
}

function isExactly(req: ObjectRequest, current: unknown): boolean {
  try {
    return !hasDdl(req.kind.plan(current, req.definition, {}));
  } catch {
    return false;
  }
}

/** A Create that failed after its CREATE ran: the object did not exist before, so it is dropped again. */
async function dropCreatedObject(session: SqlSession, req: ObjectRequest, name: string, error: unknown): Promise<void> {
  if (!(error instanceof Error)) return;
  if (error instanceof StatementFailedError && /^\s*CREATE /i.test(error.statement)) return; // nothing was created
  if (!(await req.kind.read(req.definition, session).catch(() => undefined))) return;
  const sql = req.kind.drop(req.definition);
  try {
    await session.query(sql);
    error.message += `\n  the ${req.kind.label} ${name} created by this attempt was dropped again: ${sql}`;
  } catch (dropError) {
    error.message += `\n  the ${req.kind.label} ${name} created by this attempt could not be dropped (${(dropError as Error).message}); drop it before retrying`;
  }
}

/**
 * CloudFormation Create. `existedBefore: false` (onEvent found the name free) makes an object found
 * now the work of an earlier call of this same Create, continued rather than refused.
 */
export function createObject(
  session: SqlSession,
  req: ObjectRequest,
  options: ApplyOptions = {},
  existedBefore?: boolean,
): Promise<Outcome> {
  return converge(session, req, options, existedBefore === false ? 'absent-before' : 'foreign');
}

/**
 * CloudFormation Update of the object currently named `physicalId`. `previous` is the validated
 * definition from OldResourceProperties, passed to the planner (kinds that need it, e.g. a stream's
 * source change).
 */
export async function updateObject(
  session: SqlSession,
  physicalId: string,
  req: ObjectRequest,
  options: ApplyOptions = {},
  previous?: unknown,
  existedBefore?: boolean,
): Promise<Outcome> {
  const name = req.kind.physicalId(req.definition);
  // A new name is a new object: the old one stays until CloudFormation's Delete for it.
  if (name !== physicalId)
    return converge(session, req, options, existedBefore === false ? 'absent-before' : 'rename-target', { previous });
  return converge(session, req, options, 'ours', { previous });
}

/** CloudFormation Delete of the object named `physicalId`, defined by the resource's last properties. */
export async function deleteObject(
  session: SqlSession,
  physicalId: string,
  req: ObjectRequest,
  _options: ApplyOptions = {},
): Promise<Outcome> {
  const name = req.kind.physicalId(req.definition);
  const retain = (note: string): Outcome => ({
    physicalId,
    change: 'retain',
    statements: [],
    attributes: {},
    notes: [note],
  });
  if (name !== physicalId)
    return retain(
      `physical id ${JSON.stringify(physicalId)} does not name ${req.kind.label} ${name}: nothing dropped (e.g. the Delete after a failed Create)`,
    );
  if (req.adopt) return retain(`${req.kind.label} ${name} was adopted: retained`);
  if (req.kind.dataBearing && req.removalPolicy !== 'destroy')
    return retain(
      `${req.kind.label} ${name} carries data, state or history and the removal policy is ${req.removalPolicy}: retained untouched`,
    );
  const sql = req.kind.drop(req.definition);
  try {
    await session.query(sql);
  } catch (error) {
    const e = error as SqlErrorLike;
    throw new StatementFailedError(
      name,
      sql,
      { message: e.detail ?? e.message, code: e.code, sqlState: e.sqlState },
      '',
      { cause: error },
    );
  }
  return { physicalId, change: 'drop', statements: [sql], attributes: {}, notes: [] };
}
