/**
 * Test helper: a dataset's data model on DuckDB — bronze, the stream table, silver, rejects — and
 * the two moves of the pipeline: the pipe loading a batch (rows land in bronze AND the stream) and
 * the task run (the DuckDB dialect of the same MERGE, then the stream is consumed).
 */
import { parseDatasets } from '../../../contracts/config';
import type { DatasetSpec } from '../../../contracts/config';
import config from '../../../config/pipeline';
import {
  ansiStringLiteral,
  buildDatasetModel,
  bronzeTable,
  createStreamStatement,
  createTableStatement,
  duckdbDialect,
  duckdbTaskRun,
  rejectsTable,
  silverTable,
} from '../../../snowflake/model';
import type { DatasetModel } from '../../../snowflake/model';
import { schemaNames } from '../../../snowflake/names';
import type { DuckDb } from '../../../bin/sandbox/duckdb';

export const SCHEMAS = schemaNames('INGEST');
/** The reference datasets that have a silver table (a split dataset only routes: see split-duckdb.test.ts). */
export const REFERENCE_DATASETS: DatasetSpec[] = parseDatasets(config.datasets).filter((d) => !d.split);

/** Nested JSON weather observations (a fixture: the reference `weather` is the OpenMeteo shape now). */
export const NESTED_WEATHER: DatasetSpec = {
  name: 'weather',
  format: 'json',
  columns: [
    { name: 'customer_id', type: 'VARCHAR' },
    { name: 'location', type: 'VARCHAR', path: 'location.name' },
    { name: 'latitude', type: 'NUMBER(10,6)', path: 'location.lat' },
    { name: 'longitude', type: 'NUMBER(10,6)', path: 'location.lon' },
    { name: 'observed_at', type: 'TIMESTAMP_NTZ' },
    { name: 'temperature_c', type: 'NUMBER(6,2)', path: 'main.temp' },
    { name: 'humidity', type: 'NUMBER(5,2)', path: 'main.humidity' },
    { name: 'conditions', type: 'VARCHAR', path: 'weather[0].description' },
  ],
  primaryKey: ['customer_id', 'location', 'observed_at'],
};

export function referenceModel(name: string): DatasetModel {
  const spec = REFERENCE_DATASETS.find((d) => d.name === name);
  if (!spec) throw new Error(`no reference dataset ${name}`);
  return buildDatasetModel(spec, SCHEMAS);
}

/** Creates RAW/CORE/GOLD schemas (once) and the dataset's tables. */
export async function createDataset(db: DuckDb, model: DatasetModel): Promise<void> {
  await db.run(
    'CREATE SCHEMA IF NOT EXISTS "RAW"; CREATE SCHEMA IF NOT EXISTS "CORE"; CREATE SCHEMA IF NOT EXISTS "GOLD"',
  );
  await db.run(createTableStatement(bronzeTable(model), duckdbDialect));
  await db.run(createStreamStatement(model, duckdbDialect));
  await db.run(createTableStatement(silverTable(model), duckdbDialect));
  await db.run(createTableStatement(rejectsTable(model), duckdbDialect));
}

/** One stage line as the pipe loads it. `record` is raw JSON text (exact digits) or an object. */
export interface BronzeRow {
  readonly record: string | Record<string, unknown>;
  readonly sourceKey?: string;
  readonly sourceRow: number;
  /** ISO-8601 UTC. */
  readonly receivedAt: string;
  readonly stageFile?: string;
  readonly stageRow?: number;
}

/** The pipe: appends rows to bronze and to the stream table. */
export async function loadBatch(db: DuckDb, model: DatasetModel, rows: readonly BronzeRow[]): Promise<void> {
  const values = rows.map((r, i) => {
    const record = typeof r.record === 'string' ? r.record : JSON.stringify(r.record);
    const key = r.sourceKey ?? `src/${model.spec.name}/file.json`;
    return (
      `(${ansiStringLiteral(record)}, 'src', ${ansiStringLiteral(key)}, ${r.sourceRow}, ` +
      `TIMESTAMPTZ ${ansiStringLiteral(r.receivedAt)}, ${ansiStringLiteral(r.stageFile ?? `data/${model.spec.name}/stage.ndjson.gz`)}, ` +
      `${r.stageRow ?? i + 1}, current_timestamp)`
    );
  });
  for (const table of [model.objects.bronze, model.objects.stream])
    await db.run(`INSERT INTO ${duckdbDialect.table(table)} VALUES ${values.join(', ')}`);
}

/** One task run: rejects + MERGE in a transaction, then the stream is consumed. */
export async function runTask(db: DuckDb, model: DatasetModel): Promise<void> {
  try {
    await db.runAll(duckdbTaskRun(model));
  } catch (e) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export async function silverRows(db: DuckDb, model: DatasetModel, orderBy: string): Promise<Record<string, unknown>[]> {
  return db.rows(`SELECT * FROM ${duckdbDialect.table(model.objects.silver)} ORDER BY ${orderBy}`);
}
