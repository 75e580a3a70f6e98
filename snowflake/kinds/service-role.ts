/**
 * A scheduled function's own role (health monitor, pipe refresher) with EXACTLY the grants its
 * definition lists: a Create runs CREATE ROLE and one GRANT per object; an Update grants what is
 * missing and REVOKEs every other privilege the role holds (SHOW GRANTS TO ROLE), so a grant removed
 * from the definition, or added by hand, is revoked and reported. Only privileges valid for the
 * object type are accepted (SERVICE_ROLE_PRIVILEGES, from Snowflake's GRANT <privileges> reference).
 *
 * `revision` carries a fingerprint of the granted objects' definitions: an object that is recreated
 * (a pipe's COPY change runs CREATE OR REPLACE PIPE, which drops the grants on it) changes it, so
 * CloudFormation sends this role an Update that grants again what the recreation dropped.
 */
import { z } from 'zod';
import { quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan, SqlSession, Step } from '../engine/types';
import { comment, exactRow, identifier, quoteRef } from '../engine/values';

/** Object types a service role is granted on, with the privileges Snowflake accepts on each (subset used here). */
export const SERVICE_ROLE_PRIVILEGES = {
  WAREHOUSE: ['USAGE', 'MONITOR', 'OPERATE'],
  DATABASE: ['USAGE', 'MONITOR'],
  SCHEMA: ['USAGE', 'MONITOR'],
  TABLE: ['SELECT', 'INSERT'],
  VIEW: ['SELECT'],
  STREAM: ['SELECT'],
  /** External stage: USAGE (READ/WRITE are internal stages' privileges). */
  STAGE: ['USAGE'],
  'FILE FORMAT': ['USAGE'],
  PIPE: ['MONITOR', 'OPERATE'],
  TASK: ['MONITOR', 'OPERATE'],
} as const;
export type GrantObjectType = keyof typeof SERVICE_ROLE_PRIVILEGES;

/** Name parts per object type: account objects 1, schemas 2, schema objects 3. */
const PARTS: Record<GrantObjectType, number> = {
  WAREHOUSE: 1,
  DATABASE: 1,
  SCHEMA: 2,
  TABLE: 3,
  VIEW: 3,
  STREAM: 3,
  STAGE: 3,
  'FILE FORMAT': 3,
  PIPE: 3,
  TASK: 3,
};

const grantSchema = z
  .object({
    on: z.enum(Object.keys(SERVICE_ROLE_PRIVILEGES) as [GrantObjectType, ...GrantObjectType[]]),
    /** Canonical dotted name (`WH`, `DB`, `DB.SCHEMA`, `DB.SCHEMA.NAME`). */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$/, 'must be a dotted name'),
    privileges: z.array(z.string()).min(1, 'must list at least one privilege'),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.name.split('.').length !== PARTS[g.on])
      ctx.addIssue({ code: 'custom', path: ['name'], message: `a ${g.on} name has ${PARTS[g.on]} part(s)` });
    const valid: readonly string[] = SERVICE_ROLE_PRIVILEGES[g.on];
    g.privileges.forEach((p, i) => {
      if (!valid.includes(p))
        ctx.addIssue({
          code: 'custom',
          path: ['privileges', i],
          message: `${p} is not a privilege on a ${g.on} (valid: ${valid.join(', ')})`,
        });
    });
  })
  .transform((g) => ({ ...g, name: g.name.toUpperCase() }));

export const serviceRoleDefinition = z
  .object({
    name: identifier,
    grants: z.array(grantSchema),
    /** Fingerprint of the granted objects' definitions (an Update re-grants after a recreation). */
    revision: z.string().max(200).optional(),
    comment,
  })
  .strict();
export type ServiceRoleDefinition = z.infer<typeof serviceRoleDefinition>;
export type ServiceRoleGrant = ServiceRoleDefinition['grants'][number];

export interface ServiceRoleState {
  readonly comment: string | null;
  /** Held privileges as `PRIVILEGE|TYPE|NAME` (type with a space: `FILE FORMAT`). */
  readonly grants: ReadonlySet<string>;
}

const canonical = (v: string | null | undefined) =>
  String(v ?? '')
    .replace(/"/g, '')
    .toUpperCase();
const key = (privilege: string, on: string, name: string) => `${privilege}|${on}|${name}`;
/** Quoted object name for a GRANT (`"DB"."RAW"."ORDERS_PIPE"`). */
const target = (name: string) => quoteRef(name);

/** `PRIVILEGE|TYPE|NAME` of every grant the definition lists. */
export function wantedGrants(d: ServiceRoleDefinition): Set<string> {
  return new Set(d.grants.flatMap((g) => g.privileges.map((p) => key(p, g.on, g.name))));
}

/** GRANT / REVOKE statements for `keys`, one per object (privileges comma-separated, in the order given). */
function statements(verb: 'GRANT' | 'REVOKE', role: string, keys: readonly string[]): string[] {
  const byObject = new Map<string, string[]>();
  for (const k of keys) {
    const [privilege, on, name] = k.split('|') as [string, string, string];
    const object = `${on} ${target(name)}`;
    byObject.set(object, [...(byObject.get(object) ?? []), privilege]);
  }
  const to = verb === 'GRANT' ? 'TO' : 'FROM';
  return [...byObject].map(
    ([object, privileges]) => `${verb} ${privileges.join(', ')} ON ${object} ${to} ROLE ${quoteIdentifier(role)}`,
  );
}

async function read(d: ServiceRoleDefinition, session: SqlSession): Promise<ServiceRoleState | undefined> {
  const row = exactRow(await session.query(`SHOW ROLES LIKE ${stringLiteral(d.name)}`), d.name);
  if (!row) return undefined;
  const grants = (await session.query(`SHOW GRANTS TO ROLE ${quoteIdentifier(d.name)}`))
    .filter((g) => canonical(g.privilege) !== 'OWNERSHIP')
    .map((g) => key(canonical(g.privilege), canonical(g.granted_on).replace(/_/g, ' '), canonical(g.name)));
  return { comment: row.comment ?? null, grants: new Set(grants) };
}

export const serviceRoleKind: ObjectKind<ServiceRoleDefinition, ServiceRoleState> = {
  kind: 'service-role',
  label: 'service role',
  dataBearing: true,
  schema: serviceRoleDefinition,
  physicalId: (d) => d.name,
  read,
  plan(current, d): Plan {
    const role = quoteIdentifier(d.name);
    const wanted = [...wantedGrants(d)];
    if (!current) {
      const create = `CREATE ROLE ${role}${d.comment ? ` COMMENT = ${stringLiteral(d.comment)}` : ''}`;
      return {
        change: 'create',
        steps: [
          { type: 'sql', sql: create },
          ...statements('GRANT', d.name, wanted).map((sql): Step => ({ type: 'sql', sql })),
        ],
        notes: [],
      };
    }
    const missing = wanted.filter((g) => !current.grants.has(g));
    const wantedSet = new Set(wanted);
    const extra = [...current.grants].filter((g) => !wantedSet.has(g)).sort();
    const steps: Step[] = [
      ...statements('GRANT', d.name, missing).map((sql): Step => ({ type: 'sql', sql })),
      ...statements('REVOKE', d.name, extra).map((sql): Step => ({ type: 'sql', sql })),
    ];
    if ((current.comment ?? '') !== (d.comment ?? ''))
      steps.push({
        type: 'sql',
        sql: d.comment
          ? `ALTER ROLE ${role} SET COMMENT = ${stringLiteral(d.comment)}`
          : `ALTER ROLE ${role} UNSET COMMENT`,
      });
    const notes = extra.map((g) => `revoked ${g.replace(/\|/g, ' ').replace(/^(\S+) (.+) (\S+)$/, '$1 ON $2 $3')}`);
    return { change: steps.length ? 'alter' : 'no-op', steps, notes };
  },
  drop: (d) => `DROP ROLE IF EXISTS ${quoteIdentifier(d.name)}`,
  attributes: (d) => ({ Name: d.name }),
};
