/**
 * The Snowflake objects of one environment's ingestion, in dependency order, as kind + definition.
 * Pure: the CDK composition (lib/snowflake/snowflake-ingestion.ts) turns each into a custom
 * resource, and the offline plan renders the SQL a fresh deploy runs from the same list.
 */
import {
  BRONZE_COLUMNS,
  datasetObjectNames,
  datasetStagePath,
  pipelineObjectNames,
  schemaNames,
  storageIntegrationName,
} from './names';
import type { ObjectPath, SchemaNames } from './names';
import { notificationIntegrationName } from './kinds/notification-integration';
import { dataModelObjects } from './data-model-objects';
import type { DataModelObjectsInput } from './data-model-objects';

/** `[database, schema, name]` as the definition fields of a schema-level object. */
function objectPathFields([database, schema, name]: ObjectPath) {
  return { database, schema, name };
}

export interface IngestionObjectsInput {
  readonly project: string;
  readonly environment: string;
  /** Snowflake database (canonicalised). */
  readonly database: string;
  readonly rawSchema?: string;
  /** Stage bucket name (or a token's string form). */
  readonly stageBucketName: string;
  /** ARN of the role Snowflake assumes. */
  readonly roleArn: string;
  /** Explicit STORAGE_AWS_EXTERNAL_ID. @default none: Snowflake generates an unguessable one */
  readonly externalId?: string;
  readonly datasets: readonly { readonly name: string; readonly description?: string }[];
  /** Manage the database as an adopted object (created if absent, never dropped). @default true */
  readonly adoptDatabase?: boolean;
  /** Storage integration name. @default <PROJECT>_<ENV>_S3 */
  readonly integrationName?: string;
  /** An existing notification integration (managed elsewhere) for the pipes' load errors. @default none */
  readonly errorIntegration?: string;
  /**
   * Manage an outbound SNS notification integration (object `NotificationIntegration`) and make it
   * every pipe's ERROR_INTEGRATION (wins over `errorIntegration`). @default none
   */
  readonly errorNotifications?: ErrorNotificationsInput;
  /**
   * Also manage the medallion data model (CORE/GOLD schemas, streams, silver and rejects tables, MERGE
   * and follow-up tasks, gold views, reader role): see data-model-objects.ts. @default none
   */
  readonly dataModel?: Omit<DataModelObjectsInput, 'tag' | 'database' | 'rawSchema' | 'errorIntegration'>;
}

export interface ErrorNotificationsInput {
  /** Standard SNS topic Snowflake publishes to. */
  readonly topicArn: string;
  /** ARN of the role Snowflake assumes to publish (computed from its fixed name). */
  readonly roleArn: string;
  /** @default <PROJECT>_<ENV>_ERRORS */
  readonly name?: string;
}

/** Object id of the managed notification integration. */
export const NOTIFICATION_INTEGRATION_ID = 'NotificationIntegration';

/**
 * The error integration of an environment's objects, for every builder of objects that take
 * ERROR_INTEGRATION (pipes here; root tasks): its name and the object ids to depend on
 * (`[NOTIFICATION_INTEGRATION_ID]` when this stack manages it). `undefined`: none configured.
 */
export function errorIntegrationRef(
  input: Pick<IngestionObjectsInput, 'project' | 'environment' | 'errorIntegration' | 'errorNotifications'>,
): { readonly name: string; readonly dependsOn: readonly string[] } | undefined {
  if (input.errorNotifications)
    return {
      name: input.errorNotifications.name ?? notificationIntegrationName(input.project, input.environment),
      dependsOn: [NOTIFICATION_INTEGRATION_ID],
    };
  return input.errorIntegration ? { name: input.errorIntegration, dependsOn: [] } : undefined;
}

export interface IngestionObject {
  /** Construct id (stable: logical ids derive from it). */
  readonly id: string;
  readonly kind: string;
  readonly definition: Record<string, unknown>;
  /** Ids of objects this one needs first. */
  readonly dependsOn: readonly string[];
  /** Take over an existing object. */
  readonly adopt?: boolean;
  /** Dataset this object belongs to, if any. */
  readonly dataset?: string;
}

const dotted = (p: readonly string[]) => p.join('.');
const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());

export function ingestionObjects(input: IngestionObjectsInput): IngestionObject[] {
  const s: SchemaNames = schemaNames(input.database, input.rawSchema ? { raw: input.rawSchema } : {});
  const shared = pipelineObjectNames(s);
  const integration = input.integrationName ?? storageIntegrationName(input.project, input.environment);
  const tag = `${input.project} ${input.environment}`;
  const errors = errorIntegrationRef(input);
  const objects: IngestionObject[] = [
    {
      id: 'Database',
      kind: 'database',
      definition: { name: s.database },
      dependsOn: [],
      adopt: input.adoptDatabase ?? true,
    },
    {
      id: 'RawSchema',
      kind: 'schema',
      definition: {
        database: s.database,
        name: s.raw,
        comment: `Bronze landing tables and ingestion objects (${tag})`,
      },
      dependsOn: ['Database'],
    },
    {
      id: 'StorageIntegration',
      kind: 'storage-integration',
      definition: {
        name: integration,
        roleArn: input.roleArn,
        ...(input.externalId ? { externalId: input.externalId } : {}),
        allowedLocations: [`s3://${input.stageBucketName}/`],
        comment: `S3 access to the stage bucket (${tag})`,
      },
      dependsOn: [],
    },
    ...(input.errorNotifications && errors
      ? [
          {
            id: NOTIFICATION_INTEGRATION_ID,
            kind: 'notification-integration',
            definition: {
              name: errors.name,
              topicArn: input.errorNotifications.topicArn,
              roleArn: input.errorNotifications.roleArn,
              comment: `Snowflake load and task errors to SNS (${tag})`,
            },
            dependsOn: [],
          },
        ]
      : []),
    {
      id: 'FileFormat',
      kind: 'file-format',
      definition: {
        ...objectPathFields(shared.fileFormat),
        type: 'JSON',
        compression: 'GZIP',
        comment: 'Gzip NDJSON stage lines',
      },
      dependsOn: ['RawSchema'],
    },
    {
      id: 'Stage',
      kind: 'stage',
      definition: {
        ...objectPathFields(shared.stage),
        url: `s3://${input.stageBucketName}/`,
        storageIntegration: integration,
        fileFormat: dotted(shared.fileFormat),
        comment: `Stage bucket (${tag})`,
      },
      dependsOn: ['RawSchema', 'StorageIntegration', 'FileFormat'],
    },
  ];
  for (const d of input.datasets) {
    const names = datasetObjectNames(s, d.name);
    const id = pascal(d.name);
    objects.push({
      id: `${id}Bronze`,
      kind: 'table',
      dataset: d.name,
      definition: {
        ...objectPathFields(names.bronze),
        columns: BRONZE_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
        comment: d.description ?? `Bronze: ${d.name} as loaded by its pipe`,
      },
      dependsOn: ['RawSchema'],
    });
    objects.push({
      id: `${id}Pipe`,
      kind: 'pipe',
      dataset: d.name,
      definition: {
        ...objectPathFields(names.pipe),
        table: dotted(names.bronze),
        stage: dotted(shared.stage),
        path: datasetStagePath(d.name),
        fileFormat: dotted(shared.fileFormat),
        ...(errors ? { errorIntegration: errors.name } : {}),
        comment: `Loads ${datasetStagePath(d.name)} into ${dotted(names.bronze)}`,
      },
      dependsOn: [`${id}Bronze`, 'Stage', ...(errors?.dependsOn ?? [])],
    });
  }
  if (input.dataModel)
    objects.push(
      ...dataModelObjects({
        ...input.dataModel,
        tag,
        database: s.database,
        rawSchema: s.raw,
        ...(errors ? { errorIntegration: errors } : {}),
      }),
    );
  return objects;
}
