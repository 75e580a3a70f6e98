/**
 * The uploader's names, defaults and exit codes: one source for each, imported by the CLI, its docs
 * generator (`--help`), the tests and the benchmark.
 */
import { DEFAULT_ROLES_ANYWHERE_SESSION_SECONDS } from '../../contracts/defaults';

/** Process exit codes of every uploader command. */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** At least one file failed permanently and was moved to `failed/` (see its `error.json`). */
  failed: 1,
  /** Bad command line or options: nothing was done. */
  usage: 2,
  /** Retries exhausted on a transient error: the files stay in the spool and resume on the next run. */
  retriesExhausted: 3,
  /** The spool (or its disk) is full: the file was left where it was; free space or raise `--max-spool-bytes`. */
  spoolFull: 4,
  /** Temporary credentials could not be obtained (Roles Anywhere refused, certificate unreadable, …). */
  credentials: 5,
} as const;

/**
 * The spool's folders. An entry is a folder `<state>/<id>/` holding `data` (the file), `meta.json`
 * and, once finished, `receipt.json` or `error.json`; it changes state by one atomic rename of that folder.
 */
export const SPOOL_STATES = ['tmp', 'incoming', 'sending', 'sent', 'failed'] as const;
export type SpoolState = (typeof SPOOL_STATES)[number];

/** File names inside one spool entry folder. */
export const ENTRY_FILES = {
  data: 'data',
  /** A copy or an NDJSON roll still being written (never uploaded; cut back to its last full line on recovery). */
  partial: 'data.partial',
  origin: 'origin.json',
  meta: 'meta.json',
  multipart: 'multipart.json',
  receipt: 'receipt.json',
  error: 'error.json',
} as const;

const MiB = 1024 * 1024;

export const DEFAULTS = {
  /** Spool folder of `send` and `poll` (relative to the working directory). `watch <dir>` uses `<dir>/.uploader-spool`. */
  spoolDir: '.uploader-spool',
  /** Folder name of the spool inside a watched folder (dot-prefixed: the scan skips it). */
  watchedSpoolName: '.uploader-spool',
  /** Largest total size of files waiting in the spool (tmp + incoming + sending). */
  maxSpoolBytes: 10 * 1024 * MiB,
  /** Files larger than this go up as multipart uploads of parts this size (S3's minimum is 5 MiB). */
  partSizeBytes: 16 * MiB,
  /** Files uploaded at the same time. */
  concurrency: 4,
  /** Parts of one multipart upload sent at the same time. */
  partConcurrency: 4,
  /** Attempts per request before giving up (retriesExhausted). */
  maxAttempts: 8,
  /** Backoff: a full-jitter delay in [0, min(maxDelayMs, baseDelayMs · 2^attempt)). */
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  /** A request with no response for this long is abandoned (an ambiguous timeout) and retried. */
  requestTimeoutMs: 120_000,
  /** `watch`: seconds between scans of the folder. */
  scanIntervalSeconds: 5,
  /** `watch`: a file is taken once its size and modification time have not changed for this long. */
  settleMs: 2_000,
  /** `poll`: seconds between requests. */
  pollIntervalSeconds: 60,
  /** `poll`: an NDJSON roll is closed and uploaded at this size… */
  rollBytes: 64 * MiB,
  /** …or at this age, whichever comes first. */
  rollSeconds: 300,
  /** Roles Anywhere: session length asked for (the profile may cap it). */
  sessionDurationSeconds: DEFAULT_ROLES_ANYWHERE_SESSION_SECONDS,
  /** Temporary credentials are refreshed this long before they expire. */
  refreshBeforeExpiryMs: 5 * 60_000,
} as const;

/** S3's smallest multipart part (except the last). */
export const MIN_PART_BYTES = 5 * MiB;
