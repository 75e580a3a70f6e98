/** The replay report (JSON file), its summary and the human-readable lines the CLI prints. */
import { mkdir, rename, writeFile } from 'fs/promises';
import * as path from 'path';
import type { ItemReason, ReplayItem } from './replay';

export interface ReplaySummary {
  /** Archived files found in range (including skipped and failed ones). */
  readonly files: number;
  /** Files copied (or, in a dry run, that would be copied). */
  readonly copied: number;
  /** Bytes copied (or that would be copied). */
  readonly bytes: number;
  readonly skipped: number;
  readonly failed: number;
  /** Skipped and failed files per reason code. */
  readonly reasons: Partial<Record<ItemReason, number>>;
}

export interface ReplayReport {
  readonly environment: string;
  readonly dataset: string;
  readonly sources: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly includeUnrouted: boolean;
  readonly archiveBucket: string;
  readonly inboundBucket: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly summary: ReplaySummary;
  /** Exit status: 0 complete, 1 failures, 3 incomplete (files that need action, e.g. a Glacier restore). */
  readonly exitCode: number;
  readonly items: readonly ReplayItem[];
}

/** Reasons that leave a file not replayed and needing an operator action (exit code 3). */
export const INCOMPLETE_REASONS: readonly ItemReason[] = [
  'needs-restore',
  'restore-in-progress',
  'inbound-busy',
  'unrecognised-key',
];

export function summarize(items: readonly ReplayItem[]): ReplaySummary {
  const reasons: Partial<Record<ItemReason, number>> = {};
  let copied = 0;
  let bytes = 0;
  let skipped = 0;
  let failed = 0;
  for (const item of items) {
    if (item.status === 'copied' || item.status === 'would-copy') {
      copied += 1;
      bytes += item.size ?? 0;
    } else {
      if (item.status === 'skipped') skipped += 1;
      else failed += 1;
      if (item.reason) reasons[item.reason] = (reasons[item.reason] ?? 0) + 1;
    }
  }
  return { files: items.length, copied, bytes, skipped, failed, reasons };
}

export function exitCodeOf(summary: ReplaySummary): number {
  if (summary.failed > 0) return 1;
  return INCOMPLETE_REASONS.some((r) => (summary.reasons[r] ?? 0) > 0) ? 3 : 0;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** One progress line per file: `[3/10] copied  <archive key> -> <inbound key> (1.2 MiB)`. */
export function progressLine(item: ReplayItem, done: number, total: number): string {
  const status = item.reason ? `${item.status} (${item.reason})` : item.status;
  const target = item.inboundKey ? ` -> ${item.inboundKey}` : '';
  const size =
    item.size !== undefined ? ` (${formatBytes(item.size)}${item.storageClass ? `, ${item.storageClass}` : ''})` : '';
  const error = item.error ? `: ${item.error}` : '';
  return `[${done}/${total}] ${status} ${item.archiveKey}${target}${size}${error}`;
}

export function summaryLines(report: ReplayReport): string[] {
  const s = report.summary;
  const verb = report.dryRun ? 'would copy' : 'copied';
  const reasons = Object.entries(s.reasons)
    .map(([reason, n]) => `${reason}=${n}`)
    .join(', ');
  return [
    `${report.dryRun ? 'DRY RUN: ' : ''}replay of ${report.dataset} (${report.sources.join(', ')}) ` +
      `${report.from}..${report.to} in ${report.environment}: s3://${report.archiveBucket} -> s3://${report.inboundBucket}`,
    `files: ${s.files}, ${verb}: ${s.copied} (${formatBytes(s.bytes)}), skipped: ${s.skipped}, failed: ${s.failed}` +
      (reasons ? ` [${reasons}]` : ''),
  ];
}

/** Writes the report as JSON (via a temporary file, so a reader never sees half a report). */
export async function writeReport(file: string, report: ReplayReport): Promise<void> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(report, null, 2)}\n`);
  await rename(temporary, target);
}
