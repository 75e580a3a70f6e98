/**
 * What happened to each file and row, read from what the pipeline wrote: the parser's file
 * manifests (`manifests/` in the stage bucket, one per object version), its quarantine, and the
 * warehouse's rejects tables. Used for the per-file lines as files are processed and for the summary.
 */
import { gunzipSync } from 'zlib';
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { MANIFEST_PREFIX } from '../../contracts/constants';
import type { FileDrift, FileManifest } from '../../contracts/file-manifest';
import { parseQuarantineKey } from '../../contracts/object-keys';
import { REJECT_COLUMNS, REJECT_REASONS } from '../../snowflake/model/dataset-model';
import type { DuckDb } from './duckdb';
import { listObjects } from './pipe';
import type { QuarantineReport } from './quarantine';
import type { TableCount } from './warehouse';

export interface StoredManifest {
  /** Stage-bucket key of the manifest. */
  readonly key: string;
  readonly manifest: FileManifest;
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  let bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8');
}

/** Every manifest under `manifests/`, or only those whose key is not in `skip`; sorted by key. */
export async function readManifests(
  s3: S3Client,
  bucket: string,
  skip: ReadonlySet<string> = new Set(),
): Promise<StoredManifest[]> {
  const out: StoredManifest[] = [];
  for (const o of await listObjects(s3, bucket, MANIFEST_PREFIX)) {
    if (skip.has(o.key)) continue;
    out.push({ key: o.key, manifest: JSON.parse((await readText(s3, bucket, o.key)).trim()) as FileManifest });
  }
  return out;
}

/** A whole file in quarantine: where it came from, why, and where its report is. */
export interface QuarantinedFile {
  readonly sourceKey: string;
  readonly reason: string;
  readonly message: string;
  /** `s3://<bucket>/quarantine/…file.json` */
  readonly report: string;
}

/** Rejected rows of one dataset for one reason, and where to read them. */
export interface RejectedRows {
  readonly dataset: string;
  /** `parser` (row quarantined before staging) or `merge` (`CORE.<DATASET>_REJECTS`). */
  readonly stage: 'parser' | 'merge';
  readonly reason: string;
  readonly rows: number;
  /** CAST_FAILED only: distinct rows kept out of silver because of them (`onCastError: 'reject'`). */
  readonly rowsRejected?: number;
  /** S3 objects (`s3://…rejects.ndjson`) or the table (`CORE.<DATASET>_REJECTS`) holding them. */
  readonly where: readonly string[];
}

export interface FileDriftEntry {
  readonly sourceKey: string;
  readonly dataset: string;
  readonly drift: FileDrift;
}

const s3Url = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** A report's message without the `<source key>: ` prefix the parser puts first (the key is printed apart). */
const withoutKey = (message: string, key: string) =>
  message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message;

/** The dataset of a quarantine object `quarantine/<dataset>/<date>/<source>/…`. */
const datasetOf = (object: string) => parseQuarantineKey(object)?.dataset ?? '(unknown)';

export function quarantinedFiles(q: QuarantineReport, bucket: string): QuarantinedFile[] {
  return q.entries
    .filter((e) => e.kind === 'file')
    .map((e) => ({
      sourceKey: e.sourceKey ?? '(unknown)',
      reason: e.reason,
      message: withoutKey(e.message, e.sourceKey ?? ''),
      report: s3Url(bucket, e.object),
    }))
    .sort((a, b) => (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0));
}

/** Rows the parser quarantined, per dataset and reason, with the objects holding them. */
export function parserRejects(q: QuarantineReport, bucket: string): RejectedRows[] {
  const groups = new Map<string, { dataset: string; reason: string; rows: number; where: Set<string> }>();
  for (const e of q.entries) {
    if (e.kind !== 'row') continue;
    const dataset = datasetOf(e.object);
    const id = `${dataset}\0${e.reason}`;
    const g = groups.get(id) ?? { dataset, reason: e.reason, rows: 0, where: new Set<string>() };
    g.rows++;
    g.where.add(s3Url(bucket, e.object));
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => ({ ...g, stage: 'parser' as const, where: [...g.where].sort() }));
}

/** Rows the MERGE rejected, per rejects table and reason. */
export async function mergeRejects(db: DuckDb, tables: readonly TableCount[]): Promise<RejectedRows[]> {
  const out: RejectedRows[] = [];
  for (const t of tables) {
    if (!t.table.endsWith('_REJECTS') || t.rows === 0) continue;
    // A CAST_FAILED row names one value; the rows it kept out of silver (ROW_REJECTED) are counted apart, once each.
    const row = ['SOURCE_KEY', 'RECEIVED_AT', 'SOURCE_ROW'].map((c) => `"${c}"`).join(', ');
    const rows = await db.rows<{ reason: string; n: bigint | number | string; kept_out: bigint | number | string }>(
      `SELECT "${REJECT_COLUMNS.reason}" AS reason, count(*) AS n, ` +
        `count(DISTINCT CASE WHEN "${REJECT_COLUMNS.reason}" = '${REJECT_REASONS.castFailed}' AND "${REJECT_COLUMNS.rowRejected}" ` +
        `THEN concat_ws(chr(0), ${row}) END) AS kept_out FROM ${t.table} GROUP BY 1 ORDER BY 1`,
    );
    const dataset = t.table.slice(t.table.indexOf('.') + 1, -'_REJECTS'.length).toLowerCase();
    for (const r of rows) {
      const cast = r.reason === REJECT_REASONS.castFailed ? { rowsRejected: Number(r.kept_out) } : {};
      out.push({ dataset, stage: 'merge', reason: r.reason, rows: Number(r.n), ...cast, where: [t.table] });
    }
  }
  return out;
}

export function driftEntries(manifests: readonly StoredManifest[]): FileDriftEntry[] {
  return manifests.flatMap(({ manifest: m }) => {
    const d = m.drift;
    if (!d || !m.dataset || d.missing_paths.length + d.unknown_keys.length + d.case_mismatches.length === 0) return [];
    return [{ sourceKey: m.source_key, dataset: m.dataset, drift: d }];
  });
}

export function describeDrift(d: FileDrift): string {
  const parts: string[] = [];
  if (d.case_mismatches.length) {
    parts.push(`keys in another case ${d.case_mismatches.map((c) => `${c.seen} (spec: ${c.path})`).join(', ')}`);
  }
  if (d.missing_paths.length) parts.push(`never present ${d.missing_paths.join(', ')}`);
  if (d.unknown_keys.length) parts.push(`not in the spec ${d.unknown_keys.join(', ')}`);
  return parts.join('; ');
}

/** One line per newly finished file version (from its manifest), for the log as files are processed. */
export function outcomeLines(m: FileManifest, stageBucket: string, reportMessage?: string): string[] {
  const lines: string[] = [];
  if (m.status === 'staged') {
    const quarantined = m.rows_quarantined ? `, ${m.rows_quarantined} row(s) quarantined` : '';
    lines.push(`file    ${m.source_key}: staged ${m.rows_staged} of ${m.rows_in} row(s)${quarantined}`);
    for (const k of m.quarantine_objects) lines.push(`file      rejected rows in ${s3Url(stageBucket, k)}`);
  } else if (m.status === 'quarantined') {
    const report = m.quarantine_objects.map((k) => s3Url(stageBucket, k)).join(', ');
    lines.push(
      `file    QUARANTINED ${m.source_key}: ${m.reason ?? 'UNKNOWN'}` +
        (reportMessage ? ` — ${withoutKey(reportMessage, m.source_key)}` : '') +
        (report ? ` (report ${report})` : ''),
    );
  } else {
    lines.push(`file    ${m.source_key}: superseded (the key held a newer object when it was read)`);
  }
  if (m.drift && m.dataset) {
    const text = describeDrift(m.drift);
    if (text) lines.push(`file      schema drift against ${m.dataset}: ${text}`);
  }
  return lines;
}

/** Manifest key → its LastModified (a replay rewrites the same key: a new LastModified, same bytes). */
async function manifestVersions(s3: S3Client, bucket: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: MANIFEST_PREFIX })) {
    for (const o of page.Contents ?? []) if (o.Key) out.set(o.Key, o.LastModified?.toISOString() ?? '');
  }
  return out;
}

/**
 * Prints each file's outcome as its manifest is written (again when a replay or a redelivery
 * rewrites it). Manifests already in the bucket when it starts (an earlier run on the same state)
 * are not printed.
 */
export class OutcomeReporter {
  private seen = new Map<string, string>();

  private constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  static async start(s3: S3Client, bucket: string): Promise<OutcomeReporter> {
    const r = new OutcomeReporter(s3, bucket);
    r.seen = await manifestVersions(s3, bucket);
    return r;
  }

  /** Logs the outcome of every file finished since the last call. */
  async report(log: (line: string) => void): Promise<void> {
    const now = await manifestVersions(this.s3, this.bucket);
    const unchanged = new Set([...now].filter(([k, v]) => this.seen.get(k) === v).map(([k]) => k));
    this.seen = now;
    for (const { key, manifest } of await readManifests(this.s3, this.bucket, unchanged)) {
      if (!now.has(key)) continue;
      let message: string | undefined;
      const report = manifest.quarantine_objects.find((k) => k.endsWith('.file.json'));
      if (manifest.status === 'quarantined' && report) {
        try {
          message = (JSON.parse(await readText(this.s3, this.bucket, report)) as { message?: string }).message;
        } catch {
          message = undefined;
        }
      }
      for (const line of outcomeLines(manifest, this.bucket, message)) log(line);
    }
  }
}
