/**
 * Reads the parser's quarantine (stage bucket, `quarantine/`): row rejects
 * (`….rejects.ndjson`, one JSON entry per rejected row) and file reports (`….file.json`, one
 * entry for a file quarantined as a whole), each with a stable `reason` code and a message.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'zlib';
import { QUARANTINE_PREFIX } from '../../contracts/constants';
import { listObjects } from './pipe';

export interface QuarantineEntry {
  readonly kind: 'row' | 'file';
  readonly reason: string;
  readonly message: string;
  /** The quarantine object holding the entry. */
  readonly object: string;
  /** Inbound key of the file the entry is about, when the entry names it. */
  readonly sourceKey?: string;
}

export interface QuarantineReport {
  readonly entries: readonly QuarantineEntry[];
  /** Entries by `kind:reason`, e.g. `row:RAGGED_ROW` → 2. */
  readonly byReason: Readonly<Record<string, number>>;
  readonly rows: number;
  readonly files: number;
}

function parseEntries(object: string, text: string): QuarantineEntry[] {
  const kind = object.endsWith('.file.json') ? 'file' : 'row';
  const values: unknown[] = [];
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    values.push(JSON.parse(trimmed));
  } catch {
    for (const line of trimmed.split('\n')) {
      try {
        values.push(JSON.parse(line));
      } catch {
        values.push({ reason: 'UNREADABLE_ENTRY', message: line.slice(0, 200) });
      }
    }
  }
  return values.map((v) => {
    const e = (v ?? {}) as { reason?: unknown; message?: unknown; source_key?: unknown };
    return {
      kind,
      object,
      sourceKey: typeof e.source_key === 'string' ? e.source_key : undefined,
      reason: typeof e.reason === 'string' ? e.reason : 'UNKNOWN',
      message: typeof e.message === 'string' ? e.message : JSON.stringify(v).slice(0, 200),
    };
  });
}

export async function readQuarantine(s3: S3Client, bucket: string): Promise<QuarantineReport> {
  const entries: QuarantineEntry[] = [];
  for (const object of await listObjects(s3, bucket, QUARANTINE_PREFIX)) {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
    let bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    entries.push(...parseEntries(object.key, bytes.toString('utf8')));
  }
  const byReason: Record<string, number> = {};
  for (const e of entries) byReason[`${e.kind}:${e.reason}`] = (byReason[`${e.kind}:${e.reason}`] ?? 0) + 1;
  return {
    entries,
    byReason,
    rows: entries.filter((e) => e.kind === 'row').length,
    files: entries.filter((e) => e.kind === 'file').length,
  };
}
