/**
 * Large files: a multipart upload whose progress is persisted in the entry's `multipart.json` after every
 * part, so a killed process resumes with the same upload id and sends only the missing parts. Each part
 * carries its SHA-256 (S3 verifies it); the completion carries `If-None-Match: *`.
 *
 * Completion after an ambiguous timeout: a retried CompleteMultipartUpload answers 412 (the object exists)
 * or NoSuchUpload (the id was consumed by the earlier, successful completion); both mean done. The uploader
 * never aborts an upload it has started to complete.
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import { join } from 'path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ENTRY_FILES } from './defaults';
import { readJson, writeFileAtomic } from './files';
import type { Logger } from './log';
import { type UploadContext, type UploadResult } from './put-object';
import { withRetry } from './retry';
import { isNoSuchUpload, isPreconditionFailed } from './s3-errors';
import type { SpoolEntry } from './spool';

/** What multipart.json holds. */
export interface MultipartState {
  readonly key: string;
  readonly uploadId: string;
  readonly partSize: number;
  /** Finished parts by number: S3's eTag and the part's SHA-256 (base64). */
  readonly parts: Record<string, { readonly eTag: string; readonly checksumSHA256: string }>;
  /** Set before the first CompleteMultipartUpload is sent. */
  readonly completeSent: boolean;
}

/** The composite checksum S3 reports for a multipart object: SHA-256 of the parts' digests, `-<count>`. */
export function compositeChecksum(partChecksums: readonly string[]): string {
  const hash = createHash('sha256');
  for (const c of partChecksums) hash.update(Buffer.from(c, 'base64'));
  return `${hash.digest('base64')}-${partChecksums.length}`;
}

export async function putMultipart(ctx: UploadContext, entry: SpoolEntry, log: Logger): Promise<UploadResult> {
  const statePath = join(entry.dir, ENTRY_FILES.multipart);
  const { key, size } = entry.meta;
  let state = await readJson<MultipartState>(statePath);
  if (state && state.key !== key) state = undefined;
  if (!state) {
    const created = await withRetry(
      () =>
        ctx.client.send(
          new CreateMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, ChecksumAlgorithm: 'SHA256' }),
        ),
      ctx.retry,
    );
    state = { key, uploadId: created.UploadId!, partSize: ctx.partSizeBytes, parts: {}, completeSent: false };
    await writeFileAtomic(statePath, JSON.stringify(state));
    log.info('multipart-started', { key, uploadId: state.uploadId, partSize: state.partSize });
  } else {
    log.info('multipart-resumed', { key, uploadId: state.uploadId, partsDone: Object.keys(state.parts).length });
  }
  const current: MultipartState = state;
  const count = Math.max(1, Math.ceil(size / current.partSize));
  const parts: Record<string, { eTag: string; checksumSHA256: string }> = { ...current.parts };
  // State writes are serialized: parts finish concurrently.
  let saving = Promise.resolve();
  const save = (extra: Partial<MultipartState> = {}) => {
    saving = saving.then(() => writeFileAtomic(statePath, JSON.stringify({ ...current, parts, ...extra })));
    return saving;
  };

  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !parts[String(n)]);
  const handle = await fs.open(join(entry.dir, ENTRY_FILES.data), 'r');
  try {
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const n = missing[next++];
        const offset = (n - 1) * current.partSize;
        const length = Math.min(current.partSize, size - offset);
        const body = Buffer.alloc(length);
        await handle.read(body, 0, length, offset);
        const checksum = createHash('sha256').update(body).digest('base64');
        const out = await withRetry(
          () =>
            ctx.client.send(
              new UploadPartCommand({
                Bucket: ctx.bucket,
                Key: key,
                UploadId: current.uploadId,
                PartNumber: n,
                Body: body,
                ContentLength: length,
                ChecksumSHA256: checksum,
              }),
            ),
          ctx.retry,
        );
        parts[String(n)] = { eTag: out.ETag!, checksumSHA256: out.ChecksumSHA256 ?? checksum };
        await save();
        log.debug('part-uploaded', { key, part: n, of: count });
      }
    };
    await Promise.all(Array.from({ length: Math.min(ctx.partConcurrency, missing.length) }, worker));
  } catch (err) {
    if (isNoSuchUpload(err) && !current.completeSent) {
      // The upload id expired (e.g. a lifecycle rule aborted it while the host was down): start over.
      log.warn('multipart-restarted', { key, uploadId: current.uploadId });
      await fs.rm(statePath, { force: true });
      return putMultipart(ctx, entry, log);
    }
    throw err;
  } finally {
    await handle.close();
  }

  const completedBefore = current.completeSent;
  await save({ completeSent: true });
  const ordered = Array.from({ length: count }, (_, i) => ({ PartNumber: i + 1, ...parts[String(i + 1)] }));
  const expected = compositeChecksum(ordered.map((p) => p.checksumSHA256));
  let attempts = 0;
  try {
    const out = await withRetry(() => {
      attempts++;
      return ctx.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: ctx.bucket,
          Key: key,
          UploadId: current.uploadId,
          IfNoneMatch: '*',
          MultipartUpload: {
            Parts: ordered.map((p) => ({ PartNumber: p.PartNumber, ETag: p.eTag, ChecksumSHA256: p.checksumSHA256 })),
          },
        }),
      );
    }, ctx.retry);
    return {
      outcome: 'uploaded',
      bucket: ctx.bucket,
      key,
      eTag: out.ETag,
      checksumSHA256: out.ChecksumSHA256 ?? expected,
      parts: count,
    };
  } catch (err) {
    if (isPreconditionFailed(err)) {
      // These bytes are already at the key: free the parts of this upload.
      await ctx.client
        .send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: current.uploadId }))
        .catch((abortErr) => log.warn('abort-failed', { key, message: (abortErr as Error).message }));
      return { outcome: 'already-present', bucket: ctx.bucket, key, parts: count };
    }
    if (isNoSuchUpload(err) && (completedBefore || attempts > 1)) {
      log.warn('complete-assumed', {
        key,
        uploadId: current.uploadId,
        reason: 'NoSuchUpload after an earlier completion attempt',
      });
      return { outcome: 'already-present', bucket: ctx.bucket, key, parts: count };
    }
    throw err;
  }
}
