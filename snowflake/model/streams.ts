/**
 * The stream on a bronze table. In Snowflake an append-only stream (inserts only: bronze is
 * never updated); in DuckDB a plain table with the bronze columns that the sandbox fills with
 * each loaded batch and the emulated task run empties (see merge.ts `duckdbTaskRun`).
 */
import type { DatasetModel } from './dataset-model';
import type { Dialect } from './dialect';
import { stringLiteral } from '../identifiers';
import { bronzeTable, createTableStatement } from './tables';

export function createStreamStatement(model: DatasetModel, dialect: Dialect): string {
  if (dialect.name === 'duckdb')
    return createTableStatement({ ...bronzeTable(model), name: model.objects.stream }, dialect);
  return (
    `CREATE STREAM IF NOT EXISTS ${dialect.table(model.objects.stream)} ON TABLE ${dialect.table(model.objects.bronze)} ` +
    `APPEND_ONLY = TRUE COMMENT = ${stringLiteral(`New bronze rows of ${model.spec.name}, consumed by its MERGE task.`)}`
  );
}
