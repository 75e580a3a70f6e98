/**
 * Table definitions of the data model — bronze (`RAW.<DATASET>`), silver (`CORE.<DATASET>`) and
 * rejects (`CORE.<DATASET>_REJECTS`) — as plain data, and their CREATE statements per dialect.
 *
 * Tables are created with CREATE TABLE IF NOT EXISTS and evolved only by the schema-evolution
 * planner (ADD COLUMN). CREATE OR ALTER TABLE is deliberately not used for data-bearing tables:
 * it drops columns missing from the new definition, which would lose data when a column is
 * removed from a spec.
 */
import { quoteIdentifier } from '../identifiers';
import { BRONZE_COLUMNS } from '../names';
import type { ObjectPath } from '../names';
import { parseColumnType } from './column-types';
import type { ColumnType } from './column-types';
import { LINEAGE_COLUMNS, MERGED_AT_COLUMN, REJECT_COLUMNS } from './dataset-model';
import type { DatasetModel } from './dataset-model';
import type { Dialect } from './dialect';

export interface TableColumn {
  /** Canonical (upper-case) name. */
  readonly name: string;
  readonly type: ColumnType;
  readonly notNull?: boolean;
  readonly comment?: string;
}

export interface TableDefinition {
  readonly name: ObjectPath;
  readonly columns: readonly TableColumn[];
  /** Primary key column names (informational in Snowflake, enforced in DuckDB). */
  readonly primaryKey?: readonly string[];
  readonly comment?: string;
}

const BRONZE_DESCRIPTIONS: Record<(typeof BRONZE_COLUMNS)[number]['name'], string> = {
  RECORD: 'The whole source record, lossless (stage line field `record`).',
  SOURCE: 'Producer (first segment of the inbound key).',
  SOURCE_KEY: 'Inbound object key.',
  SOURCE_ROW: '1-based ordinal of the record in its file.',
  RECEIVED_AT: 'S3 event time of the inbound object.',
  STAGE_FILE: 'Stage file loaded by the pipe (METADATA$FILENAME).',
  STAGE_ROW: 'Row number in the stage file (METADATA$FILE_ROW_NUMBER).',
  LOADED_AT: 'Start of the pipe load scan (METADATA$START_SCAN_TIME).',
};

function bronzeColumns(): TableColumn[] {
  return BRONZE_COLUMNS.map((c) => ({
    name: c.name,
    type: parseColumnType(c.type, `bronze.${c.name}`),
    comment: BRONZE_DESCRIPTIONS[c.name],
  }));
}

/** Bronze `RAW.<DATASET>`: VARIANT record + lineage, exactly BRONZE_COLUMNS (the pipe's COPY contract). */
export function bronzeTable(model: DatasetModel): TableDefinition {
  return {
    name: model.objects.bronze,
    columns: bronzeColumns(),
    comment: `Bronze landing table of dataset ${model.spec.name}${model.spec.description ? `: ${model.spec.description}` : ''}`,
  };
}

/** Silver `CORE.<DATASET>`: the spec's typed columns, then lineage columns and `_MERGED_AT`. */
export function silverTable(model: DatasetModel): TableDefinition {
  const columns: TableColumn[] = [
    ...model.columns.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.key || undefined,
      comment: c.description ?? (c.path === c.specName ? undefined : `From record path ${c.path}`),
    })),
    ...LINEAGE_COLUMNS.map((l) => ({ name: l.name, type: l.type, comment: l.description })),
    { name: MERGED_AT_COLUMN.name, type: MERGED_AT_COLUMN.type, comment: 'Time the MERGE last wrote this row.' },
  ];
  return {
    name: model.objects.silver,
    columns,
    primaryKey: model.primaryKey.length ? model.primaryKey.map((c) => c.name) : undefined,
    comment: `Silver table of dataset ${model.spec.name} (typed${model.primaryKey.length ? ', deduplicated by primary key' : ', insert-only'})${model.spec.description ? `: ${model.spec.description}` : ''}`,
  };
}

/** What the rejects table depends on: the dataset's name and object names only (not its columns). */
export type RejectsTableInput = Pick<DatasetModel, 'objects'> & { readonly spec: Pick<DatasetModel['spec'], 'name'> };

/** Rejects `CORE.<DATASET>_REJECTS` (every dataset): the bronze row as loaded, the reason code, a message, the column and raw value. */
export function rejectsTable(model: RejectsTableInput): TableDefinition {
  return {
    name: model.objects.rejects,
    columns: [
      ...bronzeColumns(),
      {
        name: REJECT_COLUMNS.reason,
        type: parseColumnType('VARCHAR', 'rejects.REASON'),
        notNull: true,
        comment: 'Stable reason code.',
      },
      {
        name: REJECT_COLUMNS.detail,
        type: parseColumnType('VARCHAR', 'rejects.DETAIL'),
        comment: 'Human-readable explanation.',
      },
      {
        name: REJECT_COLUMNS.rejectedAt,
        type: parseColumnType('TIMESTAMP_TZ', 'rejects.REJECTED_AT'),
        notNull: true,
        comment: 'Time the MERGE task rejected the row.',
      },
      // Added later: nullable, so the rejects-table kind adds them to existing tables with ADD COLUMN.
      {
        name: REJECT_COLUMNS.columnName,
        type: parseColumnType('VARCHAR', 'rejects.COLUMN_NAME'),
        comment: 'Spec name of the column at fault.',
      },
      {
        name: REJECT_COLUMNS.rawValue,
        type: parseColumnType('VARCHAR', 'rejects.RAW_VALUE'),
        comment: 'The value as found in the record, as text.',
      },
      {
        name: REJECT_COLUMNS.rowRejected,
        type: parseColumnType('BOOLEAN', 'rejects.ROW_REJECTED'),
        comment:
          'TRUE: the row is not in silver; FALSE: merged with NULL in the column (CAST_FAILED, onCastError null).',
      },
    ],
    comment: `Rows of dataset ${model.spec.name} that could not be merged into silver, and values that could not be cast, with the reason.`,
  };
}

/** `CREATE TABLE IF NOT EXISTS …` in the given dialect. */
export function createTableStatement(table: TableDefinition, dialect: Dialect): string {
  const lines = table.columns.map(
    (c) =>
      `  ${quoteIdentifier(c.name)} ${dialect.columnType(c.type)}${c.notNull ? ' NOT NULL' : ''}${dialect.columnComment(c.comment)}`,
  );
  if (table.primaryKey?.length)
    lines.push(`  PRIMARY KEY (${table.primaryKey.map((k) => quoteIdentifier(k)).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${dialect.table(table.name)} (\n${lines.join(',\n')}\n)${dialect.tableComment(table.comment)}`;
}
