/**
 * The custom resource contract between the constructs (lib/snowflake) and the provisioner
 * (lambda/snowflake-provisioner): one resource per Snowflake object, its definition as nested
 * properties. CloudFormation delivers every value as a string; the schema accepts both forms.
 */
import { z } from 'zod';
import {
  ACCESS_URL_PATTERN,
  hostNameSchema,
  secretArnSchema,
  SNOWFLAKE_NAME_PATTERN,
  snowflakeAccountSchema,
} from '../../contracts/config';
import type { SnowflakeConnection } from '../../contracts/config';
import { cfnBoolean, cfnInteger } from './values';

/** CloudFormation resource type of every Snowflake object resource. */
export const SNOWFLAKE_RESOURCE_TYPE = 'Custom::SnowflakeObject';

/** The `connection` property; its shape is {@link SnowflakeConnection}. */
export const connectionProperties = z
  .object({
    account: snowflakeAccountSchema,
    user: z.string().regex(SNOWFLAKE_NAME_PATTERN, 'must be a Snowflake user name'),
    role: z.string().regex(SNOWFLAKE_NAME_PATTERN, 'must be a Snowflake role name'),
    warehouse: z.string().regex(SNOWFLAKE_NAME_PATTERN, 'must be a Snowflake warehouse name'),
    privateKeySecretArn: secretArnSchema,
    host: hostNameSchema.optional(),
    accessUrl: z.string().regex(ACCESS_URL_PATTERN, 'must be an http(s) URL of a host').optional(),
  })
  .strict() satisfies z.ZodType<SnowflakeConnection>;
export type ConnectionProperties = z.infer<typeof connectionProperties>;

/** Timing knobs of the procedures (seconds). */
export const procedureProperties = z
  .object({
    /**
     * Accepted for stacks deployed by earlier versions and ignored: a pipe change no longer waits for
     * its backlog to drain (files submitted to a paused pipe stay pending until it resumes).
     */
    pipeDrainTimeoutSeconds: cfnInteger.optional(),
  })
  .strict();

export const resourceProperties = z
  .object({
    ServiceToken: z.string().optional(),
    /** Registered kind, e.g. `pipe`. */
    kind: z.string().min(1),
    connection: connectionProperties,
    /** The object's definition, validated by its kind. */
    definition: z.record(z.string(), z.unknown()),
    /** Take over an existing object (never dropped by the stack). @default false */
    adopt: cfnBoolean.optional(),
    /** `destroy` lets a Delete drop data-bearing objects. @default retain */
    removalPolicy: z.enum(['retain', 'destroy'], { error: 'must be retain or destroy' }).optional(),
    procedure: procedureProperties.optional(),
  })
  .strict();
export type ResourceProperties = z.input<typeof resourceProperties>;

/** Invalid resource properties; the message names each property path at fault. */
export class PropertyError extends Error {
  override readonly name = 'PropertyError';
  constructor(
    readonly problems: string[],
    logicalId = 'resource',
    options?: { cause?: unknown },
  ) {
    super(`Invalid properties of ${logicalId}:\n  ${problems.join('\n  ')}`, options);
  }
}

/** Formats zod issues as `prefix.path: message`. */
export function issuesOf(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${prefix}${path}: ${i.message}`;
  });
}
