/**
 * A scheduled function's own Snowflake user: `TYPE = SERVICE` (no password, no MFA prompts), its
 * role as DEFAULT_ROLE and the only role granted, key-pair authentication with a key pair the
 * provisioner generates and whose private key it writes to the function's Secrets Manager secret
 * (never to a log, a template, an attribute or an error: the engine's `install-key-pair` step).
 *
 * Key rotation: the definition's `keyRotation` counter; the one applied is kept in the user's
 * comment (`[key-rotation N]`). A new counter, a user without RSA_PUBLIC_KEY, or a key left in
 * RSA_PUBLIC_KEY_2 by an interrupted rotation installs a fresh pair without a moment when the secret
 * and the user disagree: new public key into RSA_PUBLIC_KEY_2, private key into the secret, the same
 * key into RSA_PUBLIC_KEY, UNSET RSA_PUBLIC_KEY_2 (Snowflake's documented two-slot rotation).
 */
import { z } from 'zod';
import { quoteIdentifier, stringLiteral } from '../identifiers';
import type { ObjectKind, Plan, SqlSession, Step } from '../engine/types';
import { cfnInteger, comment, exactRow, identifier } from '../engine/values';

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

export const serviceUserDefinition = z
  .object({
    name: identifier,
    /** The user's only role (DEFAULT_ROLE, granted). */
    role: identifier,
    /** DEFAULT_WAREHOUSE. @default none */
    warehouse: identifier.optional(),
    /** Secret the private key is written to (the function reads it; the provisioner may only write it). */
    privateKeySecretArn: z.string().regex(SECRET_ARN, 'must be a Secrets Manager secret ARN'),
    /** Bump to install a new key pair. @default 0 */
    keyRotation: cfnInteger.optional(),
    comment,
  })
  .strict();
export type ServiceUserDefinition = z.infer<typeof serviceUserDefinition>;

export interface ServiceUserState {
  readonly type: string | null;
  readonly defaultRole: string | null;
  readonly defaultWarehouse: string | null;
  /** User comment without the rotation marker. */
  readonly comment: string | null;
  /** Rotation counter found in the comment, if any. */
  readonly keyRotation: number | null;
  readonly hasKey: boolean;
  readonly hasSecondKey: boolean;
  /** Roles granted to the user. */
  readonly roles: readonly string[];
}

const MARKER = /\s*\[key-rotation (\d+)\]$/;
const unset = (v: string | null | undefined) => v === null || v === undefined || v === '' || v === 'null';
const canonical = (v: string | null | undefined) => (unset(v) ? null : String(v).replace(/"/g, '').toUpperCase());

/** The comment with the rotation marker the deploy leaves. */
export function markedUserComment(d: ServiceUserDefinition): string {
  return `${d.comment ? `${d.comment} ` : ''}[key-rotation ${d.keyRotation ?? 0}]`;
}

async function read(d: ServiceUserDefinition, session: SqlSession): Promise<ServiceUserState | undefined> {
  const row = exactRow(await session.query(`SHOW USERS LIKE ${stringLiteral(d.name)}`), d.name);
  if (!row) return undefined;
  const user = quoteIdentifier(d.name);
  const props = new Map(
    (await session.query(`DESC USER ${user}`)).map((r) => [String(r.property).toUpperCase(), r.value ?? null]),
  );
  const text = props.get('COMMENT') ?? row.comment ?? '';
  const roles = (await session.query(`SHOW GRANTS TO USER ${user}`)).map((g) => canonical(g.role) ?? '');
  return {
    type: canonical(props.get('TYPE')),
    defaultRole: canonical(props.get('DEFAULT_ROLE')),
    defaultWarehouse: canonical(props.get('DEFAULT_WAREHOUSE')),
    comment: unset(text) ? null : String(text).replace(MARKER, '') || null,
    keyRotation: MARKER.exec(String(text ?? ''))?.[1] !== undefined ? Number(MARKER.exec(String(text))![1]) : null,
    hasKey: !unset(props.get('RSA_PUBLIC_KEY_FP')),
    hasSecondKey: !unset(props.get('RSA_PUBLIC_KEY_2_FP')),
    roles: roles.filter(Boolean),
  };
}

export const serviceUserKind: ObjectKind<ServiceUserDefinition, ServiceUserState> = {
  kind: 'service-user',
  label: 'service user',
  dataBearing: true,
  schema: serviceUserDefinition,
  physicalId: (d) => d.name,
  read,
  plan(current, d, context): Plan {
    const user = quoteIdentifier(d.name);
    const role = quoteIdentifier(d.role);
    const install: Step = { type: 'install-key-pair', user, privateKeySecretArn: d.privateKeySecretArn };
    const setComment: Step = {
      type: 'sql',
      sql: `ALTER USER ${user} SET COMMENT = ${stringLiteral(markedUserComment(d))}`,
    };
    if (!current) {
      const create =
        `CREATE USER ${user} TYPE = SERVICE DEFAULT_ROLE = ${role}` +
        (d.warehouse ? ` DEFAULT_WAREHOUSE = ${quoteIdentifier(d.warehouse)}` : '') +
        ` COMMENT = ${stringLiteral(markedUserComment(d))}`;
      return {
        change: 'create',
        steps: [{ type: 'sql', sql: create }, { type: 'sql', sql: `GRANT ROLE ${role} TO USER ${user}` }, install],
        notes: ['a key pair was generated; its private key is in the secret only'],
      };
    }
    const steps: Step[] = [];
    const notes: string[] = [];
    if (current.type !== 'SERVICE') steps.push({ type: 'sql', sql: `ALTER USER ${user} SET TYPE = SERVICE` });
    if (current.defaultRole !== d.role)
      steps.push({ type: 'sql', sql: `ALTER USER ${user} SET DEFAULT_ROLE = ${role}` });
    if (current.defaultWarehouse !== (d.warehouse ?? null))
      steps.push({
        type: 'sql',
        sql: d.warehouse
          ? `ALTER USER ${user} SET DEFAULT_WAREHOUSE = ${quoteIdentifier(d.warehouse)}`
          : `ALTER USER ${user} UNSET DEFAULT_WAREHOUSE`,
      });
    if (!current.roles.includes(d.role)) steps.push({ type: 'sql', sql: `GRANT ROLE ${role} TO USER ${user}` });
    for (const other of current.roles.filter((r) => r !== d.role && r !== 'PUBLIC')) {
      steps.push({ type: 'sql', sql: `REVOKE ROLE ${quoteIdentifier(other)} FROM USER ${user}` });
      notes.push(`revoked role ${other} from the user (its only role is ${d.role})`);
    }
    // A new secret (e.g. replaced) holds no key of this user yet.
    const previous = serviceUserDefinition.safeParse(context?.previous);
    const newSecret = previous.success && previous.data.privateKeySecretArn !== d.privateKeySecretArn;
    const rotate = newSecret || !current.hasKey || current.hasSecondKey || current.keyRotation !== (d.keyRotation ?? 0);
    if (rotate) {
      steps.push(install);
      notes.push(
        newSecret
          ? `the key secret changed: a key pair was generated into ${d.privateKeySecretArn}`
          : !current.hasKey
            ? 'the user had no key: a key pair was generated'
            : current.hasSecondKey
              ? 'an interrupted rotation was completed with a fresh key pair'
              : `key rotation ${current.keyRotation ?? 'none'} → ${d.keyRotation ?? 0}: a fresh key pair was installed`,
      );
    }
    if (rotate || (current.comment ?? '') !== (d.comment ?? '')) steps.push(setComment);
    return { change: steps.length ? 'alter' : 'no-op', steps, notes };
  },
  drop: (d) => `DROP USER IF EXISTS ${quoteIdentifier(d.name)}`,
  attributes: (d) => ({ Name: d.name }),
};
