/**
 * Provisioner objects of the derived models (data-model-objects.ts appends them): entity tables and
 * their refresh tasks; the VAULT, WAREHOUSE and MART schemas, hubs / links / satellites (table kind),
 * each load's stream (stream kind) and load task (task kind, a child of the dataset's MERGE task);
 * the warehouse and mart views (view kind) and the layer roles (reader-role kind). One resource each,
 * so `cdk diff` and `npm run plan` show every one of them.
 */
import type { VaultSpec } from '../contracts/config';
import { canonicalName } from './identifiers';
import type { IngestionObject } from './ingestion-objects';
import type { ObjectPath, SchemaNames } from './names';
import type { DatasetModel } from './model/dataset-model';
import { snowflakeDialect } from './model/dialect';
import { entityFollowUpTasks, entityModels, entityTable, entityTaskName } from './model/entities';
import type { FollowUpTaskSpec } from './model/follow-up-tasks';
import type { GoldViewSource } from './model/gold';
import { layerRoles, layerViewComment, layerViewQuery, planLayerViews } from './model/layers';
import type { TableDefinition } from './model/tables';
import { buildVaultModel, vaultLoadTask, vaultTables } from './model/vault';
import { hasSilver } from './model/split';

const ref = (p: ObjectPath) => p.join('.');
const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());

/** A model table as the `table` kind's definition (types as Snowflake spells them). */
export function tableKindDefinition(t: TableDefinition): Record<string, unknown> {
  const [database, schema, name] = t.name;
  return {
    database,
    schema,
    name,
    columns: t.columns.map((c) => ({
      name: c.name,
      type: c.type.snowflake,
      ...(c.comment ? { comment: c.comment } : {}),
    })),
    ...(t.comment ? { comment: t.comment } : {}),
  };
}

export interface LayerObjectsInput {
  readonly tag: string;
  readonly schemas: SchemaNames;
  readonly models: readonly DatasetModel[];
  readonly vault?: VaultSpec;
  readonly views?: { readonly warehouse: readonly GoldViewSource[]; readonly mart: readonly GoldViewSource[] };
}

export interface LayerObjects {
  /** Entity refresh tasks, planned with the user's follow-up tasks. */
  readonly followUpTasks: readonly FollowUpTaskSpec[];
  /** Schemas and tables, pushed before the tasks. */
  readonly tables: readonly IngestionObject[];
  /** Appends streams, load tasks, views and roles, and makes each entity task depend on its table. */
  complete(objects: IngestionObject[], taskIds: ReadonlyMap<string, string>): void;
}

export function layerObjects(input: LayerObjectsInput): LayerObjects {
  const s = input.schemas;
  const tables: IngestionObject[] = [];
  const entityTableIds = new Map<string, string>();
  for (const m of input.models)
    for (const e of entityModels(m)) {
      const id = `${pascal(e.name)}Entity`;
      tables.push({
        id,
        kind: 'table',
        dataset: m.spec.name,
        definition: tableKindDefinition(entityTable(e)),
        dependsOn: ['CoreSchema'],
      });
      entityTableIds.set(`${pascal(entityTaskName(e.name))}Task`, id);
    }
  const vault = input.vault ? buildVaultModel(input.vault, input.models, s) : undefined;
  if (vault) {
    const schemaObject = (id: string, name: string, what: string): IngestionObject => ({
      id,
      kind: 'schema',
      definition: { database: s.database, name, comment: `${what} (${input.tag})` },
      dependsOn: ['Database'],
    });
    tables.push(
      schemaObject('VaultSchema', vault.schemas.vault, 'Data vault 2.0: hubs, links, satellites'),
      schemaObject('WarehouseSchema', vault.schemas.warehouse, 'Warehouse: dimensions and facts'),
      schemaObject('MartSchema', vault.schemas.mart, 'Mart: data-science views'),
    );
    for (const t of vaultTables(vault))
      tables.push({
        id: `Vault${pascal(t.name[2].toLowerCase())}`,
        kind: 'table',
        definition: tableKindDefinition(t),
        dependsOn: ['VaultSchema'],
      });
  }

  const complete = (objects: IngestionObject[], taskIds: ReadonlyMap<string, string>) => {
    // Entity refresh tasks need their table first, and wait for the previous child of their graph (the
    // provisioner suspends the root around each child: one change to a graph at a time).
    const previousChild = new Map<string, string>();
    objects.forEach((o, i) => {
      const root = o.kind === 'task' ? o.definition.root : undefined;
      const table = entityTableIds.get(o.id);
      const before = typeof root === 'string' ? previousChild.get(root) : undefined;
      if (table) objects[i] = { ...o, dependsOn: [...o.dependsOn, table, ...(before ? [before] : [])] };
      if (typeof root === 'string') previousChild.set(root, o.id);
    });
    if (!vault) return;
    // One change to a task graph at a time: each new child waits for the graph's previous child.
    const lastChild = new Map<string, string>();
    for (const o of objects)
      if (o.kind === 'task' && typeof o.definition.root === 'string') lastChild.set(o.definition.root, o.id);
    const tableId = (p: ObjectPath) => `Vault${pascal(p[2].toLowerCase())}`;
    for (const load of vault.loads) {
      const id = pascal(load.dataset.spec.name);
      const bronzeOwner = pascal(load.dataset.splitFrom?.parent ?? load.dataset.spec.name);
      objects.push({
        id: `${id}VaultStream`,
        kind: 'stream',
        dataset: load.dataset.spec.name,
        definition: {
          database: s.database,
          schema: load.stream[1],
          name: load.stream[2],
          table: ref(load.dataset.objects.bronze),
          appendOnly: true,
          comment: `New bronze rows of ${load.dataset.spec.name}, consumed by its vault load task.`,
        },
        dependsOn: [`${bronzeOwner}Bronze`],
      });
      const task = vaultLoadTask(load);
      const root = ref(load.dataset.objects.task);
      const taskId = `${id}VaultLoadTask`;
      const previous = lastChild.get(root);
      objects.push({
        id: taskId,
        kind: 'task',
        dataset: load.dataset.spec.name,
        definition: {
          database: task.name[0],
          schema: task.name[1],
          name: task.name[2],
          ...(task.warehouse ? { warehouse: task.warehouse } : { initialWarehouseSize: task.initialWarehouseSize }),
          body: task.body,
          comment: task.comment,
          root,
          after: (task.after ?? []).map(ref),
        },
        dependsOn: [
          taskIds.get(root) as string,
          `${id}VaultStream`,
          'VaultSchema',
          ...[...load.hubs, ...load.links, ...load.satellites].map((x) => tableId(x.path)),
          ...(previous ? [previous] : []),
        ],
      });
      lastChild.set(root, taskId);
    }
    const coreTables = [
      ...input.models.filter(hasSilver).map((m) => m.spec.name),
      ...input.models.flatMap((m) => (m.spec.entities ?? []).map((e) => e.name)),
    ];
    const viewIds = new Map<string, string>();
    const layerViewIds: Record<string, string[]> = { warehouse: [], mart: [] };
    for (const v of planLayerViews(vault, input.views ?? { warehouse: [], mart: [] }, coreTables)) {
      const id = `${pascal(v.layer)}${pascal(v.name)}View`;
      objects.push({
        id,
        kind: 'view',
        definition: {
          database: v.path[0],
          schema: v.path[1],
          name: v.path[2],
          query: layerViewQuery(v, vault.schemas, snowflakeDialect),
          comment: layerViewComment(v),
        },
        dependsOn: [
          v.layer === 'warehouse' ? 'WarehouseSchema' : 'MartSchema',
          ...v.vaultTables.map((t) => `Vault${pascal(t)}`),
          ...v.reads.map((r) => viewIds.get(r) as string),
        ],
      });
      viewIds.set(`${v.layer}.${v.name}`, id);
      layerViewIds[v.layer]?.push(id);
    }
    const schemaIds = { vault: 'VaultSchema', warehouse: 'WarehouseSchema', mart: 'MartSchema' } as const;
    const vaultTableIds = vaultTables(vault).map((t) => tableId(t.name));
    for (const r of layerRoles(vault)) {
      objects.push({
        id: `${pascal(r.name.toLowerCase())}Role`,
        kind: 'reader-role',
        definition: {
          name: canonicalName(r.name),
          database: s.database,
          schema: r.schema,
          ...(r.objects === 'tables' ? { objects: r.objects } : {}),
          comment: `Read-only access to ${s.database}.${r.schema} (${input.tag}, managed by the pipeline).`,
        },
        dependsOn: [schemaIds[r.layer], ...(r.layer === 'vault' ? vaultTableIds : (layerViewIds[r.layer] ?? []))],
      });
    }
  };
  return { followUpTasks: entityFollowUpTasks(input.models), tables, complete };
}
