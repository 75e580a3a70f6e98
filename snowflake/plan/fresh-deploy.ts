/**
 * The SQL a fresh deploy runs, grouped per object, with no credentials: every object is planned
 * against an empty account. `npm run plan` prints this for an environment.
 */
import { getKind } from '../kinds/registry';
import { REFRESH_FROM_PLACEHOLDER, refreshSincePause } from '../kinds/pipe';
import type { Step } from '../engine/types';

export interface PlannedObject {
  /** Construct id, carried through to the result. */
  readonly id?: string;
  readonly kind: string;
  readonly definition: unknown;
}

export interface ObjectSql {
  readonly id?: string;
  readonly kind: string;
  readonly object: string;
  readonly change: string;
  readonly statements: readonly string[];
}

/** A plan step as SQL text (reads as comments, the refresh instant as a placeholder). */
export function renderStep(step: Step): string {
  switch (step.type) {
    case 'sql':
      return step.sql;
    case 'mark-refresh-from':
      return `-- record in ${step.pipe}'s comment the refresh instant (before the pause and every pending file of SYSTEM$PIPE_STATUS)`;
    case 'refresh-from-mark':
      return refreshSincePause(step.pipe, step.recorded ?? REFRESH_FROM_PLACEHOLDER);
  }
}

/** Plans each object as a Create; definitions are validated by their kind (errors name the object). */
export function freshDeployPlan(objects: readonly PlannedObject[]): ObjectSql[] {
  return objects.map((o) => {
    const kind = getKind(o.kind);
    const parsed = kind.schema.safeParse(o.definition);
    if (!parsed.success)
      throw new Error(
        `invalid ${kind.label} definition: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const plan = kind.plan(undefined, parsed.data);
    return {
      ...(o.id ? { id: o.id } : {}),
      kind: kind.label,
      object: kind.physicalId(parsed.data),
      change: plan.change,
      statements: plan.steps.map(renderStep),
    };
  });
}

/** The fresh-deploy SQL as text: one commented block per object, statements terminated by `;`. */
export function renderFreshDeploySql(objects: readonly PlannedObject[]): string {
  return freshDeployPlan(objects)
    .map((o) => [`-- ${o.kind} ${o.object} (${o.change})`, ...o.statements.map((s) => `${s};`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}
