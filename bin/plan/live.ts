/**
 * The live plan: reads each object's current state with its kind's SHOW / DESC queries and plans the
 * update, like a terraform plan. Read-only by construction: the session is wrapped in a guard that
 * refuses anything but SHOW, DESC and `SELECT SYSTEM$…(…)`, so the planner can never change the account.
 */
import { UnsafeChangeError } from '../../snowflake/engine/errors';
import type { Row, SqlErrorLike, SqlSession } from '../../snowflake/engine/types';
import type { IngestionObject } from '../../snowflake/ingestion-objects';
import { getKind } from '../../snowflake/kinds/registry';
import { renderStep } from '../../snowflake/plan/fresh-deploy';
import { freshDeployPlan } from '../../snowflake/plan/fresh-deploy';

/** One object of a plan. `blocked`: the planner refuses the change (the deploy would fail). */
export interface PlannedChange {
  readonly id: string;
  /** Kind label, e.g. `silver table`. */
  readonly kind: string;
  readonly object: string;
  readonly change: string;
  readonly statements: readonly string[];
  readonly notes: readonly string[];
}

/** The live planner tried to run a statement that is not a read. */
export class ReadOnlyViolationError extends Error {
  override readonly name = 'ReadOnlyViolationError';
  constructor(readonly statement: string) {
    super(`the live plan only reads (SHOW, DESC, SELECT SYSTEM$…); refused: ${statement.slice(0, 200)}`);
  }
}

const READ = /^\s*(SHOW|DESC|DESCRIBE)\s+[^;]*$|^\s*SELECT\s+SYSTEM\$[A-Z_]+\s*\([^;]*\)(\s+AS\s+[A-Z_]+)?\s*$/i;

/** True for the statements the live plan may send. */
export function isReadOnlyStatement(sql: string): boolean {
  // Quoted literals may hold anything (e.g. `;`): test the statement with them blanked out.
  return READ.test(sql.replace(/'(?:[^'\\]|\\.)*'/g, "''"));
}

/** Wraps a session so only read statements reach it. */
export function readOnlySession(session: SqlSession, sent: string[] = []): SqlSession {
  return {
    async query(sql: string): Promise<Row[]> {
      if (!isReadOnlyStatement(sql)) throw new ReadOnlyViolationError(sql);
      sent.push(sql);
      return session.query(sql);
    },
  };
}

/** Snowflake's "does not exist or not authorized" (e.g. SHOW … IN SCHEMA of a schema not created yet). */
const isNotFound = (e: unknown) =>
  (e as SqlErrorLike).code === '002003' || /does not exist/i.test((e as Error).message);

/** Plans every object against the account behind `session` (wrapped read-only here). */
export async function livePlan(objects: readonly IngestionObject[], session: SqlSession): Promise<PlannedChange[]> {
  const reader = readOnlySession(session);
  const out: PlannedChange[] = [];
  for (const o of objects) {
    const kind = getKind(o.kind);
    const parsed = kind.schema.safeParse(o.definition);
    if (!parsed.success)
      throw new Error(
        `${o.id}: invalid ${kind.label} definition: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const definition = parsed.data;
    let current: unknown;
    try {
      current = await kind.read(definition, reader);
    } catch (error) {
      if (error instanceof ReadOnlyViolationError || !isNotFound(error)) throw error;
      current = undefined;
    }
    const base = { id: o.id, kind: kind.label, object: kind.physicalId(definition) };
    try {
      const plan = kind.plan(current, definition);
      out.push({ ...base, change: plan.change, statements: plan.steps.map(renderStep), notes: plan.notes });
    } catch (error) {
      if (!(error instanceof UnsafeChangeError)) throw error;
      out.push({ ...base, change: 'blocked', statements: [], notes: [error.message] });
    }
  }
  return out;
}

/** The fresh-deploy plan of the same objects (no account needed). */
export function offlinePlan(objects: readonly IngestionObject[]): PlannedChange[] {
  return freshDeployPlan(objects).map((o, i) => ({
    id: objects[i]?.id ?? o.object,
    kind: o.kind,
    object: o.object,
    change: o.change,
    statements: o.statements,
    notes: [],
  }));
}
