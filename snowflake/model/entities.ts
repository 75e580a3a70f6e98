/**
 * Entity tables derived from a dataset (`entities: [{ name: 'customers', key: ['customer_id'] }]`):
 * `CORE.<NAME>`, one row per key with the values of `columns` from the latest version (by `seenBy`,
 * then the dataset's version order), FIRST_SEEN / LAST_SEEN (minimum / maximum of `seenBy`, default the
 * upload's S3 event time) and `_REFRESHED_AT`.
 *
 * Refreshed by a follow-up task `CORE.<NAME>_REFRESH` that runs AFTER the dataset's MERGE task (same
 * task graph): one MERGE from the silver table, which updates a row only when a value changed, so a
 * run with nothing new writes nothing. It reads the whole silver table (entities are small and silver
 * is deduplicated); silver never loses a key, so an entity row is never deleted.
 */
import { quoteIdentifier } from '../identifiers';
import type { ObjectPath } from '../names';
import { canonicalName } from '../identifiers';
import { parseColumnType } from './column-types';
import { LINEAGE_COLUMNS } from './dataset-model';
import type { DatasetModel, ModelColumn } from './dataset-model';
import type { Dialect } from './dialect';
import { DataModelError } from './errors';
import type { FollowUpTaskSpec } from './follow-up-tasks';
import type { TableColumn, TableDefinition } from './tables';
import { snowflakeDialect } from './dialect';

const q = (name: string) => quoteIdentifier(name);
const RECEIVED_AT = LINEAGE_COLUMNS.find((l) => l.name === '_RECEIVED_AT');

/** Column names of every entity table besides the spec's key and columns. */
export const ENTITY_COLUMNS = { firstSeen: 'FIRST_SEEN', lastSeen: 'LAST_SEEN', refreshedAt: '_REFRESHED_AT' } as const;

export interface EntityModel {
  readonly name: string;
  readonly dataset: DatasetModel;
  readonly path: ObjectPath;
  readonly key: readonly ModelColumn[];
  readonly columns: readonly ModelColumn[];
  /** The seen column (a silver column), or undefined for `_RECEIVED_AT`. */
  readonly seenBy?: ModelColumn;
  readonly description?: string;
}

/** The entities of a dataset, resolved against its model. */
export function entityModels(model: DatasetModel): EntityModel[] {
  const col = (name: string, where: string) => {
    const c = model.columns.find((x) => x.specName === name);
    if (!c) throw new DataModelError(`${model.spec.name}.entities.${where}: "${name}" is not one of the columns`);
    return c;
  };
  return (model.spec.entities ?? []).map((e) => ({
    name: e.name,
    dataset: model,
    path: [model.schemas.database, model.schemas.core, canonicalName(e.name, 'entity name')] as ObjectPath,
    key: e.key.map((k) => col(k, `${e.name}.key`)),
    columns: (e.columns ?? []).map((c) => col(c, `${e.name}.columns`)),
    seenBy: e.seenBy === undefined ? undefined : col(e.seenBy, `${e.name}.seenBy`),
    description: e.description,
  }));
}

/** `CORE.<NAME>`: key, columns, FIRST_SEEN, LAST_SEEN, _REFRESHED_AT (primary key: the entity key). */
export function entityTable(e: EntityModel): TableDefinition {
  const seenType = e.seenBy?.type ?? RECEIVED_AT?.type ?? parseColumnType('TIMESTAMP_TZ', 'entity seen');
  const seenFrom = e.seenBy ? e.seenBy.specName : 'the upload time';
  const columns: TableColumn[] = [
    ...e.key.map((c) => ({ name: c.name, type: c.type, notNull: true })),
    ...e.columns.map((c) => ({ name: c.name, type: c.type, comment: `Latest value of ${c.specName}.` })),
    { name: ENTITY_COLUMNS.firstSeen, type: seenType, comment: `Earliest ${seenFrom}.` },
    { name: ENTITY_COLUMNS.lastSeen, type: seenType, comment: `Latest ${seenFrom}.` },
    {
      name: ENTITY_COLUMNS.refreshedAt,
      type: parseColumnType('TIMESTAMP_TZ', 'entity._REFRESHED_AT'),
      comment: 'Time the refresh task last wrote this row.',
    },
  ];
  return {
    name: e.path,
    columns,
    primaryKey: e.key.map((c) => c.name),
    comment:
      e.description ?? `Entity ${e.name} of dataset ${e.dataset.spec.name}: one row per key (managed by the pipeline).`,
  };
}

/** The MERGE refreshing an entity table from its dataset's silver table. */
export function entityRefreshStatement(e: EntityModel, dialect: Dialect): string {
  const keys = e.key.map((c) => q(c.name));
  const cols = e.columns.map((c) => q(c.name));
  const seen = e.seenBy ? q(e.seenBy.name) : q('_RECEIVED_AT');
  const version = [
    seen,
    ...(e.dataset.orderBy ? [q(e.dataset.orderBy.name)] : []),
    ...['_RECEIVED_AT', '_SOURCE_KEY', '_SOURCE_ROW'].map(q),
  ];
  const partition = keys.map((k) => `s.${k}`).join(', ');
  const first = q(ENTITY_COLUMNS.firstSeen);
  const last = q(ENTITY_COLUMNS.lastSeen);
  const source =
    `SELECT ${[...keys, ...cols].map((c) => `s.${c}`).join(', ')},\n` +
    `      MIN(s.${seen}) OVER (PARTITION BY ${partition}) AS ${first},\n` +
    `      MAX(s.${seen}) OVER (PARTITION BY ${partition}) AS ${last}\n` +
    `    FROM ${dialect.table(e.dataset.objects.silver)} AS s\n` +
    `    WHERE ${keys.map((k) => `s.${k} IS NOT NULL`).join(' AND ')}\n` +
    `    QUALIFY ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${version.map((v) => `s.${v} DESC NULLS LAST`).join(', ')}) = 1`;
  const tracked = [...cols, first, last];
  const all = [...keys, ...tracked, q(ENTITY_COLUMNS.refreshedAt)];
  return (
    `MERGE INTO ${dialect.table(e.path)} AS t\n` +
    `USING (\n    ${source}\n) AS s\n` +
    `ON ${keys.map((k) => `t.${k} = s.${k}`).join(' AND ')}\n` +
    `WHEN MATCHED AND (${tracked.map((c) => `t.${c} IS DISTINCT FROM s.${c}`).join(' OR ')}) THEN UPDATE SET\n  ` +
    `${[...tracked.map((c) => `${c} = s.${c}`), `${q(ENTITY_COLUMNS.refreshedAt)} = ${dialect.now}`].join(',\n  ')}\n` +
    `WHEN NOT MATCHED THEN INSERT (${all.join(', ')})\n` +
    `  VALUES (${[...keys, ...tracked].map((c) => `s.${c}`).join(', ')}, ${dialect.now})`
  );
}

/** Task name of an entity's refresh (`CORE.<NAME>_REFRESH`). */
export const entityTaskName = (entity: string) => `${entity}_refresh`;

/** The refresh tasks as follow-up tasks of each dataset's MERGE task (planned with the user's). */
export function entityFollowUpTasks(models: readonly DatasetModel[]): FollowUpTaskSpec[] {
  return models.flatMap((m) =>
    entityModels(m).map((e) => ({
      name: entityTaskName(e.name),
      after: [m.spec.name],
      sql: entityRefreshStatement(e, snowflakeDialect),
      comment: `Refreshes entity ${e.name} from ${m.spec.name} after its MERGE (managed by the pipeline).`,
      source: `datasets.${m.spec.name}.entities.${e.name}`,
    })),
  );
}
