/**
 * The data model: what SQL each dataset spec becomes (bronze, stream, silver, rejects, MERGE task,
 * follow-up tasks, gold views, reader role, schema evolution), in Snowflake (deployed) and DuckDB
 * (tests, sandbox) dialects. Pure: no AWS imports, no I/O except the SQL file loaders.
 */
import type { DatasetSpec } from '../../contracts/config';
import type { SchemaNames } from '../names';
import { buildDatasetModel } from './dataset-model';
import type { Dialect } from './dialect';
import { mergeStatements } from './merge';
import { createStreamStatement } from './streams';
import { bronzeTable, createTableStatement, rejectsTable, silverTable } from './tables';
import { createTaskStatement, mergeTaskDefinition } from './tasks';
import type { MergeTaskOptions } from './tasks';

export * from './column-types';
export * from './dataset-model';
export * from './dialect';
export * from './errors';
export * from './follow-up-tasks';
export * from './gold';
export * from './graph';
export * from './ledger';
export * from './merge';
export * from './record-path';
export * from './schema-evolution';
export * from './split';
export * from './entities';
export * from './vault';
export * from './layers';
export * from './streams';
export * from './tables';
export * from './tasks';

/** Every statement a fresh deploy of one dataset's data model runs, in order, named by object. */
export interface DatasetSql {
  readonly bronze: string;
  readonly stream: string;
  readonly silver: string;
  /** Every dataset has one (key rejects and CAST_FAILED values). */
  readonly rejects: string;
  /** Snowflake: CREATE OR ALTER TASK; DuckDB: the DML of one emulated run (see duckdbTaskRun). */
  readonly task: string;
}

export function datasetSql(
  spec: DatasetSpec,
  schemas: SchemaNames,
  dialect: Dialect,
  task: MergeTaskOptions = {},
): DatasetSql {
  const model = buildDatasetModel(spec, schemas);
  return {
    bronze: createTableStatement(bronzeTable(model), dialect),
    stream: createStreamStatement(model, dialect),
    silver: createTableStatement(silverTable(model), dialect),
    rejects: createTableStatement(rejectsTable(model), dialect),
    task:
      dialect.name === 'snowflake'
        ? createTaskStatement(mergeTaskDefinition(model, task))
        : mergeStatements(model, dialect).join(';\n'),
  };
}
