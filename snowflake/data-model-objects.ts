/**
 * The medallion data model of one environment as provisioner objects (kind + definition +
 * dependencies), appended by ingestion-objects.ts after the ingestion objects: CORE and GOLD schemas;
 * per dataset its append-only stream, silver table, rejects table (key rejects and cast failures) and
 * MERGE task; follow-up tasks; gold views in dependency order; the file ledger's OPS objects; the reader role. Pure: the CDK
 * composition and the plan command build the same list.
 */
import type { DatasetSpec, VaultSpec } from '../contracts/config';
import type { IngestionObject } from './ingestion-objects';
import { canonicalName } from './identifiers';
import { MANIFEST_COLUMNS, opsObjectNames, schemaNames } from './names';
import type { ObjectPath } from './names';
import { buildDatasetModels, hasRejects, hasSilver } from './model/split';
import { layerObjects } from './layer-objects';
import { snowflakeDialect } from './model/dialect';
import { planFollowUpTasks } from './model/follow-up-tasks';
import type { FollowUpTaskSpec } from './model/follow-up-tasks';
import { goldViewComment, planGoldViews, resolveReferences } from './model/gold';
import { ledgerViewQuery, manifestsPipeDefinition } from './model/ledger';
import type { GoldViewSource } from './model/gold';
import { mergeTaskDefinition } from './model/tasks';
import type { MergeTaskOptions, TaskDefinition } from './model/tasks';

export interface DataModelObjectsInput {
  /** `<project> <environment>`, used in comments. */
  readonly tag: string;
  readonly database: string;
  /** @default RAW */
  readonly rawSchema?: string;
  /** @default CORE */
  readonly coreSchema?: string;
  /** @default GOLD */
  readonly goldSchema?: string;
  /** Operations schema (file manifests, file ledger). @default OPS */
  readonly opsSchema?: string;
  /** Full dataset specs (contracts/config.ts, overrides applied). */
  readonly datasets: readonly DatasetSpec[];
  /** `snowflake/gold/*.sql` (loadGoldViews). @default none */
  readonly goldViews?: readonly GoldViewSource[];
  /** `snowflake/tasks/*.sql` and config `tasks`. @default none */
  readonly followUpTasks?: readonly FollowUpTaskSpec[];
  /** Reader role name; `null` for none. @default <DATABASE>_READER */
  readonly readerRole?: string | null;
  /** Warehouse the reader role gets USAGE on. @default none */
  readonly readerWarehouse?: string;
  readonly taskOptions?: MergeTaskOptions;
  /** Data vault layers (config `vault`). @default none */
  readonly vault?: VaultSpec;
  /** `snowflake/warehouse/*.sql` and `snowflake/mart/*.sql` (loadGoldViews of each folder). @default none */
  readonly layerViews?: { readonly warehouse: readonly GoldViewSource[]; readonly mart: readonly GoldViewSource[] };
  /** ERROR_INTEGRATION of the MERGE tasks and the object ids it needs. @default none */
  readonly errorIntegration?: { readonly name: string; readonly dependsOn: readonly string[] };
}

/** Construct id fragment of a lower snake name (`retail_users` → `RetailUsers`), as ingestion-objects.ts. */
export const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
const ref = (p: ObjectPath) => p.join('.');

/** Object id of the pipe loading the parser's file manifests into OPS.FILE_MANIFESTS. */
export const FILE_MANIFESTS_PIPE_ID = 'FileManifestsPipe';

export function taskProperties(t: TaskDefinition): Record<string, unknown> {
  const [database, schema, name] = t.name;
  const props: Record<string, unknown> = {
    database,
    schema,
    name,
    warehouse: t.warehouse,
    initialWarehouseSize: t.initialWarehouseSize,
    targetCompletionInterval: t.targetCompletionInterval,
    schedule: t.schedule,
    body: t.body,
    suspendTaskAfterNumFailures: t.suspendTaskAfterNumFailures,
    timezone: t.timezone,
    comment: t.comment,
  };
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

/**
 * The file ledger's objects: OPS schema, OPS.FILE_MANIFESTS, the pipe OPS.FILE_MANIFESTS_PIPE that fills it
 * from `@<stage>/manifests/` (snowflake/model/ledger.ts manifestsPipeDefinition; it needs the ingestion
 * objects `Stage` and `FileFormat`) and the OPS.FILE_LEDGER view over the manifests and every dataset's
 * bronze, silver and rejects tables.
 */
function opsObjects(
  s: ReturnType<typeof schemaNames>,
  models: ReturnType<typeof buildDatasetModels>,
  errorIntegration: DataModelObjectsInput['errorIntegration'],
): IngestionObject[] {
  const ops = opsObjectNames(s);
  return [
    {
      id: 'OpsSchema',
      kind: 'schema',
      definition: { database: s.database, name: s.ops, comment: 'Operations: file manifests and the file ledger' },
      dependsOn: ['Database'],
    },
    {
      id: 'FileManifests',
      kind: 'table',
      definition: {
        database: s.database,
        schema: s.ops,
        name: ops.manifests[2],
        columns: MANIFEST_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
        comment: 'File manifests written by the parser under manifests/ of the stage bucket, one row per file.',
      },
      dependsOn: ['OpsSchema'],
    },
    {
      id: FILE_MANIFESTS_PIPE_ID,
      kind: 'pipe',
      definition: { ...manifestsPipeDefinition(s, { errorIntegration: errorIntegration?.name }) },
      dependsOn: ['FileManifests', 'Stage', ...(errorIntegration?.dependsOn ?? [])],
    },
    {
      id: 'FileLedgerView',
      kind: 'view',
      definition: {
        database: s.database,
        schema: s.ops,
        name: ops.ledger[2],
        query: ledgerViewQuery(models, s, snowflakeDialect),
        comment: 'One row per input object version: is every row merged, superseded, rejected or quarantined?',
      },
      dependsOn: [
        'OpsSchema',
        'FileManifests',
        // The tables each dataset owns (a split dataset has no silver, a split target no bronze).
        ...models.flatMap((m) => [
          ...(m.splitFrom ? [] : [`${pascal(m.spec.name)}Bronze`]),
          ...(hasSilver(m) ? [`${pascal(m.spec.name)}Silver`] : []),
          ...(hasRejects(m) ? [`${pascal(m.spec.name)}Rejects`] : []),
        ]),
      ],
    },
  ];
}

export function dataModelObjects(input: DataModelObjectsInput): IngestionObject[] {
  const s = schemaNames(input.database, {
    ...(input.rawSchema ? { raw: input.rawSchema } : {}),
    ...(input.coreSchema ? { core: input.coreSchema } : {}),
    ...(input.goldSchema ? { gold: input.goldSchema } : {}),
    ...(input.opsSchema ? { ops: input.opsSchema } : {}),
  });
  const models = buildDatasetModels(input.datasets, s);
  const objects: IngestionObject[] = [
    {
      id: 'CoreSchema',
      kind: 'schema',
      definition: { database: s.database, name: s.core, comment: `Silver: typed, deduplicated tables (${input.tag})` },
      dependsOn: ['Database'],
    },
    {
      id: 'GoldSchema',
      kind: 'schema',
      definition: { database: s.database, name: s.gold, comment: `Gold: views for analysts (${input.tag})` },
      dependsOn: ['Database'],
    },
  ];
  const taskIds = new Map<string, string>();
  for (const m of models) {
    const id = pascal(m.spec.name);
    const d = m.spec;
    objects.push({
      id: `${id}Stream`,
      kind: 'stream',
      dataset: d.name,
      definition: {
        database: s.database,
        schema: m.objects.stream[1],
        name: m.objects.stream[2],
        table: ref(m.objects.bronze),
        appendOnly: true,
        comment: `New bronze rows of ${d.name}, consumed by its MERGE task.`,
      },
      // A split target's stream is on its split dataset's bronze table (model/split.ts).
      dependsOn: [`${pascal(m.splitFrom?.parent ?? d.name)}Bronze`],
    });
    if (hasSilver(m))
      objects.push({
        id: `${id}Silver`,
        kind: 'silver-table',
        dataset: d.name,
        definition: {
          database: s.database,
          schema: s.core,
          dataset: d.name,
          columns: d.columns,
          ...(d.primaryKey ? { primaryKey: d.primaryKey } : {}),
          ...(d.orderBy ? { orderBy: d.orderBy } : {}),
          ...(d.description ? { description: d.description } : {}),
        },
        dependsOn: ['CoreSchema'],
      });
    if (hasRejects(m))
      objects.push({
        id: `${id}Rejects`,
        kind: 'rejects-table',
        dataset: d.name,
        definition: { database: s.database, schema: s.core, dataset: d.name },
        dependsOn: ['CoreSchema'],
      });
    const task = mergeTaskDefinition(m, input.taskOptions);
    objects.push({
      id: `${id}MergeTask`,
      kind: 'task',
      dataset: d.name,
      definition: {
        ...taskProperties(task),
        whenStreamHasData: ref(m.objects.stream),
        ...(input.errorIntegration ? { errorIntegration: input.errorIntegration.name } : {}),
      },
      dependsOn: [
        `${id}Stream`,
        ...(hasSilver(m) ? [`${id}Silver`] : []),
        ...(hasRejects(m) ? [`${id}Rejects`] : []),
        ...(input.errorIntegration?.dependsOn ?? []),
      ],
    });
    taskIds.set(ref(m.objects.task), `${id}MergeTask`);
  }

  const layers = layerObjects({ tag: input.tag, schemas: s, models, vault: input.vault, views: input.layerViews });
  objects.push(...layers.tables);
  const followUps = planFollowUpTasks([...(input.followUpTasks ?? []), ...layers.followUpTasks], models, s);
  const rootOf = new Map<string, string>();
  for (const g of followUps.graphs) for (const c of g.children) rootOf.set(ref(c.name), ref(g.root));
  for (const t of followUps.tasks) {
    const id = `${pascal(t.name[2].toLowerCase())}Task`;
    objects.push({
      id,
      kind: 'task',
      definition: { ...taskProperties(t), root: rootOf.get(ref(t.name)), after: (t.after ?? []).map(ref) },
      dependsOn: (t.after ?? []).map((a) => taskIds.get(ref(a)) as string),
    });
    taskIds.set(ref(t.name), id);
  }

  const viewIds: string[] = [];
  for (const v of planGoldViews(
    input.goldViews ?? [],
    input.datasets.map((d) => d.name),
    s,
  )) {
    const id = `${pascal(v.name)}View`;
    objects.push({
      id,
      kind: 'view',
      definition: {
        database: s.database,
        schema: s.gold,
        name: v.path[2],
        query: resolveReferences(v.sql, s, snowflakeDialect),
        comment: goldViewComment(v.file),
      },
      dependsOn: [
        'GoldSchema',
        ...v.datasets.map((d) => `${pascal(d)}Silver`),
        ...v.views.map((w) => `${pascal(w)}View`),
      ],
    });
    viewIds.push(id);
  }

  objects.push(...opsObjects(s, models, input.errorIntegration));
  layers.complete(objects, taskIds);

  const role = input.readerRole === undefined ? `${s.database}_READER` : input.readerRole;
  if (role)
    objects.push({
      id: 'ReaderRole',
      kind: 'reader-role',
      definition: {
        name: canonicalName(role, 'snowflake.readerRole'),
        database: s.database,
        schema: s.gold,
        ...(input.readerWarehouse
          ? { warehouse: canonicalName(input.readerWarehouse, 'snowflake.readerWarehouse') }
          : {}),
        comment: `Read-only access to ${s.database}.${s.gold} (${input.tag}, managed by the pipeline).`,
      },
      dependsOn: ['GoldSchema', ...viewIds],
    });

  const seen = new Set<string>();
  for (const o of objects) {
    if (seen.has(o.id))
      throw new Error(`data model: two objects would get the construct id ${o.id}; rename a dataset, view or task`);
    seen.add(o.id);
  }
  return objects;
}
