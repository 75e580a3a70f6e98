/**
 * Writes the file manifest of one object version (contracts/file-manifest.ts): one gzip JSON
 * line under MANIFEST_PREFIX in the stage bucket, its key from object-names.ts. Deterministic: the
 * fields come only from the version's identity and what was parsed, in a fixed order, and gzip
 * output carries no timestamp, so a retry, a redelivery or a replay writes the same bytes.
 */
import { gzipSync } from 'zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { FILE_MANIFEST_VERSION } from '../../contracts/file-manifest';
import type { FileDrift, FileManifest, FileManifestStatus } from '../../contracts/file-manifest';
import type { ObjectVersion } from './object-names';

/** `reason` of a superseded version's manifest (its key held another object when it was read). */
export const SUPERSEDED_REASON = 'SUPERSEDED';

export interface ManifestFacts {
  /** The routed source, or undefined when the key's source is unknown or invalid (`""` in the manifest). */
  readonly source: string | undefined;
  readonly dataset: string | undefined;
  readonly status: FileManifestStatus;
  readonly reason?: string;
  readonly rowsIn: number;
  readonly rowsStaged: number;
  readonly rowsQuarantined: number;
  readonly stageObjects: readonly string[];
  readonly quarantineObjects: readonly string[];
  readonly drift: FileDrift | null;
}

/** The manifest of version `v` (its identity: for a replay, the original's). */
export function buildManifest(v: ObjectVersion, facts: ManifestFacts): FileManifest {
  return {
    manifest_version: FILE_MANIFEST_VERSION,
    source: facts.source ?? '',
    dataset: facts.dataset ?? null,
    source_key: v.key,
    version_id: v.versionId ?? null,
    received_at: v.receivedAt,
    status: facts.status,
    reason: facts.reason ?? null,
    rows_in: facts.rowsIn,
    rows_staged: facts.rowsStaged,
    rows_quarantined: facts.rowsQuarantined,
    stage_objects: [...facts.stageObjects],
    quarantine_objects: [...facts.quarantineObjects],
    drift: facts.drift,
  };
}

/** The stored bytes: one JSON line, gzip (no name, no mtime: identical input → identical bytes). */
export function manifestBytes(manifest: FileManifest): Buffer {
  return gzipSync(JSON.stringify(manifest) + '\n');
}

export async function writeManifest(s3: S3Client, bucket: string, key: string, manifest: FileManifest): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: manifestBytes(manifest),
      ContentType: 'application/x-ndjson',
    }),
  );
}
