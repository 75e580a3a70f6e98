/**
 * Uploads what the spool holds: first `sending/` (interrupted uploads, resumed), then `incoming/`, a few
 * files at a time. Each file ends in `sent/` (uploaded, or already present), `failed/` (a permanent error,
 * e.g. AccessDenied) or stays in `sending/` when retries ran out (resumed by the next drain).
 */
import { ENTRY_FILES } from './defaults';
import { errorFields, type Logger } from './log';
import { putMultipart } from './multipart';
import { putWhole, type UploadContext, type UploadResult } from './put-object';
import { RetriesExhaustedError } from './retry';
import type { Spool, SpoolEntry } from './spool';

export interface DrainOptions {
  readonly concurrency: number;
  /** Keep the data of sent files (e.g. for an audit) instead of removing it. */
  readonly keepSent: boolean;
  readonly log: Logger;
  /** Checked between files: stop taking new ones (SIGINT/SIGTERM). */
  readonly stopping?: () => boolean;
}

export interface DrainSummary {
  uploaded: number;
  alreadyPresent: number;
  failed: number;
  /** Left in sending/ after transient errors (retries exhausted). */
  deferred: number;
  /** Credential errors (Roles Anywhere refused or unreachable). */
  credentialErrors: number;
  bytes: number;
}

/** Errors of the credential source (Roles Anywhere, or the SDK's chain finding nothing): never a file's fault. */
const CREDENTIAL_ERRORS = new Set(['CredentialsError', 'CredentialsProviderError']);

export function emptySummary(): DrainSummary {
  return { uploaded: 0, alreadyPresent: 0, failed: 0, deferred: 0, credentialErrors: 0, bytes: 0 };
}

export async function uploadEntry(ctx: UploadContext, entry: SpoolEntry, log: Logger): Promise<UploadResult> {
  return entry.meta.size > ctx.partSizeBytes ? putMultipart(ctx, entry, log) : putWhole(ctx, entry);
}

export async function drain(spool: Spool, ctx: UploadContext, options: DrainOptions): Promise<DrainSummary> {
  const { log } = options;
  const summary = emptySummary();
  const queue = [...(await spool.list('sending')), ...(await spool.list('incoming'))];
  let next = 0;
  let credentialsFailed = false;
  const one = async (waiting: SpoolEntry) => {
    const entry = waiting.state === 'incoming' ? await spool.move(waiting, 'sending') : waiting;
    const started = Date.now();
    try {
      const result = await uploadEntry(ctx, entry, log);
      await spool.finish(
        entry,
        {
          ...result,
          name: entry.meta.name,
          size: entry.meta.size,
          sha256: entry.meta.sha256,
          finishedAt: new Date().toISOString(),
        },
        options.keepSent,
      );
      summary[result.outcome === 'uploaded' ? 'uploaded' : 'alreadyPresent']++;
      summary.bytes += entry.meta.size;
      log.info(result.outcome, {
        id: entry.meta.id,
        name: entry.meta.name,
        key: result.key,
        size: entry.meta.size,
        ms: Date.now() - started,
        ...(result.parts ? { parts: result.parts } : {}),
      });
    } catch (err) {
      const fields = { id: entry.meta.id, name: entry.meta.name, key: entry.meta.key, ...errorFields(err) };
      if (CREDENTIAL_ERRORS.has((err as Error).name)) {
        // Every other file would fail the same way: stop, keep them all for the next run.
        summary.credentialErrors++;
        credentialsFailed = true;
        log.error('credentials-failed', fields);
      } else if (err instanceof RetriesExhaustedError) {
        summary.deferred++;
        log.warn('deferred', { ...fields, cause: errorFields(err.cause) });
      } else {
        summary.failed++;
        await spool.fail(entry, { ...fields, failedAt: new Date().toISOString(), spoolFile: ENTRY_FILES.data });
        log.error('failed', fields);
      }
    }
  };
  const worker = async () => {
    while (next < queue.length && !credentialsFailed && !options.stopping?.()) await one(queue[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker));
  return summary;
}
