/**
 * A dataset spec resolved once into what every generator needs: canonical column names, parsed
 * types and record paths, the primary key and the ordering column, and the object names.
 */
import type { ColumnSpec, DatasetSpec } from '../../contracts/config';
import { canonicalName } from '../identifiers';
import { BRONZE_COLUMNS, datasetObjectNames } from '../names';
import type { SchemaNames } from '../names';
import { parseColumnType } from './column-types';
import type { ColumnType } from './column-types';
import { DataModelError } from './errors';
import { ignoringCase, parseRecordPath } from './record-path';
import type { PathStep } from './record-path';

export interface ModelColumn {
  /** Canonical (upper-case) silver column name. */
  readonly name: string;
  /** Name as written in the spec (lower-case). */
  readonly specName: string;
  readonly type: ColumnType;
  /** Path into RECORD as written (default: the spec name). */
  readonly path: string;
  readonly steps: readonly PathStep[];
  readonly description?: string;
  /** Part of the primary key. */
  readonly key: boolean;
  /** What a present value that cannot be cast does to its row: `null` (kept, NULL here) or `reject` (not merged). */
  readonly onCastError: 'null' | 'reject';
}

export interface DatasetModel {
  readonly spec: DatasetSpec;
  readonly schemas: SchemaNames;
  readonly objects: ReturnType<typeof datasetObjectNames>;
  readonly columns: readonly ModelColumn[];
  /** Primary key columns in key order; empty → insert-only silver. */
  readonly primaryKey: readonly ModelColumn[];
  /** The `orderBy` column, when set. */
  readonly orderBy?: ModelColumn;
  /** A split dataset (snowflake/model/split.ts): the routing field and its targets; no silver table. */
  readonly split?: SplitRouting;
  /** A split target: reads the parent's bronze through its own stream, rows with these values only. */
  readonly splitFrom?: SplitSource;
}

/** How a split dataset routes its records (see split.ts). */
export interface SplitRouting {
  readonly field: ModelColumn;
  /** Field value → target dataset name. */
  readonly into: Readonly<Record<string, string>>;
}

/** Where a split target's rows come from (see split.ts). */
export interface SplitSource {
  readonly parent: string;
  readonly field: ModelColumn;
  /** Values of the parent's field routed to this dataset. */
  readonly values: readonly string[];
}

/** A silver lineage column and the bronze column it copies. */
export interface LineageColumn {
  readonly name: string;
  readonly from: (typeof BRONZE_COLUMNS)[number]['name'];
  readonly type: ColumnType;
  readonly description: string;
}

const bronzeType = (name: string) => {
  const c = BRONZE_COLUMNS.find((b) => b.name === name);
  if (!c) throw new DataModelError(`BRONZE_COLUMNS has no ${name} column`);
  return parseColumnType(c.type, `bronze.${name}`);
};

/**
 * Lineage columns of silver. The leading underscore keeps them apart from spec columns, whose
 * names must start with a letter (config COLUMN_NAME_PATTERN), so they can never collide.
 */
export const LINEAGE_COLUMNS: readonly LineageColumn[] = [
  { name: '_SOURCE', from: 'SOURCE', description: 'Producer (first segment of the inbound key).' },
  { name: '_SOURCE_KEY', from: 'SOURCE_KEY', description: 'Inbound object key the row came from.' },
  { name: '_SOURCE_ROW', from: 'SOURCE_ROW', description: '1-based ordinal of the record in its file.' },
  { name: '_RECEIVED_AT', from: 'RECEIVED_AT', description: 'S3 event time of the inbound object.' },
  { name: '_STAGE_FILE', from: 'STAGE_FILE', description: 'Stage file the pipe loaded the row from.' },
  { name: '_STAGE_ROW', from: 'STAGE_ROW', description: 'Row number in the stage file.' },
  { name: '_LOADED_AT', from: 'LOADED_AT', description: 'Time the pipe loaded the stage file.' },
].map((c) => ({ ...c, type: bronzeType(c.from) }) as LineageColumn);

/** Time the row was last inserted or updated by the MERGE. */
export const MERGED_AT_COLUMN = { name: '_MERGED_AT', type: parseColumnType('TIMESTAMP_TZ', 'silver._MERGED_AT') };

/** Rejects table: the bronze row as loaded, plus why it was rejected. */
export const REJECT_COLUMNS = {
  reason: 'REASON',
  detail: 'DETAIL',
  rejectedAt: 'REJECTED_AT',
  /** Spec name of the column at fault (nullable: rows written before it existed have none). */
  columnName: 'COLUMN_NAME',
  /** The value as found in the record, as text (nullable). */
  rawValue: 'RAW_VALUE',
  /** TRUE when the row was kept out of silver (key rejects, onCastError 'reject'); FALSE when it was merged with NULL. NULL (older rows): TRUE. */
  rowRejected: 'ROW_REJECTED',
} as const;

/** Stable reason codes written to `<DATASET>_REJECTS.REASON`. */
export const REJECT_REASONS = {
  /** A primary key value is absent, JSON null or an empty string. */
  primaryKeyMissing: 'PRIMARY_KEY_MISSING',
  /** A primary key value is present but cannot be converted to the column type. */
  primaryKeyInvalid: 'PRIMARY_KEY_INVALID',
  /** A present value of a non-key column cannot be converted to its column type (one row per column). */
  castFailed: 'CAST_FAILED',
  /** A split dataset's record whose split field is missing or has a value with no target dataset. */
  splitNoTarget: 'SPLIT_NO_TARGET',
} as const;

/** Types that cannot be keys or version orderings (no total order, or not comparable in both dialects). */
const UNORDERED: readonly string[] = ['variant', 'object', 'array', 'geography', 'geometry', 'binary'];

function modelColumn(spec: DatasetSpec, c: ColumnSpec, keys: readonly string[]): ModelColumn {
  const dataset = spec.name;
  const where = `${dataset}.${c.name}`;
  const name = canonicalName(c.name, `column name ${where}`);
  if (name.startsWith('_'))
    throw new DataModelError(`${where}: column names must not start with "_" (reserved for lineage)`);
  const path = c.path ?? c.name;
  return {
    name,
    specName: c.name,
    type: parseColumnType(c.type, where),
    path,
    steps:
      spec.pathMatch === 'case-insensitive' ? ignoringCase(parseRecordPath(path, where)) : parseRecordPath(path, where),
    description: c.description,
    key: keys.includes(c.name),
    onCastError: c.onCastError ?? spec.onCastError ?? 'null',
  };
}

/** Resolves a (zod-validated) dataset spec; throws {@link DataModelError} naming the dataset and column. */
export function buildDatasetModel(spec: DatasetSpec, schemas: SchemaNames): DatasetModel {
  const keys = spec.primaryKey ?? [];
  const columns = spec.columns.map((c) => modelColumn(spec, c, keys));
  const byName = new Map(columns.map((c) => [c.specName, c]));
  if (byName.size !== columns.length) throw new DataModelError(`${spec.name}: duplicate column names`);
  const primaryKey = keys.map((k) => {
    const c = byName.get(k);
    if (!c) throw new DataModelError(`${spec.name}.primaryKey: "${k}" is not one of the columns`);
    if (UNORDERED.includes(c.type.family))
      throw new DataModelError(`${spec.name}.primaryKey: "${k}" has type ${c.type.snowflake}, which cannot be a key`);
    return c;
  });
  const orderBy = spec.orderBy === undefined ? undefined : byName.get(spec.orderBy);
  if (spec.orderBy !== undefined && !orderBy)
    throw new DataModelError(`${spec.name}.orderBy: "${spec.orderBy}" is not one of the columns`);
  if (orderBy && UNORDERED.includes(orderBy.type.family))
    throw new DataModelError(
      `${spec.name}.orderBy: "${orderBy.specName}" has type ${orderBy.type.snowflake}, which has no order`,
    );
  const splitField = spec.split ? byName.get(spec.split.field) : undefined;
  if (spec.split && !splitField)
    throw new DataModelError(`${spec.name}.split.field: "${spec.split.field}" is not one of the columns`);
  const split = spec.split && splitField ? { field: splitField, into: spec.split.into } : undefined;
  return {
    spec,
    schemas,
    objects: datasetObjectNames(schemas, spec.name),
    columns,
    primaryKey,
    orderBy,
    ...(split ? { split } : {}),
  };
}
