/**
 * The sandbox warehouse: an embedded DuckDB database laid out like the Snowflake one, driven by
 * the same generators (snowflake/model, DuckDB dialect) from the same dataset specs.
 *
 * - `RAW.<DATASET>`: bronze, exactly BRONZE_COLUMNS, filled like the pipe's COPY fills it
 *   (STAGE_FILE = METADATA$FILENAME, STAGE_ROW = METADATA$FILE_ROW_NUMBER, LOADED_AT = the
 *   load's start time, METADATA$START_SCAN_TIME).
 * - `RAW.<DATASET>_STREAM`: the append-only stream, emulated as a table of new bronze rows;
 *   the MERGE run consumes it in the same transaction (see snowflake/model/merge.ts).
 * - `CORE.<DATASET>` / `CORE.<DATASET>_REJECTS`: silver and rejects, written by the generated MERGE.
 * - `GOLD.*`: the portable gold views.
 * - `SANDBOX.LOAD_HISTORY`: Snowpipe's load metadata — a stage file (name + eTag) loads once.
 */
import { createHash } from 'crypto';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import type { DatasetSpec } from '../../contracts/config';
import { stagePipeDataset } from '../../contracts/object-keys';
import { quoteIdentifier } from '../../snowflake/identifiers';
import { BRONZE_COLUMNS } from '../../snowflake/names';
import type { SchemaNames } from '../../snowflake/names';
import {
  bronzeTable,
  buildDatasetModels,
  createStreamStatement,
  createTableStatement,
  duckdbDialect,
  duckdbTaskRun,
  hasRejects,
  hasSilver,
  ownTables,
  rejectsTable,
  silverTable,
} from '../../snowflake/model';
import type { ObjectPath } from '../../snowflake/names';
import type { DatasetModel } from '../../snowflake/model';
import { DuckDb } from './duckdb';

const HISTORY = '"SANDBOX"."LOAD_HISTORY"';
const sql = (value: string) => duckdbDialect.literal(value);

/** A stage file that could not be loaded (Snowpipe's ON_ERROR = SKIP_FILE): named, with the cause. */
export class StageLoadError extends Error {
  override readonly name = 'StageLoadError';
  constructor(
    readonly stageFile: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot load stage file ${stageFile}: ${message}`, options);
  }
}

export type LoadOutcome =
  | { readonly status: 'loaded'; readonly dataset: string; readonly rows: number }
  | { readonly status: 'skipped' }
  | { readonly status: 'failed'; readonly error: StageLoadError };

export interface MergeOutcome {
  readonly dataset: string;
  /** Stream rows consumed by this run. */
  readonly consumed: number;
  readonly silverRows: number;
  readonly rejectRows: number;
}

export interface TableCount {
  readonly table: string;
  readonly rows: number;
}

export class Warehouse {
  private readonly models: Map<string, DatasetModel>;
  /** Further streams on a dataset's bronze (split targets', derived models'): filled by each load. */
  readonly extraStreams = new Map<string, ObjectPath[]>();
  /** Follow-up tasks run after the MERGE runs (bin/sandbox/task-graph.ts). */
  taskGraph?: { run(db: DuckDb, merged: readonly MergeOutcome[]): Promise<void> };

  private constructor(
    private readonly db: DuckDb,
    models: readonly DatasetModel[],
    /** Schema names (the environment's RAW / CORE / GOLD). */
    readonly schemas: SchemaNames,
    private readonly scratchDir: string,
  ) {
    this.models = new Map(models.map((m) => [m.spec.name, m]));
    for (const m of models)
      if (m.splitFrom)
        this.extraStreams.set(m.splitFrom.parent, [
          ...(this.extraStreams.get(m.splitFrom.parent) ?? []),
          m.objects.stream,
        ]);
  }

  /** Opens (or creates) the database file and every dataset's tables. */
  static async open(path: string, datasets: readonly DatasetSpec[], schemas: SchemaNames): Promise<Warehouse> {
    const models = buildDatasetModels(datasets, schemas);
    const scratchDir = `${path}.scratch`;
    mkdirSync(scratchDir, { recursive: true });
    const db = await DuckDb.open({ path });
    const warehouse = new Warehouse(db, models, schemas, scratchDir);
    try {
      await warehouse.createObjects();
    } catch (err) {
      db.close();
      throw err;
    }
    return warehouse;
  }

  get datasets(): readonly DatasetModel[] {
    return [...this.models.values()];
  }

  private async createObjects(): Promise<void> {
    const { raw, core, gold } = this.schemas;
    const statements = [raw, core, gold, 'SANDBOX'].map((s) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(s)}`);
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${HISTORY} (` +
        `"FILE_NAME" VARCHAR NOT NULL, "ETAG" VARCHAR NOT NULL, "DATASET" VARCHAR, "ROW_COUNT" BIGINT, ` +
        `"STATUS" VARCHAR NOT NULL, "ERROR" VARCHAR, "LOADED_AT" TIMESTAMPTZ NOT NULL, PRIMARY KEY ("FILE_NAME", "ETAG"))`,
    );
    for (const model of this.models.values()) {
      statements.push(
        createTableStatement(bronzeTable(model), duckdbDialect),
        createStreamStatement(model, duckdbDialect),
      );
      if (hasSilver(model)) statements.push(createTableStatement(silverTable(model), duckdbDialect));
      statements.push(
        createTableStatement(rejectsTable(model), duckdbDialect),
        // A rejects table of an earlier run gets the columns added since (all nullable), as the deploy does.
        ...rejectsTable(model)
          .columns.filter((c) => !c.notNull)
          .map(
            (c) =>
              `ALTER TABLE ${duckdbDialect.table(model.objects.rejects)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(c.name)} ${duckdbDialect.columnType(c.type)}`,
          ),
      );
    }
    await this.db.runAll(statements);
  }

  /**
   * Brings silver tables created by an earlier run in line with edited dataset specs: a column
   * added to a spec is added (existing rows NULL, as the deployed schema evolution does); a
   * removed or retyped column is reported and left as it is (`--reset` rebuilds from scratch).
   * Returns one note per difference.
   */
  async evolveSilver(): Promise<string[]> {
    const notes: string[] = [];
    const columnsOf = async (schema: string, table: string) =>
      new Map(
        (
          await this.db.rows<{ column_name: string; data_type: string }>(
            `SELECT column_name, data_type FROM information_schema.columns ` +
              `WHERE table_schema = ${sql(schema)} AND table_name = ${sql(table)} ORDER BY ordinal_position`,
          )
        ).map((c) => [c.column_name, c.data_type]),
      );
    for (const model of this.models.values()) {
      if (!hasSilver(model)) continue;
      const [, schema, table] = model.objects.silver;
      const live = await columnsOf(schema, table);
      // The spec's table, created empty to read back DuckDB's own type names for comparison.
      const probe: typeof model.objects.silver = [model.objects.silver[0], 'SANDBOX', `EXPECTED_${table}`];
      await this.db.run(`DROP TABLE IF EXISTS ${duckdbDialect.table(probe)}`);
      await this.db.run(
        createTableStatement({ ...silverTable(model), name: probe, primaryKey: undefined }, duckdbDialect),
      );
      const expected = await columnsOf('SANDBOX', probe[2]);
      await this.db.run(`DROP TABLE ${duckdbDialect.table(probe)}`);
      for (const [column, type] of expected) {
        const current = live.get(column);
        if (current === undefined) {
          await this.db.run(
            `ALTER TABLE ${duckdbDialect.table(model.objects.silver)} ADD COLUMN ${quoteIdentifier(column)} ${type}`,
          );
          notes.push(`${schema}.${table}: added column ${column} ${type} (existing rows NULL; --reset to rebuild)`);
        } else if (current !== type) {
          notes.push(
            `${schema}.${table}: column ${column} is ${current}, the spec says ${type}; kept (--reset to rebuild)`,
          );
        }
      }
      for (const column of live.keys()) {
        if (!expected.has(column)) notes.push(`${schema}.${table}: column ${column} is no longer in the spec; kept`);
      }
    }
    return notes;
  }

  /** Stage files already recorded in the load history (loaded or failed), as `name\0etag`. */
  async loadedFiles(): Promise<Set<string>> {
    const rows = await this.db.rows<{ FILE_NAME: string; ETAG: string }>(`SELECT "FILE_NAME", "ETAG" FROM ${HISTORY}`);
    return new Set(rows.map((r) => `${r.FILE_NAME}\0${r.ETAG}`));
  }

  /**
   * Loads one stage file (`data/<dataset>/…`, gzip NDJSON) into bronze and the stream, like the
   * pipe's COPY, unless its name and eTag are already in the load history. A file that cannot be
   * loaded is recorded as failed and loads none of its rows (SKIP_FILE).
   */
  async loadStageFile(stageFile: string, eTag: string, body: Uint8Array): Promise<LoadOutcome> {
    const history = await this.db.value(
      `SELECT count(*) FROM ${HISTORY} WHERE "FILE_NAME" = ${sql(stageFile)} AND "ETAG" = ${sql(eTag)}`,
    );
    if (Number(history) > 0) return { status: 'skipped' };
    const dataset = stagePipeDataset(stageFile);
    const model = dataset === undefined ? undefined : this.models.get(dataset);
    const startedAt = new Date().toISOString();
    if (!model || dataset === undefined) {
      const error = new StageLoadError(stageFile, `no pipe for dataset "${dataset ?? ''}" (not in the config)`);
      await this.record(stageFile, eTag, dataset, 0, 'LOAD_FAILED', error.message, startedAt);
      return { status: 'failed', error };
    }
    const scratch = join(
      this.scratchDir,
      `${createHash('sha256').update(stageFile).digest('hex').slice(0, 16)}.ndjson`,
    );
    try {
      // Decompress in Node: DuckDB then reads plain NDJSON (a corrupt gzip is a clear load error).
      writeFileSync(scratch, gunzipSync(body));
      const bronzeCols = BRONZE_COLUMNS.map((c) => quoteIdentifier(c.name)).join(', ');
      const select =
        `SELECT l.record, l.source, l.source_key, l.source_row, CAST(l.received_at AS TIMESTAMPTZ), ` +
        `${sql(stageFile)}, l.ordinality, CAST(${sql(startedAt)} AS TIMESTAMPTZ) ` +
        `FROM read_json(${sql(scratch)}, format = 'newline_delimited', ` +
        `columns = {source: 'VARCHAR', source_key: 'VARCHAR', source_row: 'BIGINT', received_at: 'VARCHAR', record: 'JSON'}` +
        `) WITH ORDINALITY AS l`;
      await this.db.run('BEGIN TRANSACTION');
      try {
        await this.db.run(`CREATE OR REPLACE TEMP TABLE "_LOAD" AS ${select}`);
        await this.db.run(
          `INSERT INTO ${duckdbDialect.table(model.objects.bronze)} (${bronzeCols}) SELECT * FROM "_LOAD"`,
        );
        for (const stream of [model.objects.stream, ...(this.extraStreams.get(dataset) ?? [])])
          await this.db.run(`INSERT INTO ${duckdbDialect.table(stream)} (${bronzeCols}) SELECT * FROM "_LOAD"`);
        const rows = Number(await this.db.value(`SELECT count(*) FROM "_LOAD"`));
        await this.record(stageFile, eTag, dataset, rows, 'LOADED', undefined, startedAt);
        await this.db.run('DROP TABLE "_LOAD"');
        await this.db.run('COMMIT');
        return { status: 'loaded', dataset, rows };
      } catch (err) {
        await this.db.run('ROLLBACK');
        throw err;
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      const error = new StageLoadError(stageFile, reason, { cause: err });
      await this.record(stageFile, eTag, dataset, 0, 'LOAD_FAILED', error.message, startedAt);
      return { status: 'failed', error };
    } finally {
      rmSync(scratch, { force: true });
    }
  }

  private async record(
    file: string,
    eTag: string,
    dataset: string | undefined,
    rows: number,
    status: string,
    error: string | undefined,
    at: string,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO ${HISTORY} VALUES (${sql(file)}, ${sql(eTag)}, ${dataset ? sql(dataset) : 'NULL'}, ${rows}, ` +
        `${sql(status)}, ${error ? sql(error) : 'NULL'}, CAST(${sql(at)} AS TIMESTAMPTZ))`,
    );
  }

  /** One task run per dataset whose stream has rows: the generated MERGE, consuming the stream. */
  async runTasks(): Promise<MergeOutcome[]> {
    const outcomes: MergeOutcome[] = [];
    for (const model of this.models.values()) {
      const consumed = await this.count(model.objects.stream);
      if (consumed === 0) continue;
      const statements = duckdbTaskRun(model);
      try {
        for (const s of statements) await this.db.run(s);
      } catch (err) {
        await this.db.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      outcomes.push({
        dataset: model.spec.name,
        consumed,
        silverRows: hasSilver(model) ? await this.count(model.objects.silver) : 0,
        rejectRows: hasRejects(model) ? await this.count(model.objects.rejects) : 0,
      });
    }
    if (this.taskGraph) await this.taskGraph.run(this.db, outcomes);
    return outcomes;
  }

  /** Row counts of every bronze, silver and rejects table (and gold views), in dataset order. */
  async tableCounts(goldViews: readonly string[] = []): Promise<TableCount[]> {
    const counts: TableCount[] = [];
    for (const model of this.models.values()) {
      for (const path of ownTables(model)) {
        counts.push({ table: `${path[1]}.${path[2]}`, rows: await this.count(path) });
      }
    }
    for (const view of goldViews) {
      counts.push({ table: view, rows: Number(await this.db.value(`SELECT count(*) FROM ${view}`)) });
    }
    return counts;
  }

  private async count(path: readonly [string, string, string]): Promise<number> {
    return Number(await this.db.value(`SELECT count(*) FROM ${duckdbDialect.table(path)}`));
  }

  /** Direct access for gold views and the summary's samples. */
  get connection(): DuckDb {
    return this.db;
  }

  close(): void {
    this.db.close();
    rmSync(this.scratchDir, { recursive: true, force: true });
  }
}
