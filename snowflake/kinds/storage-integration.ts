/**
 * Storage integration (account object): Snowflake's identity towards the stage bucket. Created once
 * and only ever ALTERed: replacing it would issue a new IAM user / external id pairing and break the
 * trust of every stage. STORAGE_AWS_EXTERNAL_ID: by default none is given, so Snowflake generates an
 * unguessable one at CREATE, which later ALTERs keep; it is returned as the `StorageAwsExternalId`
 * attribute (the trust policy's sts:ExternalId reads it) and never appears in a template, a plan
 * or a log (the provisioner marks the resource NoEcho). An explicit `externalId` is still honoured.
 */
import { z } from 'zod';
import { quoteIdentifier, stringLiteral } from '../identifiers';
import { UnsafeChangeError } from '../engine/errors';
import type { ObjectKind, Plan, Row, Step } from '../engine/types';
import { cfnBoolean, comment, commentClause, identifier, sameComment } from '../engine/values';

const s3Location = z
  .string()
  .regex(
    /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9!_.*()/=-]*\/)?$/,
    'must be an s3://bucket/prefix/ URL ending with /',
  );

export const storageIntegrationDefinition = z
  .object({
    name: identifier,
    /** ARN of the IAM role Snowflake assumes (computed from a fixed name to break the cycle). */
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN'),
    /** Explicit STORAGE_AWS_EXTERNAL_ID. @default none: Snowflake generates one at CREATE */
    externalId: z
      .string()
      .regex(/^[A-Za-z0-9_+=,.@:/-]{2,1224}$/, 'must be a valid sts:ExternalId')
      .optional(),
    allowedLocations: z.array(s3Location).min(1, 'must list at least one location'),
    blockedLocations: z.array(s3Location).optional(),
    enabled: cfnBoolean.optional(),
    comment,
  })
  .strict();
export type StorageIntegrationDefinition = z.infer<typeof storageIntegrationDefinition>;

export interface StorageIntegrationState {
  readonly provider: string;
  readonly enabled: boolean;
  readonly roleArn: string;
  readonly externalId: string;
  readonly iamUserArn: string;
  readonly allowedLocations: readonly string[];
  readonly blockedLocations: readonly string[];
  readonly comment: string | null;
}

const list = (v: string | null | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
const locations = (l: readonly string[]) => `(${l.map(stringLiteral).join(', ')})`;

function property(rows: readonly Row[], name: string): string | null {
  return rows.find((r) => r.property === name)?.property_value ?? null;
}

export const storageIntegrationKind: ObjectKind<StorageIntegrationDefinition, StorageIntegrationState> = {
  kind: 'storage-integration',
  label: 'storage integration',
  dataBearing: true,
  schema: storageIntegrationDefinition,
  physicalId: (d) => d.name,
  async read(d, session) {
    const shown = await session.query(`SHOW STORAGE INTEGRATIONS LIKE ${stringLiteral(d.name)}`);
    if (!shown.some((r) => r.name === d.name)) return undefined;
    const rows = await session.query(`DESC STORAGE INTEGRATION ${quoteIdentifier(d.name)}`);
    return {
      provider: property(rows, 'STORAGE_PROVIDER') ?? '',
      enabled: (property(rows, 'ENABLED') ?? '').toLowerCase() === 'true',
      roleArn: property(rows, 'STORAGE_AWS_ROLE_ARN') ?? '',
      externalId: property(rows, 'STORAGE_AWS_EXTERNAL_ID') ?? '',
      iamUserArn: property(rows, 'STORAGE_AWS_IAM_USER_ARN') ?? '',
      allowedLocations: list(property(rows, 'STORAGE_ALLOWED_LOCATIONS')),
      blockedLocations: list(property(rows, 'STORAGE_BLOCKED_LOCATIONS')),
      comment: property(rows, 'COMMENT'),
    };
  },
  plan(current, d): Plan {
    const q = quoteIdentifier(d.name);
    const enabled = d.enabled ?? true;
    const blocked = d.blockedLocations ?? [];
    if (!current) {
      const sql =
        `CREATE STORAGE INTEGRATION ${q} TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'S3' ENABLED = ${enabled ? 'TRUE' : 'FALSE'}` +
        ` STORAGE_AWS_ROLE_ARN = ${stringLiteral(d.roleArn)}` +
        (d.externalId ? ` STORAGE_AWS_EXTERNAL_ID = ${stringLiteral(d.externalId)}` : '') +
        ` STORAGE_ALLOWED_LOCATIONS = ${locations(d.allowedLocations)}` +
        (blocked.length ? ` STORAGE_BLOCKED_LOCATIONS = ${locations(blocked)}` : '') +
        commentClause(d.comment);
      return { change: 'create', steps: [{ type: 'sql', sql }], notes: [] };
    }
    if (current.provider && current.provider.toUpperCase() !== 'S3')
      throw new UnsafeChangeError(
        d.name,
        `is a ${current.provider} storage integration; a storage integration is never replaced (every stage and the IAM trust depend on it): give the S3 integration another name`,
      );
    const set: string[] = [];
    const notes: string[] = [];
    if (current.enabled !== enabled) set.push(`ENABLED = ${enabled ? 'TRUE' : 'FALSE'}`);
    if (current.roleArn !== d.roleArn) {
      set.push(`STORAGE_AWS_ROLE_ARN = ${stringLiteral(d.roleArn)}`);
      notes.push('the AWS role changes: its trust policy must name this integration’s IAM user and external id');
    }
    if (d.externalId !== undefined && current.externalId !== d.externalId) {
      set.push(`STORAGE_AWS_EXTERNAL_ID = ${stringLiteral(d.externalId)}`);
      notes.push('the external id changes: the role’s sts:ExternalId condition follows in the same deployment');
    }
    if (!sameList(current.allowedLocations, d.allowedLocations))
      set.push(`STORAGE_ALLOWED_LOCATIONS = ${locations(d.allowedLocations)}`);
    if (blocked.length && !sameList(current.blockedLocations, blocked))
      set.push(`STORAGE_BLOCKED_LOCATIONS = ${locations(blocked)}`);
    if (!sameComment(current.comment, d.comment)) set.push(`COMMENT = ${stringLiteral(d.comment ?? '')}`);
    const steps: Step[] = [];
    if (set.length) steps.push({ type: 'sql', sql: `ALTER STORAGE INTEGRATION ${q} SET ${set.join(' ')}` });
    if (!blocked.length && current.blockedLocations.length)
      steps.push({ type: 'sql', sql: `ALTER STORAGE INTEGRATION ${q} UNSET STORAGE_BLOCKED_LOCATIONS` });
    return steps.length ? { change: 'alter', steps, notes } : { change: 'no-op', steps: [], notes: [] };
  },
  drop: (d) => `DROP STORAGE INTEGRATION IF EXISTS ${quoteIdentifier(d.name)}`,
  attributes: (d, s) => ({ Name: d.name, StorageAwsIamUserArn: s.iamUserArn, StorageAwsExternalId: s.externalId }),
};
