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
import type { SchemaNames } from './names';

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
  readonly externalId: string;
  readonly datasets: readonly { readonly name: string; readonly description?: string }[];
  /** Manage the database as an adopted object (created if absent, never dropped). @default true */
  readonly adoptDatabase?: boolean;
  /** Storage integration name. @default <PROJECT>_<ENV>_S3 */
  readonly integrationName?: string;
  /** Error notification integration for pipes. @default none */
  readonly errorIntegration?: string;
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
        externalId: input.externalId,
        allowedLocations: [`s3://${input.stageBucketName}/`],
        comment: `S3 access to the stage bucket (${tag})`,
      },
      dependsOn: [],
    },
    {
      id: 'FileFormat',
      kind: 'file-format',
      definition: {
        database: shared.fileFormat[0],
        schema: shared.fileFormat[1],
        name: shared.fileFormat[2],
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
        database: shared.stage[0],
        schema: shared.stage[1],
        name: shared.stage[2],
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
        database: names.bronze[0],
        schema: names.bronze[1],
        name: names.bronze[2],
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
        database: names.pipe[0],
        schema: names.pipe[1],
        name: names.pipe[2],
        table: dotted(names.bronze),
        stage: dotted(shared.stage),
        path: datasetStagePath(d.name),
        fileFormat: dotted(shared.fileFormat),
        ...(input.errorIntegration ? { errorIntegration: input.errorIntegration } : {}),
        comment: `Loads ${datasetStagePath(d.name)} into ${dotted(names.bronze)}`,
      },
      dependsOn: [`${id}Bronze`, 'Stage'],
    });
  }
  return objects;
}
