/**
 * Reason codes and typed errors of the parser. Reason codes are a stable contract: they appear in
 * quarantine entries and operators filter on them. Never rename one; add new ones at the end.
 */

/** Why a whole file was quarantined (nothing of it is staged). */
export const FILE_REASONS = {
  /** The key's first segment is not a known source (or not a valid source name). */
  UNKNOWN_SOURCE: 'UNKNOWN_SOURCE',
  /** The key's second segment is not a configured dataset. */
  UNKNOWN_DATASET: 'UNKNOWN_DATASET',
  /** The key has no `<source>/<dataset>/<name>` shape (e.g. `orders.csv` or `src/orders.csv`). */
  NO_DATASET_SEGMENT: 'NO_DATASET_SEGMENT',
  /** The gzip stream is truncated or corrupt (bad header, CRC, or length). */
  CORRUPT_GZIP: 'CORRUPT_GZIP',
  /** More bytes (after decompression) than the dataset's `maxDecompressedBytes`. */
  DECOMPRESSED_TOO_LARGE: 'DECOMPRESSED_TOO_LARGE',
  /** Decompressed:compressed ratio above `maxCompressionRatio` (decompression bomb guard). */
  COMPRESSION_RATIO: 'COMPRESSION_RATIO',
  /** The bytes are not valid UTF-8. */
  INVALID_UTF8: 'INVALID_UTF8',
  /** The file's structure cannot be parsed (e.g. a JSON array with garbage between elements). */
  NOT_PARSEABLE: 'NOT_PARSEABLE',
  /** The CSV header is unusable: a duplicate field name. */
  INVALID_HEADER: 'INVALID_HEADER',
  /** The source is known but may not write this dataset (its `datasets` allowlist in the config). */
  DATASET_NOT_ALLOWED: 'DATASET_NOT_ALLOWED',
} as const;

/** Why a single record was quarantined (the file's other records are staged). */
export const ROW_REASONS = {
  /** A CSV/TSV row whose field count differs from the header (or from `columns` without header). */
  RAGGED_ROW: 'RAGGED_ROW',
  /** A CSV row breaking RFC 4180 (text after a closing quote, or an unterminated quoted field). */
  MALFORMED_CSV: 'MALFORMED_CSV',
  /** A JSON/NDJSON record that is not valid JSON (RFC 8259). */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** A valid JSON value that is not an object (array, string, number, boolean, null). */
  NOT_AN_OBJECT: 'NOT_AN_OBJECT',
  /** A record larger than `maxRecordBytes` (its raw text is truncated in the entry). */
  RECORD_TOO_LARGE: 'RECORD_TOO_LARGE',
  /** A JSON record nested deeper than `maxDepth`. */
  TOO_DEEP: 'TOO_DEEP',
  /** A JSON object with the same property name twice (at any level). */
  DUPLICATE_KEY: 'DUPLICATE_KEY',
} as const;

export type FileReason = (typeof FILE_REASONS)[keyof typeof FILE_REASONS];
export type RowReason = (typeof ROW_REASONS)[keyof typeof ROW_REASONS];

/** A file-level reject: the whole file is quarantined, nothing of it is staged. Never retried. */
export class FileRejectedError extends Error {
  override readonly name = 'FileRejectedError';
  constructor(
    readonly reason: FileReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Invalid parser configuration (environment): the function fails at init, before any event. */
export class ParserConfigError extends Error {
  override readonly name = 'ParserConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A failure worth retrying (S3 errors, throttling, network): the record is returned as a batch item failure. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
