/**
 * The file ledger in the sandbox warehouse: `OPS.FILE_MANIFESTS` and the view `OPS.FILE_LEDGER`, rendered by
 * the same generator as Snowflake's (snowflake/model/ledger.ts, DuckDB dialect).
 *
 * The manifests pipe, emulated: every object under `manifests/` of the stage bucket whose name + eTag is
 * not yet in `SANDBOX.MANIFEST_HISTORY` (Snowpipe's load history) is loaded once, one row per JSON line,
 * like the pipe's COPY (MANIFEST = $1, STAGE_FILE = METADATA$FILENAME, LOADED_AT = the load's start).
 * A manifest that cannot be read is recorded as failed and loads nothing (SKIP_FILE).
 */
import { gunzipSync } from 'zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { MANIFEST_PREFIX } from '../../contracts/constants';
import { quoteIdentifier } from '../../snowflake/identifiers';
import { opsObjectNames } from '../../snowflake/names';
import {
  ansiStringLiteral,
  createLedgerViewStatement,
  createTableStatement,
  duckdbDialect,
  manifestsTable,
} from '../../snowflake/model';
import { listObjects } from './pipe';
import type { Warehouse } from './warehouse';

const HISTORY = '"SANDBOX"."MANIFEST_HISTORY"';
const sql = ansiStringLiteral;

export type ManifestLoad =
  | { readonly manifestFile: string; readonly status: 'loaded'; readonly rows: number }
  | { readonly manifestFile: string; readonly status: 'failed'; readonly error: string };

/** One row of OPS.FILE_LEDGER (numbers as numbers, DRIFT parsed). */
export interface LedgerRow {
  readonly source_key: string;
  readonly version_id: string | null;
  readonly source: string | null;
  readonly dataset: string | null;
  readonly received_at: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly rows_in: number;
  readonly rows_staged: number;
  readonly rows_quarantined: number;
  readonly rows_loaded: number;
  readonly rows_merged: number;
  readonly rows_superseded: number;
  readonly rows_rejected: number;
  readonly cast_failures: number;
  readonly drift: unknown;
  readonly drift_detected: boolean;
  readonly quarantine_objects: readonly string[];
  readonly accounted: boolean;
}

/** What the sandbox summary prints (engineer trust-tools' `ledger totals` input). */
export interface LedgerTotals {
  readonly files: number;
  readonly accounted: number;
  readonly notAccounted: readonly {
    readonly source_key: string;
    readonly status: string;
    readonly reason: string | null;
  }[];
  readonly rows: {
    readonly in: number;
    /** Rows read from files the parser then quarantined whole (none of them staged; the report holds the file). */
    readonly inQuarantinedFiles: number;
    readonly staged: number;
    readonly quarantined: number;
    readonly loaded: number;
    readonly merged: number;
    readonly superseded: number;
    readonly rejected: number;
  };
  readonly castFailures: number;
  readonly filesWithDrift: number;
}

/** Creates OPS, FILE_MANIFESTS, the load history and (again, for the current datasets) the FILE_LEDGER view. */
export async function createLedgerObjects(warehouse: Warehouse): Promise<void> {
  const { schemas } = warehouse;
  await warehouse.connection.runAll([
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schemas.ops)}`,
    `CREATE SCHEMA IF NOT EXISTS "SANDBOX"`,
    createTableStatement(manifestsTable(schemas), duckdbDialect),
    `CREATE TABLE IF NOT EXISTS ${HISTORY} ("FILE_NAME" VARCHAR NOT NULL, "ETAG" VARCHAR NOT NULL, ` +
      `"ROW_COUNT" BIGINT, "STATUS" VARCHAR NOT NULL, "ERROR" VARCHAR, "LOADED_AT" TIMESTAMPTZ NOT NULL, ` +
      `PRIMARY KEY ("FILE_NAME", "ETAG"))`,
    createLedgerViewStatement(warehouse.datasets, schemas, duckdbDialect),
  ]);
}

/** Loads every manifest object not loaded before (name + eTag); returns what happened to each new one. */
export async function loadManifests(s3: S3Client, stageBucket: string, warehouse: Warehouse): Promise<ManifestLoad[]> {
  const db = warehouse.connection;
  const seen = new Set(
    (await db.rows<{ FILE_NAME: string; ETAG: string }>(`SELECT "FILE_NAME", "ETAG" FROM ${HISTORY}`)).map(
      (r) => `${r.FILE_NAME}\0${r.ETAG}`,
    ),
  );
  const table = duckdbDialect.table(opsObjectNames(warehouse.schemas).manifests);
  const loads: ManifestLoad[] = [];
  for (const object of await listObjects(s3, stageBucket, MANIFEST_PREFIX)) {
    if (seen.has(`${object.key}\0${object.eTag}`)) continue;
    const startedAt = new Date().toISOString();
    const record = (rows: number, status: string, error?: string) =>
      db.run(
        `INSERT INTO ${HISTORY} VALUES (${sql(object.key)}, ${sql(object.eTag)}, ${rows}, ${sql(status)}, ` +
          `${error ? sql(error) : 'NULL'}, CAST(${sql(startedAt)} AS TIMESTAMPTZ))`,
      );
    let lines: string[];
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: stageBucket, Key: object.key, IfMatch: object.eTag }));
      const body = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      lines = gunzipSync(body)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      lines.forEach((l, i) => {
        const v: unknown = JSON.parse(l);
        if (typeof v !== 'object' || v === null || Array.isArray(v))
          throw new Error(`line ${i + 1} is not a JSON object`);
      });
    } catch (err) {
      const error = `cannot load manifest ${object.key}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      await record(0, 'LOAD_FAILED', error);
      loads.push({ manifestFile: object.key, status: 'failed', error });
      continue;
    }
    await db.run('BEGIN TRANSACTION');
    try {
      for (const line of lines) {
        await db.run(
          `INSERT INTO ${table} VALUES (CAST(${sql(line)} AS JSON), ${sql(object.key)}, CAST(${sql(startedAt)} AS TIMESTAMPTZ))`,
        );
      }
      await record(lines.length, 'LOADED');
      await db.run('COMMIT');
    } catch (err) {
      await db.run('ROLLBACK');
      throw err;
    }
    loads.push({ manifestFile: object.key, status: 'loaded', rows: lines.length });
  }
  return loads;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** Every row of OPS.FILE_LEDGER, by source key and event time. */
export async function ledgerRows(warehouse: Warehouse): Promise<LedgerRow[]> {
  const view = duckdbDialect.table(opsObjectNames(warehouse.schemas).ledger);
  const rows = await warehouse.connection.rows(`SELECT * FROM ${view} ORDER BY "SOURCE_KEY", "RECEIVED_AT"`);
  return rows.map((r) => ({
    source_key: String(r.SOURCE_KEY),
    version_id: (r.VERSION_ID as string | null) ?? null,
    source: (r.SOURCE as string | null) ?? null,
    dataset: (r.DATASET as string | null) ?? null,
    received_at: (r.RECEIVED_AT as string | null) ?? null,
    status: String(r.STATUS),
    reason: (r.REASON as string | null) ?? null,
    rows_in: num(r.ROWS_IN),
    rows_staged: num(r.ROWS_STAGED),
    rows_quarantined: num(r.ROWS_QUARANTINED),
    rows_loaded: num(r.ROWS_LOADED),
    rows_merged: num(r.ROWS_MERGED),
    rows_superseded: num(r.ROWS_SUPERSEDED),
    rows_rejected: num(r.ROWS_REJECTED),
    cast_failures: num(r.CAST_FAILURES),
    drift: r.DRIFT === null || r.DRIFT === undefined ? null : json(r.DRIFT),
    drift_detected: r.DRIFT_DETECTED === true,
    quarantine_objects: r.QUARANTINE_OBJECTS ? (json(r.QUARANTINE_OBJECTS) as string[]) : [],
    accounted: r.ACCOUNTED === true,
  }));
}

/** Totals of the ledger for the sandbox summary. */
export function totalsOf(rows: readonly LedgerRow[]): LedgerTotals {
  const sum = (f: (r: LedgerRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  return {
    files: rows.length,
    accounted: rows.filter((r) => r.accounted).length,
    notAccounted: rows
      .filter((r) => !r.accounted)
      .map((r) => ({ source_key: r.source_key, status: r.status, reason: r.reason })),
    rows: {
      in: sum((r) => r.rows_in),
      inQuarantinedFiles: sum((r) => (r.status === 'quarantined' ? r.rows_in : 0)),
      staged: sum((r) => r.rows_staged),
      quarantined: sum((r) => r.rows_quarantined),
      loaded: sum((r) => r.rows_loaded),
      merged: sum((r) => r.rows_merged),
      superseded: sum((r) => r.rows_superseded),
      rejected: sum((r) => r.rows_rejected),
    },
    castFailures: sum((r) => r.cast_failures),
    filesWithDrift: rows.filter((r) => r.drift_detected).length,
  };
}

/** The ledger's totals, read from the warehouse. */
export async function ledgerTotals(warehouse: Warehouse): Promise<LedgerTotals> {
  return totalsOf(await ledgerRows(warehouse));
}
