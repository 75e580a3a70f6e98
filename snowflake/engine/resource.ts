/**
 * The custom resource contract between the constructs (lib/snowflake) and the provisioner
 * (lambda/snowflake-provisioner): one resource per Snowflake object, its definition as nested
 * properties. CloudFormation delivers every value as a string; the schema accepts both forms.
 */
import { z } from 'zod';
import { cfnBoolean, cfnInteger } from './values';

/** CloudFormation resource type of every Snowflake object resource. */
export const SNOWFLAKE_RESOURCE_TYPE = 'Custom::SnowflakeObject';

export const connectionProperties = z
  .object({
    account: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be an account identifier like ORG-ACCOUNT'),
    user: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/, 'must be a Snowflake user name'),
    role: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/, 'must be a Snowflake role name'),
    warehouse: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/, 'must be a Snowflake warehouse name'),
    privateKeySecretArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN'),
    host: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name')
      .optional(),
    accessUrl: z
      .string()
      .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/, 'must be an http(s) URL of a host')
      .optional(),
  })
  .strict();
export type ConnectionProperties = z.infer<typeof connectionProperties>;

/** Timing knobs of the procedures (seconds). */
export const procedureProperties = z
  .object({
    /** Longest wait for a paused pipe to drain. @default 240 */
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
  ) {
    super(`Invalid properties of ${logicalId}:\n  ${problems.join('\n  ')}`);
  }
}

/** Formats zod issues as `prefix.path: message`. */
export function issuesOf(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${prefix}${path}: ${i.message}`;
  });
}
