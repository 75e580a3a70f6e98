/**
 * The project's configuration: environments, sources (producers) and datasets, validated with zod.
 *
 * This module imports zod only (no aws-cdk-lib): the Lambda handlers, the sandbox and the plan
 * command import the dataset schema from here too.
 */
import { z } from 'zod';
import { DEFAULT_RETENTION } from './defaults';

/** Dataset and column names become Snowflake table and column names. */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/**
 * Column names become Snowflake column names (upper-cased when quoted, so they must differ ignoring case)
 * and, by default, the record field they are read from. They start with a letter: silver's own lineage
 * columns start with `_` and can never collide with them.
 */
export const COLUMN_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,254}$/;
/** Source names become the first segment of inbound keys and part of IAM role names. */
export const SOURCE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** Environment names become Stage names and resource-name prefixes. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;
/** Upper-case Snowflake identifiers used unquoted-compatible (database, schema, role, warehouse, user). */
export const SNOWFLAKE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
/**
 * Snowflake column types accepted in dataset specs: a type name with optional precision/scale.
 * Anything else (e.g. `NUMBER(38,0); DROP TABLE x`) is rejected at synth.
 */
export const SNOWFLAKE_TYPE_PATTERN =
  /^(NUMBER|DECIMAL|NUMERIC|INT|INTEGER|BIGINT|SMALLINT|TINYINT|BYTEINT|FLOAT|FLOAT4|FLOAT8|DOUBLE|DOUBLE PRECISION|REAL|VARCHAR|CHAR|CHARACTER|STRING|TEXT|BINARY|VARBINARY|BOOLEAN|DATE|TIME|DATETIME|TIMESTAMP|TIMESTAMP_LTZ|TIMESTAMP_NTZ|TIMESTAMP_TZ|VARIANT|OBJECT|ARRAY|GEOGRAPHY|GEOMETRY)(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/i;
/** A path into a record: dot-separated keys, each optionally followed by `[n]` array indexes. */
export const RECORD_PATH_PATTERN = /^[A-Za-z0-9_$@ -]+(\[\d+\])*(\.[A-Za-z0-9_$@ -]+(\[\d+\])*)*$/;

/** Each pattern's rule in words (error messages state the rule, not the regular expression). */
const RULES = new Map<RegExp, string>([
  [IDENTIFIER_PATTERN, 'must be lower case: a letter, then letters, digits or _ (at most 63 characters)'],
  [COLUMN_NAME_PATTERN, 'must start with a letter, then letters, digits or _ (at most 255 characters)'],
  [SOURCE_NAME_PATTERN, 'must be lower case: a letter, then letters, digits, _ or - (at most 32 characters)'],
  [ENVIRONMENT_NAME_PATTERN, 'must be lower case: a letter, then letters, digits or - (at most 16 characters)'],
  [
    SNOWFLAKE_NAME_PATTERN,
    'must be a Snowflake identifier: a letter or _, then letters, digits, _ or $ (at most 255 characters)',
  ],
  [
    SNOWFLAKE_TYPE_PATTERN,
    'must be a Snowflake data type, optionally with (precision) or (precision,scale): NUMBER(38,0), VARCHAR, ' +
      'BOOLEAN, DATE, TIMESTAMP_NTZ, VARIANT, …',
  ],
  [RECORD_PATH_PATTERN, 'must be a record path: keys separated by dots, each optionally followed by [n] (a.b[0].c)'],
]);
const matches = (re: RegExp) => RULES.get(re) ?? `must match ${re.source}`;
const ident = z.string().regex(IDENTIFIER_PATTERN, matches(IDENTIFIER_PATTERN));
const columnName = z.string().regex(COLUMN_NAME_PATTERN, matches(COLUMN_NAME_PATTERN));

/** Parser limits. Every limit breach is a clear reject (row or file), never a crash. */
export const DEFAULT_LIMITS = {
  /** Largest single record (CSV row or JSON value), in bytes of source text. */
  maxRecordBytes: 8 * 1024 * 1024,
  /** Deepest JSON nesting accepted in a record. */
  maxDepth: 64,
  /** Largest decompressed size of one input file, in bytes (bomb guard). */
  maxDecompressedBytes: 20 * 1024 * 1024 * 1024,
  /** Largest decompressed:compressed ratio accepted once more than 1 MiB has been inflated (bomb guard). */
  maxCompressionRatio: 200,
  /** Target size of one stage object (gzip bytes) before the output is split. */
  outputPartBytes: 200 * 1024 * 1024,
} as const;

export const limitsSchema = z
  .object({
    maxRecordBytes: z
      .number()
      .int()
      .min(1024)
      .max(128 * 1024 * 1024)
      .optional(),
    maxDepth: z.number().int().min(1).max(1000).optional(),
    maxDecompressedBytes: z.number().int().min(1).optional(),
    maxCompressionRatio: z.number().min(1).optional(),
    outputPartBytes: z
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .optional(),
  })
  .strict();

export const columnSchema = z
  .object({
    /** Silver column name. */
    name: columnName,
    /** Snowflake type, e.g. `NUMBER(38,0)`, `VARCHAR`, `TIMESTAMP_NTZ`. */
    type: z.string().regex(SNOWFLAKE_TYPE_PATTERN, matches(SNOWFLAKE_TYPE_PATTERN)),
    /** Path into the record (`order.id`, `items[0].sku`); default: the column name. */
    path: z
      .string()
      .regex(RECORD_PATH_PATTERN, matches(RECORD_PATH_PATTERN))
      // `$$` would end the EXECUTE IMMEDIATE $$ … $$ block the MERGE task body lives in.
      .refine((p) => !p.includes('$$'), 'must not contain "$$"')
      .optional(),
    /** Free text, becomes the column comment. */
    description: z.string().max(1000).optional(),
    /**
     * A present value that cannot be cast to `type` is always recorded in `<DATASET>_REJECTS` (CAST_FAILED);
     * `null` keeps the row in silver with NULL in this column, `reject` keeps the whole row out of silver.
     * @default the dataset's onCastError, else 'null'
     */
    onCastError: z.enum(['null', 'reject']).optional(),
  })
  .strict();

export const csvOptionsSchema = z
  .object({
    /** Field delimiter: one character. @default ',' for csv, TAB for tsv */
    delimiter: z.string().length(1, 'must be exactly one character').optional(),
    /** First row holds field names. false → fields are named by `columns` in order. @default true */
    header: z.boolean().optional(),
    /** Quote character (csv only; tsv has no quoting). @default '"' */
    quote: z.string().length(1, 'must be exactly one character').optional(),
  })
  .strict();

export const taskOptionsSchema = z
  .object({
    /** Run on a schedule (`5 MINUTE`, `USING CRON 0 * * * * UTC`) instead of when the stream has data. */
    schedule: z
      .string()
      .regex(
        /^(\d{1,5} (MINUTE|MINUTES|SECOND|SECONDS|HOUR|HOURS)|USING CRON [0-9*/,\- A-Za-z_]+)$/,
        'must be `<n> MINUTE` or `USING CRON <expr> <tz>`',
      )
      .optional(),
    /** Run on this warehouse instead of serverless compute. */
    warehouse: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
  })
  .strict();

/**
 * Fan-out by a record field: each record of this dataset goes to the dataset named by its field's value
 * (`split: { field: 'on', into: { vehicle: 'vehicle_events' } }`); a value with no target is rejected
 * (`SPLIT_NO_TARGET`). The dataset keeps its bronze table; it has no silver table of its own.
 */
export const splitSchema = z
  .object({
    /** One of this dataset's columns (its path is where the value is read). */
    field: columnName,
    /** Field value → target dataset (a dataset of the config, without a pipe of its own). */
    into: z
      .record(z.string().min(1).max(255), ident)
      .refine((m) => Object.keys(m).length > 0, 'must map at least one value to a dataset'),
  })
  .strict();

/**
 * An entity table derived from a dataset's silver table (`CORE.<NAME>`): one row per key, with the
 * latest values of `columns` and FIRST_SEEN / LAST_SEEN, refreshed by a task after the dataset's MERGE.
 */
export const entitySchema = z
  .object({
    /** Table name `CORE.<NAME>`. */
    name: ident,
    /** Columns of the dataset that identify the entity. */
    key: z.array(columnName).min(1, 'must list at least one column'),
    /** Further columns of the dataset, with the values of the latest version. @default none */
    columns: z.array(columnName).optional(),
    /**
     * Column whose minimum / maximum per key are FIRST_SEEN / LAST_SEEN, and whose latest value picks the
     * row the columns come from. @default the upload's S3 event time (`_RECEIVED_AT`)
     */
    seenBy: columnName.optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();

const datasetObject = z
  .object({
    name: ident,
    format: z.enum(['csv', 'tsv', 'json', 'ndjson', 'auto']),
    csv: csvOptionsSchema.optional(),
    columns: z.array(columnSchema).min(1, 'must list at least one column'),
    /** Silver deduplication key; absent → append-only silver. */
    primaryKey: z.array(columnName).min(1).optional(),
    /**
     * Which version of a key wins in silver: the highest `orderBy` value (a missing or uncastable value is
     * oldest), then the original upload's event time (`received_at`, the S3 event time of the inbound object,
     * kept by replays), then the source key, then the row number in the file — never processing or load time,
     * so a replay, a redelivery or a re-load changes nothing.
     */
    orderBy: columnName.optional(),
    /** Default `onCastError` of the dataset's columns (see columnSchema). @default 'null' */
    onCastError: z.enum(['null', 'reject']).optional(),
    /**
     * How column paths match record keys: `exact` (Snowflake VARIANT keys are case-sensitive) or
     * `case-insensitive` (`id` also reads `ID` or `Id`; an exact match wins). @default 'exact'
     */
    pathMatch: z.enum(['exact', 'case-insensitive']).optional(),
    limits: limitsSchema.optional(),
    task: taskOptionsSchema.optional(),
    description: z.string().max(1000).optional(),
    /** Route records to other datasets by a field's value. @default none */
    split: splitSchema.optional(),
    /** Entity tables derived from this dataset. @default none */
    entities: z.array(entitySchema).optional(),
  })
  .strict();

export const datasetSchema = datasetObject.superRefine((d, ctx) => {
  const names = new Set<string>();
  const canonical = new Map<string, string>();
  d.columns.forEach((c, i) => {
    const upper = c.name.toUpperCase();
    const clash = canonical.get(upper);
    if (clash !== undefined) {
      const message =
        clash === c.name
          ? `duplicate column "${c.name}"`
          : `column "${c.name}" clashes with "${clash}" (Snowflake column names ignore case)`;
      ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message });
    }
    canonical.set(upper, c.name);
    names.add(c.name);
  });
  d.primaryKey?.forEach((k, i) => {
    if (!names.has(k))
      ctx.addIssue({ code: 'custom', path: ['primaryKey', i], message: `"${k}" is not one of the columns` });
  });
  if (d.orderBy && !names.has(d.orderBy)) {
    ctx.addIssue({ code: 'custom', path: ['orderBy'], message: `"${d.orderBy}" is not one of the columns` });
  }
  if (d.csv && !['csv', 'tsv', 'auto'].includes(d.format)) {
    ctx.addIssue({
      code: 'custom',
      path: ['csv'],
      message: `csv options apply to csv, tsv or auto formats, not ${d.format}`,
    });
  }
  if (d.format === 'tsv' && d.csv?.quote) {
    ctx.addIssue({ code: 'custom', path: ['csv', 'quote'], message: 'tsv has no quoting' });
  }
  refineModelBlocks(d, names, ctx);
});

/** Checks of the `split` and `entities` blocks against the dataset's own columns. */
function refineModelBlocks(d: z.infer<typeof datasetObject>, names: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (d.split) {
    if (!names.has(d.split.field)) issue(['split', 'field'], `"${d.split.field}" is not one of the columns`);
    for (const field of ['primaryKey', 'orderBy', 'entities'] as const)
      if (d[field] !== undefined)
        issue([field], 'a split dataset has no silver table of its own: set it on the target datasets');
    Object.entries(d.split.into).forEach(([value, target]) => {
      if (target === d.name) issue(['split', 'into', value], 'a dataset cannot be its own split target');
    });
  }
  const seen = new Set<string>();
  d.entities?.forEach((e, i) => {
    if (seen.has(e.name)) issue(['entities', i, 'name'], `duplicate entity "${e.name}"`);
    seen.add(e.name);
    e.key.forEach((k, j) => {
      if (!names.has(k)) issue(['entities', i, 'key', j], `"${k}" is not one of the columns`);
    });
    if (e.seenBy !== undefined && !names.has(e.seenBy))
      issue(['entities', i, 'seenBy'], `"${e.seenBy}" is not one of the columns`);
    e.columns?.forEach((c, j) => {
      if (!names.has(c)) issue(['entities', i, 'columns', j], `"${c}" is not one of the columns`);
      if (e.key.includes(c)) issue(['entities', i, 'columns', j], `"${c}" is already part of the key`);
    });
  });
}

/** The datasets list on its own (the parser's `DATASETS` environment variable). */
export const datasetsSchema = z.array(datasetSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((d, i) => {
    if (seen.has(d.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate dataset "${d.name}"` });
    seen.add(d.name);
  });
});

const awsPrincipal = z
  .string()
  .regex(
    /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+))$/,
    'must be a 12-digit account id or an IAM role/user/root ARN',
  );

/** A PEM certificate block (one or more). */
const PEM_CERTIFICATE_PATTERN = /^\s*(-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*)+$/;

/**
 * IAM Roles Anywhere for a producer outside AWS: hosts holding a certificate issued by this CA obtain
 * temporary credentials for the source's upload role (no static keys). The CDK app creates a trust anchor
 * from the CA and a profile limited to the source's upload role.
 */
export const rolesAnywhereSchema = z
  .object({
    /** PEM of the CA certificate (bundle) that issues the producer hosts' certificates. */
    caCertificate: z
      .string()
      .regex(PEM_CERTIFICATE_PATTERN, 'must be a PEM certificate (-----BEGIN CERTIFICATE----- …)'),
    /** Only certificates whose subject CN is one of these may assume the role. @default any certificate of the CA */
    subjectCommonNames: z.array(z.string().min(1).max(64)).min(1).optional(),
    /** Longest session Roles Anywhere issues, in seconds. @default 3600 */
    sessionDurationSeconds: z.number().int().min(900).max(43200).optional(),
  })
  .strict();

export const sourceSchema = z
  .object({
    /** First segment of every key this producer uploads: `<source>/<dataset>/…`. */
    name: z.string().regex(SOURCE_NAME_PATTERN, matches(SOURCE_NAME_PATTERN)),
    /** AWS principals allowed to assume this source's upload role (hosts in AWS). No static keys, ever. */
    principals: z.array(awsPrincipal).min(1, 'must list at least one principal').optional(),
    /** Hosts outside AWS: IAM Roles Anywhere with this CA. At least one of principals / rolesAnywhere. */
    rolesAnywhere: rolesAnywhereSchema.optional(),
    /** Datasets this source may upload to. @default every dataset */
    datasets: z.array(ident).optional(),
    description: z.string().max(1000).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.principals && !s.rolesAnywhere) {
      ctx.addIssue({
        code: 'custom',
        path: ['principals'],
        message: 'must list at least one principal, or configure rolesAnywhere (a source needs a way to authenticate)',
      });
    }
  });

export const retentionSchema = z
  .object({
    /** Archive objects move to S3 Standard-IA after this many days. @default 30 */
    archiveInfrequentAccessDays: z.number().int().min(30).optional(),
    /** Archive objects move to Glacier Flexible Retrieval after this many days. @default 90 */
    archiveGlacierDays: z.number().int().min(1).optional(),
    /** Archive objects expire after this many days; absent → kept forever. @default undefined */
    archiveExpireDays: z.number().int().min(1).optional(),
    /** Stage objects (already loaded by Snowpipe) expire after this many days. @default 30 */
    stageExpireDays: z.number().int().min(8).optional(),
    /** Quarantine entries expire after this many days. @default 90 */
    quarantineExpireDays: z.number().int().min(1).optional(),
    /** Server access logs expire after this many days. @default 365 */
    accessLogExpireDays: z.number().int().min(1).optional(),
    /** CloudWatch log retention for the functions, in days. @default 30 */
    logRetentionDays: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const ia = r.archiveInfrequentAccessDays ?? DEFAULT_RETENTION.archiveInfrequentAccessDays;
    const glacier = r.archiveGlacierDays ?? DEFAULT_RETENTION.archiveGlacierDays;
    if (glacier <= ia)
      ctx.addIssue({
        code: 'custom',
        path: ['archiveGlacierDays'],
        message: `must be greater than archiveInfrequentAccessDays (${ia})`,
      });
    if (r.archiveExpireDays !== undefined && r.archiveExpireDays <= glacier) {
      ctx.addIssue({
        code: 'custom',
        path: ['archiveExpireDays'],
        message: `must be greater than archiveGlacierDays (${glacier})`,
      });
    }
  });

export const ingestionSchema = z
  .object({
    /** SQS messages per parser invocation. @default 10 */
    batchSize: z.number().int().min(1).max(10000).optional(),
    /** Seconds the event source waits to fill a batch. @default 5 */
    maxBatchingWindowSeconds: z.number().int().min(0).max(300).optional(),
    /** Parser timeout in seconds. @default 900 */
    parserTimeoutSeconds: z.number().int().min(10).max(900).optional(),
    /** Parser memory in MB. @default 2048 */
    parserMemoryMb: z.number().int().min(256).max(10240).optional(),
    /** Receives before a message goes to the dead-letter queue. @default 5 */
    maxReceiveCount: z.number().int().min(1).max(1000).optional(),
    /** Parser concurrency cap (the event source's maximum concurrency). @default 10 */
    maxConcurrency: z.number().int().min(2).max(1000).optional(),
  })
  .strict();

/** A Snowflake account identifier `<org>-<account>` (or a locator). */
export const snowflakeAccountSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be an account identifier like ORG-ACCOUNT');
/** The ARN of a Secrets Manager secret (a Snowflake user's private key). */
export const secretArnSchema = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN');
/** A host name (the PrivateLink host of a Snowflake account). */
export const hostNameSchema = z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name');
/** An http(s) URL of a host, optionally with a port (a Snowflake URL override for local test servers). */
export const ACCESS_URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/;

/**
 * How a component reaches Snowflake (the provisioner's `connection` property, the scheduled functions'
 * `SNOWFLAKE_CONNECTION`, the plan command). Never holds key material: only the secret's ARN.
 */
export interface SnowflakeConnection {
  /** Account identifier `<org>-<account>` (or a locator). */
  readonly account: string;
  readonly user: string;
  /** Role the component uses (the provisioner's needs CREATE INTEGRATION for the storage integration). */
  readonly role: string;
  readonly warehouse: string;
  /** Secrets Manager secret holding the PEM private key, or JSON `{privateKey, passphrase}`. */
  readonly privateKeySecretArn: string;
  /** Host override (PrivateLink: `<account>.privatelink.snowflakecomputing.com`). @default `<account>.snowflakecomputing.com` */
  readonly host?: string;
  /** Full URL override, for local test servers only (`http://127.0.0.1:PORT`). @default https://<host> */
  readonly accessUrl?: string;
}

export const snowflakeSchema = z
  .object({
    /** Account identifier `<org>-<account>` (or a locator). */
    account: snowflakeAccountSchema,
    user: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)),
    /** Role the provisioner uses (needs CREATE INTEGRATION for the storage integration). */
    role: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)),
    warehouse: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)),
    database: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)),
    /** ARN of the Secrets Manager secret holding the PEM private key (key-pair auth). */
    privateKeySecretArn: secretArnSchema,
    /** Host override for PrivateLink (`<account>.privatelink.snowflakecomputing.com`). */
    host: hostNameSchema.optional(),
    /** Explicit STORAGE_AWS_EXTERNAL_ID. @default none: Snowflake generates an unguessable one (never in the template) */
    externalId: z
      .string()
      .regex(/^[A-Za-z0-9_+=,.@:/-]{2,1224}$/, 'must be a valid sts:ExternalId')
      .optional(),
    /** Schema names. @default RAW, CORE, GOLD */
    rawSchema: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
    coreSchema: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
    goldSchema: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
    /**
     * Connection of the scheduled health monitor (least privilege: a monitoring user with MONITOR on the pipes and
     * tasks is recommended). Each field defaults to the deployer's.
     */
    monitor: z
      .object({
        user: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
        role: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
        warehouse: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
        privateKeySecretArn: secretArnSchema.optional(),
        /** Minutes between health checks (each check resumes the warehouse briefly). @default DEFAULT_HEALTH_CHECK_MINUTES (15) */
        scheduleMinutes: z.number().int().min(1).max(1440).optional(),
      })
      .strict()
      .optional(),
    /**
     * The health monitor's and pipe refresher's own Snowflake identities, provisioned by the deploy (a role with
     * exact grants, a TYPE = SERVICE user and a key secret per function) unless `monitor.user` names an identity
     * managed by hand. `keyRotation`: bump to install new key pairs. @default provisioned, keyRotation 0
     */
    serviceUsers: z
      .object({ keyRotation: z.number().int().min(0).max(1_000_000).optional() })
      .strict()
      .optional(),
    /** Read-only role granted SELECT on gold. @default <DATABASE>_READER */
    readerRole: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
    /** Warehouse the reader role may use (USAGE), so analysts holding only it can query. @default none */
    readerWarehouse: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
  })
  .strict();

export const alarmsSchema = z
  .object({
    /** E-mail addresses subscribed to the environment's alarm topic. */
    emails: z.array(z.email('must be an e-mail address')).optional(),
    /** Extra SNS-compatible HTTPS endpoints (chat integrations) subscribed to the alarm topic. */
    httpsEndpoints: z.array(z.url({ protocol: /^https$/, error: 'must be an https URL' })).optional(),
    /** Runbook location; each alarm description links `<runbookUrl>#<section>`. @default 'docs/operations.md' */
    runbookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Minutes without a new silver row (while files are staged) before the freshness alarm. @default 60 */
    freshnessMinutes: z.number().int().min(5).optional(),
  })
  .strict();

export const environmentSchema = z
  .object({
    name: z.string().regex(ENVIRONMENT_NAME_PATTERN, matches(ENVIRONMENT_NAME_PATTERN)),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region like eu-west-1'),
    /**
     * What `cdk destroy` (and a removed dataset) does to data: `destroy` deletes buckets and drops
     * data-bearing Snowflake objects (dev); `retain` keeps everything (prod).
     */
    removalPolicy: z.enum(['destroy', 'retain']),
    retention: retentionSchema.optional(),
    ingestion: ingestionSchema.optional(),
    snowflake: snowflakeSchema,
    alarms: alarmsSchema.optional(),
    /** Per-dataset overrides for this environment: top-level dataset fields replaced (not merged). */
    datasetOverrides: z.record(ident, datasetObject.omit({ name: true }).partial()).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    // Least privilege: the health monitor and the pipe refresher must not sign in as the deployer
    // (CREATE INTEGRATION, CREATE ROLE, MANAGE GRANTS…) in an environment whose data is kept.
    if (e.removalPolicy !== 'retain') return;
    const m = e.snowflake.monitor ?? {};
    // Nothing named: the deploy provisions each function's own identity (snowflake.serviceUsers).
    if (provisionsServiceIdentities(e.snowflake)) return;
    if (!m.user || m.user.toUpperCase() === e.snowflake.user.toUpperCase())
      ctx.addIssue({
        code: 'custom',
        path: ['snowflake', 'monitor', 'user'],
        message: `must name the monitor's own user (not the deployer ${e.snowflake.user}) when removalPolicy is retain`,
      });
    if (!m.privateKeySecretArn || m.privateKeySecretArn === e.snowflake.privateKeySecretArn)
      ctx.addIssue({
        code: 'custom',
        path: ['snowflake', 'monitor', 'privateKeySecretArn'],
        message: "must name the monitor's own key secret (not the deployer's) when removalPolicy is retain",
      });
    if (!m.role || m.role.toUpperCase() === e.snowflake.role.toUpperCase())
      ctx.addIssue({
        code: 'custom',
        path: ['snowflake', 'monitor', 'role'],
        message: `must name the monitor's own role (not the deployer's ${e.snowflake.role}) when removalPolicy is retain`,
      });
  });

/**
 * Whether the deploy provisions the health monitor's and pipe refresher's own Snowflake identities (service
 * roles, users and key secrets): yes unless `snowflake.monitor` names a hand-managed user, role or secret.
 */
export function provisionsServiceIdentities(snowflake: {
  readonly monitor?: { readonly user?: string; readonly role?: string; readonly privateKeySecretArn?: string };
}): boolean {
  const m = snowflake.monitor ?? {};
  return !m.user && !m.role && !m.privateKeySecretArn;
}

/** A follow-up task: user SQL run AFTER a dataset's MERGE task (or another follow-up task). */
export const followUpTaskSchema = z
  .object({
    /** Task name: the task is `CORE.<NAME>`. */
    name: ident,
    /** Dataset names (their MERGE task) and/or other follow-up task names. */
    after: z.array(ident).min(1, 'must name at least one dataset or task'),
    /** Task body: one statement, or an EXECUTE IMMEDIATE block. */
    sql: z.string().min(1, 'must not be empty'),
    /** Run on this warehouse. @default the root dataset task's compute */
    warehouse: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
    comment: z.string().max(1000).optional(),
  })
  .strict();

/** A column of a vault hub (business key) or satellite (attribute). */
export const vaultColumnSchema = z
  .object({
    name: columnName,
    type: z.string().regex(SNOWFLAKE_TYPE_PATTERN, matches(SNOWFLAKE_TYPE_PATTERN)),
    description: z.string().max(1000).optional(),
  })
  .strict();

/**
 * Data vault 2.0 (docs/data-model.md "Data vault"): hubs, links and satellites in schema VAULT, loaded
 * from each listed dataset's own stream by one multi-table INSERT per batch; generated dimensions and
 * facts plus `snowflake/warehouse/*.sql` views in WAREHOUSE; `snowflake/mart/*.sql` views in MART.
 */
export const vaultSchema = z
  .object({
    /** `VAULT.HUB_<NAME>`: hash key of the normalised business key, the key, load time, record source. */
    hubs: z
      .array(
        z
          .object({
            name: ident,
            businessKey: z.array(vaultColumnSchema).min(1, 'must list at least one column'),
            description: z.string().max(1000).optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one hub'),
    /** `VAULT.LINK_<NAME>`: the hash keys of two or more hubs. */
    links: z
      .array(
        z
          .object({
            name: ident,
            hubs: z.array(ident).min(2, 'must name at least two hubs'),
            /**
             * Dependent child key: columns that, with the hubs' keys, identify one link row (e.g. the line of a
             * basket, so the same product twice is two rows). Part of the link's hash key. @default none
             */
            childKey: z.array(vaultColumnSchema).min(1, 'must list at least one column').optional(),
          })
          .strict(),
      )
      .optional(),
    /** `VAULT.SAT_<NAME>`: attributes of a hub or link, one row per change (hashdiff). */
    satellites: z
      .array(
        z
          .object({
            name: ident,
            /** A hub or link name. */
            parent: ident,
            attributes: z.array(vaultColumnSchema).min(1, 'must list at least one attribute'),
          })
          .strict(),
      )
      .optional(),
    /** Which datasets load which hubs, links and satellites. */
    loads: z
      .array(
        z
          .object({
            dataset: ident,
            /** Path of an array in the record: one source row per element (`item.<path>` reads it). */
            unnest: z.string().regex(RECORD_PATH_PATTERN, matches(RECORD_PATH_PATTERN)).optional(),
            hubs: z.array(ident).min(1, 'must name at least one hub'),
            links: z.array(ident).optional(),
            satellites: z.array(ident).optional(),
            /**
             * Where a vault column is read: column name → record path, or `item.<path>` in the unnested
             * element. @default the dataset column of that name, else `item.<name>` when `unnest` is set
             */
            paths: z.record(columnName, z.string().regex(RECORD_PATH_PATTERN, matches(RECORD_PATH_PATTERN))).optional(),
            /** Vault column that receives the 1-based position of the `unnest`ed element (a line number). @default none */
            elementIndex: columnName.optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one load'),
    /** Role reading MART only (the data-science team). @default <DATABASE>_DATA_SCIENCE */
    dataScienceRole: z.string().regex(SNOWFLAKE_NAME_PATTERN, matches(SNOWFLAKE_NAME_PATTERN)).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const hubs = new Set(v.hubs.map((h) => h.name));
    const links = new Set((v.links ?? []).map((l) => l.name));
    const sats = new Set((v.satellites ?? []).map((s) => s.name));
    const unique = (names: string[], key: string) =>
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i) issue([key, i, 'name'], `duplicate name "${n}"`);
      });
    unique(
      v.hubs.map((h) => h.name),
      'hubs',
    );
    unique(
      (v.links ?? []).map((l) => l.name),
      'links',
    );
    unique(
      (v.satellites ?? []).map((s) => s.name),
      'satellites',
    );
    v.links?.forEach((l, i) =>
      l.hubs.forEach((h, j) => {
        if (!hubs.has(h)) issue(['links', i, 'hubs', j], `unknown hub "${h}"`);
      }),
    );
    v.satellites?.forEach((s, i) => {
      if (!hubs.has(s.parent) && !links.has(s.parent))
        issue(['satellites', i, 'parent'], `"${s.parent}" is neither a hub nor a link`);
    });
    v.loads.forEach((l, i) => {
      l.hubs.forEach((h, j) => {
        if (!hubs.has(h)) issue(['loads', i, 'hubs', j], `unknown hub "${h}"`);
      });
      l.links?.forEach((k, j) => {
        if (!links.has(k)) issue(['loads', i, 'links', j], `unknown link "${k}"`);
        const link = v.links?.find((x) => x.name === k);
        link?.hubs
          .filter((h) => !l.hubs.includes(h))
          .forEach((h) => issue(['loads', i, 'links', j], `link "${k}" needs hub "${h}" in this load's hubs`));
      });
      if (l.elementIndex && !l.unnest) issue(['loads', i, 'elementIndex'], 'needs unnest (the position of an element)');
      l.satellites?.forEach((s, j) => {
        if (!sats.has(s)) issue(['loads', i, 'satellites', j], `unknown satellite "${s}"`);
        const parent = v.satellites?.find((x) => x.name === s)?.parent;
        if (parent && !l.hubs.includes(parent) && !(l.links ?? []).includes(parent))
          issue(['loads', i, 'satellites', j], `satellite "${s}" needs its parent "${parent}" in this load`);
      });
    });
  });

export const pipelineConfigSchema = z
  .object({
    /** Short project name, prefixes resource names. */
    project: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,19}$/, 'must be lower case: a letter, then letters, digits or - (2 to 20 characters)'),
    sources: z.array(sourceSchema).min(1, 'must list at least one source'),
    datasets: datasetsSchema.min(1, 'must list at least one dataset'),
    environments: z.array(environmentSchema).min(1, 'must list at least one environment'),
    /** Follow-up tasks (in addition to `snowflake/tasks/*.sql`). @default none */
    tasks: z.array(followUpTaskSchema).optional(),
    /** Data vault 2.0 → warehouse → mart layers. @default none */
    vault: vaultSchema.optional(),
    /**
     * Folder of the project's SQL files: `gold/` (views), `tasks/` (follow-up tasks), `warehouse/` and `mart/`
     * (vault layers), each optional. Read from a file, a relative path is resolved against the config file's
     * folder. @default this repository's `snowflake/` (the reference scenarios' SQL)
     */
    sqlDirectory: z.string().min(1, 'must name a folder').optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const datasetNames = new Set(c.datasets.map((d) => d.name));
    const unique = (items: { name: string }[], key: string) => {
      const seen = new Set<string>();
      items.forEach((it, i) => {
        if (seen.has(it.name))
          ctx.addIssue({
            code: 'custom',
            path: [key, i, 'name'],
            message: `duplicate ${key.slice(0, -1)} "${it.name}"`,
          });
        seen.add(it.name);
      });
    };
    unique(c.sources, 'sources');
    unique(c.environments, 'environments');
    c.sources.forEach((s, i) =>
      s.datasets?.forEach((d, j) => {
        if (!datasetNames.has(d))
          ctx.addIssue({ code: 'custom', path: ['sources', i, 'datasets', j], message: `unknown dataset "${d}"` });
      }),
    );
    refineModelReferences(c, ctx);
    c.environments.forEach((e, i) => {
      Object.keys(e.datasetOverrides ?? {}).forEach((d) => {
        if (!datasetNames.has(d))
          ctx.addIssue({
            code: 'custom',
            path: ['environments', i, 'datasetOverrides', d],
            message: `unknown dataset "${d}"`,
          });
      });
    });
  });

/** Cross-references of split targets, entity names and vault loads (names must resolve, nothing may be lost). */
function refineModelReferences(
  c: {
    readonly sources: readonly z.infer<typeof sourceSchema>[];
    readonly datasets: readonly z.infer<typeof datasetSchema>[];
    readonly vault?: z.infer<typeof vaultSchema>;
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const byName = new Map(c.datasets.map((d) => [d.name, d]));
  const parentOf = new Map<string, string>();
  c.datasets.forEach((d, i) =>
    Object.entries(d.split?.into ?? {}).forEach(([value, target]) => {
      const path = ['datasets', i, 'split', 'into', value];
      const t = byName.get(target);
      if (!t) return issue(path, `unknown dataset "${target}"`);
      if (t.split) issue(path, `"${target}" is itself split (one level of fan-out only)`);
      const other = parentOf.get(target);
      if (other && other !== d.name) issue(path, `"${target}" is already the split target of "${other}"`);
      parentOf.set(target, d.name);
    }),
  );
  c.sources.forEach((s, i) => {
    if (parentOf.size && !s.datasets)
      issue(['sources', i, 'datasets'], 'must list its datasets when split targets exist (they have no pipe)');
    s.datasets?.forEach((d, j) => {
      if (parentOf.has(d))
        issue(['sources', i, 'datasets', j], `"${d}" is a split target of "${parentOf.get(d)}": upload to that`);
    });
  });
  const core = new Set(c.datasets.flatMap((d) => [d.name, `${d.name}_rejects`, `${d.name}_merge`]));
  c.datasets.forEach((d, i) =>
    d.entities?.forEach((e, j) => {
      if (core.has(e.name)) issue(['datasets', i, 'entities', j, 'name'], `"${e.name}" collides with a core table`);
      core.add(e.name);
    }),
  );
  c.vault?.loads.forEach((l, i) => {
    const d = byName.get(l.dataset);
    if (!d) issue(['vault', 'loads', i, 'dataset'], `unknown dataset "${l.dataset}"`);
    else if (d.split) issue(['vault', 'loads', i, 'dataset'], `"${l.dataset}" is split: load from its targets`);
  });
}

export type Limits = z.infer<typeof limitsSchema>;
export type ColumnSpec = z.infer<typeof columnSchema>;
export type CsvOptions = z.infer<typeof csvOptionsSchema>;
export type DatasetSpec = z.infer<typeof datasetSchema>;
export type SourceSpec = z.infer<typeof sourceSchema>;
export type EnvironmentSpec = z.infer<typeof environmentSchema>;
export type SnowflakeSpec = z.infer<typeof snowflakeSchema>;
export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;
export type FollowUpTaskConfig = z.infer<typeof followUpTaskSchema>;
export type RetentionSpec = z.infer<typeof retentionSchema>;
export type IngestionSpec = z.infer<typeof ingestionSchema>;
export type AlarmsSpec = z.infer<typeof alarmsSchema>;

/**
 * The parser's `SOURCES` value: each source → the datasets it may write, or `'*'` when its
 * `datasets` is absent (every dataset).
 */
export function sourceAllowlist(
  sources: readonly Pick<SourceSpec, 'name' | 'datasets'>[],
): Record<string, readonly string[] | '*'> {
  return Object.fromEntries(sources.map((s) => [s.name, s.datasets ?? '*']));
}

/** Raised for any invalid configuration; the message lists every problem as `path: rule`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: string[],
    what = 'pipeline config',
    options?: { cause?: unknown },
  ) {
    super(`Invalid ${what}:\n  ${problems.join('\n  ')}`, options);
  }
}

/** `['datasets', 2, 'name']` → `datasets[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * The path with each list element named by its `name` (`datasets[0](orders).columns[9](price).type`) and the
 * value found there, read from the raw input.
 */
function describeAt(raw: unknown, path: readonly PropertyKey[]): { at: string; value: unknown; found: boolean } {
  let node: unknown = raw;
  let found = true;
  const parts: string[] = [];
  path.forEach((p, i) => {
    const next =
      found && node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[p] : undefined;
    found = found && node !== null && typeof node === 'object' && p in (node as object);
    node = next;
    const name = (node as { name?: unknown } | undefined)?.name;
    const label = typeof p === 'number' && typeof name === 'string' && i < path.length - 1 ? `(${name})` : '';
    parts.push(`${typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`}${label}`);
  });
  return { at: parts.join(''), value: node, found };
}

/** The bad value, short enough for one line. */
export function echo(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown, what: string, prefix = ''): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const { at, value, found } = describeAt(raw, issue.path);
    const where = prefix ? (at ? (at.startsWith('[') ? `${prefix}${at}` : `${prefix}.${at}`) : prefix) : at;
    const got = !found ? ' (missing)' : typeof value === 'object' && value !== null ? '' : ` (got ${echo(value)})`;
    // A message that already quotes the value needs no echo.
    return `${where || '(root)'}: ${issue.message}${got !== '' && issue.message.includes(echo(value)) ? '' : got}`;
  });
  throw new ConfigError(problems, what);
}

/** Validates the whole project configuration; throws {@link ConfigError} naming each field path and rule. */
export function loadConfig(raw: unknown): PipelineConfig {
  return parseWith(pipelineConfigSchema, raw, 'pipeline config');
}

/** Validates a datasets list (e.g. the parser's `DATASETS` variable, already JSON-parsed). */
export function parseDatasets(raw: unknown, what = 'DATASETS'): DatasetSpec[] {
  return parseWith(datasetsSchema, raw, what, what);
}

/** Everything one environment needs, with dataset overrides applied. */
export interface ResolvedEnvironment {
  readonly project: string;
  readonly environment: EnvironmentSpec;
  readonly sources: SourceSpec[];
  readonly datasets: DatasetSpec[];
  /** Follow-up tasks from config (files in snowflake/tasks/ are loaded separately). */
  readonly tasks: FollowUpTaskConfig[];
  /** Data vault layers from config. @default undefined */
  readonly vault?: VaultSpec;
  /** The project's SQL folder (`gold/`, `tasks/`, `warehouse/`, `mart/`). @default undefined: the bundled one */
  readonly sqlDirectory?: string;
}

/** Applies an environment's dataset overrides (top-level fields replaced) and re-validates the result. */
export function resolveEnvironment(config: PipelineConfig, environmentName: string): ResolvedEnvironment {
  const environment = config.environments.find((e) => e.name === environmentName);
  if (!environment) {
    throw new ConfigError(
      [
        `environments: no environment named "${environmentName}" (have: ${config.environments.map((e) => e.name).join(', ')})`,
      ],
      'environment',
    );
  }
  const merged = config.datasets.map((d) => ({ ...d, ...(environment.datasetOverrides?.[d.name] ?? {}) }));
  const datasets = parseDatasets(merged, `environments[${environmentName}].datasets`);
  return {
    project: config.project,
    environment,
    sources: config.sources,
    datasets,
    tasks: config.tasks ?? [],
    ...(config.vault ? { vault: config.vault } : {}),
    ...(config.sqlDirectory ? { sqlDirectory: config.sqlDirectory } : {}),
  };
}

/** `dev` → `Dev`, `pre-prod` → `PreProd`: the CDK Stage name of an environment. */
export function stageName(environmentName: string): string {
  return environmentName
    .split('-')
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

/** Effective limits of a dataset (defaults applied once, here). */
export function effectiveLimits(dataset: DatasetSpec): Required<Limits> {
  return {
    maxRecordBytes: dataset.limits?.maxRecordBytes ?? DEFAULT_LIMITS.maxRecordBytes,
    maxDepth: dataset.limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxDecompressedBytes: dataset.limits?.maxDecompressedBytes ?? DEFAULT_LIMITS.maxDecompressedBytes,
    maxCompressionRatio: dataset.limits?.maxCompressionRatio ?? DEFAULT_LIMITS.maxCompressionRatio,
    outputPartBytes: dataset.limits?.outputPartBytes ?? DEFAULT_LIMITS.outputPartBytes,
  };
}

export type SplitSpec = z.infer<typeof splitSchema>;
export type EntitySpec = z.infer<typeof entitySchema>;
export type VaultSpec = z.infer<typeof vaultSchema>;
