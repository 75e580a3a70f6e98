/**
 * The file manifest: what the parser knows about one received object version, written once per version
 * (deterministic bytes: a retry, a redelivery or a replay writes the same object) as one gzip JSON line under
 * MANIFEST_PREFIX in the stage bucket. It is the parser's half of the file ledger (`OPS.FILE_LEDGER`); the
 * warehouse adds rows loaded, merged, superseded, rejected and cast failures. Field names are snake_case
 * because Snowflake reads them as VARIANT paths. No imports: bundled into the parser.
 */

/** Bump when a field changes meaning; readers must accept every version up to theirs. */
export const FILE_MANIFEST_VERSION = 1;

export type FileManifestStatus = 'staged' | 'quarantined' | 'superseded';

/** Record keys seen in a file compared with the dataset's column paths. */
export interface FileDrift {
  /** Column paths (spec `path`, default the column name) that no record of the file had. */
  readonly missing_paths: readonly string[];
  /** Top-level record keys present in the file that no column path starts with. */
  readonly unknown_keys: readonly string[];
  /**
   * Column paths the file had only with some key in another letter case, `seen` as the records spelled
   * the path (`id` → `ID`; nested on JSON/NDJSON: `device.id` → `device.ID`).
   */
  readonly case_mismatches: readonly { readonly path: string; readonly seen: string }[];
}

export interface FileManifest {
  readonly manifest_version: number;
  readonly source: string;
  /** Dataset the file was routed to; null when unknown / not allowed / no dataset segment. */
  readonly dataset: string | null;
  /** Inbound key of the original object. */
  readonly source_key: string;
  /** S3 version id of the original (null on an unversioned bucket). */
  readonly version_id: string | null;
  /** The original upload's event time (ISO-8601 UTC, ms): the stage lines' `received_at`. */
  readonly received_at: string;
  readonly status: FileManifestStatus;
  /** File-level reason code when the whole file was quarantined (or superseded), else null. */
  readonly reason: string | null;
  /**
   * Records read from the file (CSV header excluded). For a file quarantined as a whole: the records read before
   * the error (none of them is staged; the report covers the whole file) — 0 only when none could be read.
   * Accounting does not depend on it for quarantined files (their report is what counts).
   */
  readonly rows_in: number;
  /** Records written to stage objects under `data/`. */
  readonly rows_staged: number;
  /** Records written to quarantine (row-level rejects). rows_in = rows_staged + rows_quarantined when staged. */
  readonly rows_quarantined: number;
  /** Stage object keys written for this version (empty when nothing was staged). */
  readonly stage_objects: readonly string[];
  /** Quarantine object keys (row rejects file and/or the file report), empty when none. */
  readonly quarantine_objects: readonly string[];
  /** Schema drift of the file against its dataset's column paths; null when no dataset or not read. */
  readonly drift: FileDrift | null;
}
