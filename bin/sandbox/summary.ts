/**
 * The run's summary: one status line first (`OK`, `COMPLETED WITH REJECTS`, `FAILED`), then what
 * went in, each quarantined file, rejected rows per dataset and reason (and where to read them),
 * schema drift per file, the file ledger's totals when given, and what the warehouse holds. Problems
 * (messages in the DLQ, failed loads, objects left in inbound, notifications that could not be sent,
 * a handler that threw, files the ledger cannot account for) make it FAILED.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { STAGE_DATA_PREFIX } from '../../contracts/constants';
import { describeMessage } from './event-source';
import { unrelatedGoldLine, type GoldResult } from './gold';
import type { DeliveryStats, LocalPipeline } from './local-pipeline';
import { BUCKETS } from './local-pipeline';
import { listObjects } from './pipe';
import type { PipeLoad } from './pipe';
import { readQuarantine } from './quarantine';
import { REJECT_REASONS } from '../../snowflake/model/dataset-model';
import type { LedgerTotals } from './ledger';
import type { TableCount } from './warehouse';
import { driftEntries, describeDrift, mergeRejects, parserRejects, quarantinedFiles, readManifests } from './outcomes';
import type { FileDriftEntry, QuarantinedFile, RejectedRows } from './outcomes';

/** The overall outcome, first line of the summary. */
export type RunStatus = 'OK' | 'COMPLETED WITH REJECTS' | 'FAILED';

/** Totals of the file ledger (`OPS.FILE_LEDGER`), computed by the warehouse side (bin/sandbox/ledger.ts). */
export type { LedgerTotals };

export interface RunInput {
  readonly uploaded: number;
  readonly unchanged: number;
  readonly ignored: readonly string[];
}

export interface Summary {
  readonly status: RunStatus;
  /** The first line printed: the status and what it is about. */
  readonly statusLine: string;
  readonly environment: string;
  readonly input: RunInput;
  /** `dlqMessages`: what the first (up to 10) dead-lettered messages were about. */
  readonly delivery: DeliveryStats & { readonly dlq: number; readonly dlqMessages: readonly string[] };
  readonly parser: {
    readonly archived: number;
    readonly leftInInbound: number;
    readonly quarantinedFiles: number;
    readonly quarantinedRows: number;
    readonly quarantineByReason: Readonly<Record<string, number>>;
  };
  readonly stage: {
    readonly files: number;
    readonly loadedThisRun: number;
    readonly rowsLoadedThisRun: number;
    readonly failedLoads: readonly { readonly file: string; readonly error: string }[];
  };
  /** Totals over the warehouse: rows in (staged + quarantined), staged, silver, key rejects, quarantined. */
  readonly rows: {
    readonly in: number;
    readonly staged: number;
    readonly out: number;
    readonly rejected: number;
    readonly quarantined: number;
  };
  readonly tables: readonly TableCount[];
  readonly gold: GoldResult & { readonly sample?: { readonly view: string; readonly rows: Record<string, unknown>[] } };
  /** Files quarantined as a whole, with the reason and where the report is. */
  readonly quarantinedFiles: readonly QuarantinedFile[];
  /** Rejected rows per dataset, stage and reason, with where to read them. */
  readonly rejectedRows: readonly RejectedRows[];
  /** Files whose record keys differ from their dataset's column paths (from the manifests). */
  readonly drift: readonly FileDriftEntry[];
  readonly ledger?: LedgerTotals;
  readonly problems: readonly string[];
  readonly elapsedSeconds: number;
}

/** The status and its line from what the summary found. */
export function runStatus(
  problems: readonly string[],
  files: readonly QuarantinedFile[],
  rejected: readonly RejectedRows[],
  ledger?: LedgerTotals,
): { status: RunStatus; statusLine: string } {
  if (problems.length) return { status: 'FAILED', statusLine: `FAILED: ${problems.length} problem(s), listed below` };
  const parserRows = rejected.filter((r) => r.stage === 'parser').reduce((n, r) => n + r.rows, 0);
  // A CAST_FAILED reject names one value (its row may still be in silver with NULL): counted as casts, not rows.
  const isCast = (r: RejectedRows) => r.stage === 'merge' && r.reason === REJECT_REASONS.castFailed;
  // Rows kept out of silver: key rejects, plus rows an onCastError 'reject' column kept out (the ledger counts both).
  const mergeRows = Math.max(
    rejected.filter((r) => r.stage === 'merge').reduce((n, r) => n + (isCast(r) ? (r.rowsRejected ?? 0) : r.rows), 0),
    ledger?.rows.rejected ?? 0,
  );
  const casts = Math.max(
    ledger?.castFailures ?? 0,
    rejected.filter(isCast).reduce((n, r) => n + r.rows, 0),
  );
  if (files.length + parserRows + mergeRows + casts === 0) {
    return { status: 'OK', statusLine: 'OK: every file was parsed, staged, loaded and merged.' };
  }
  const parts = [
    files.length ? `${files.length} file(s) quarantined` : '',
    parserRows ? `${parserRows} row(s) quarantined by the parser` : '',
    mergeRows ? `${mergeRows} row(s) rejected by the MERGE` : '',
    casts ? `${casts} value(s) failed their cast` : '',
  ].filter(Boolean);
  return {
    status: 'COMPLETED WITH REJECTS',
    statusLine: `COMPLETED WITH REJECTS: ${parts.join(', ')} (details below)`,
  };
}

export async function collectSummary(
  p: LocalPipeline,
  ctx: {
    environment: string;
    input: RunInput;
    loads: readonly PipeLoad[];
    gold: GoldResult;
    startedAt: number;
    ledger?: LedgerTotals;
  },
): Promise<Summary> {
  const client = p.s3.client;
  const queueDepth = await p.sqs.depth(p.sqs.queueUrl);
  const queued = queueDepth.visible + queueDepth.inFlight + queueDepth.delayed;
  const dlqDepth = await p.sqs.depth(p.sqs.dlqUrl);
  const dlq = dlqDepth.visible + dlqDepth.inFlight + dlqDepth.delayed;
  // A peek (visibility 0 keeps the messages available to an operator's redrive).
  const dlqMessages = dlq
    ? (
        (
          await p.sqs.client.send(
            new ReceiveMessageCommand({ QueueUrl: p.sqs.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
          )
        ).Messages ?? []
      ).map((m) => describeMessage(m.Body))
    : [];
  const quarantine = await readQuarantine(client, BUCKETS.stage);
  const inbound = await listObjects(client, BUCKETS.inbound, '');
  const archived = await listObjects(client, BUCKETS.archive, '');
  const staged = await listObjects(client, BUCKETS.stage, STAGE_DATA_PREFIX);
  const failedLoads = ctx.loads.flatMap((l) =>
    l.outcome.status === 'failed' ? [{ file: l.stageFile, error: l.outcome.error.message }] : [],
  );
  const tables = await p.warehouse.tableCounts(ctx.gold.created);
  const total = (suffix: (t: string) => boolean) =>
    tables.filter((t) => suffix(t.table)).reduce((s, t) => s + t.rows, 0);
  const { raw, core } = p.warehouse.schemas;
  const bronzeRows = total((t) => t.startsWith(`${raw}.`));
  const rejectRows = total((t) => t.startsWith(`${core}.`) && t.endsWith('_REJECTS'));
  const silverRows = total((t) => t.startsWith(`${core}.`) && !t.endsWith('_REJECTS'));
  let sample: Summary['gold']['sample'];
  if (ctx.gold.created.length) {
    const view = ctx.gold.created[0];
    sample = { view, rows: await p.warehouse.connection.rows(`SELECT * FROM ${view} ORDER BY ALL LIMIT 5`) };
  }
  const problems: string[] = [];
  if (dlq) {
    problems.push(
      `${dlq} message(s) in the dead-letter queue (the parser failed each maxReceiveCount times): ${dlqMessages.join('; ')}`,
    );
  }
  if (queued) problems.push(`${queued} event(s) still in the queue, not delivered to the parser (interrupted)`);
  for (const f of failedLoads) problems.push(`failed load: ${f.error}`);
  if (inbound.length) problems.push(`${inbound.length} object(s) left in the inbound bucket (not archived/removed)`);
  for (const e of p.forwarder.failures)
    problems.push(`an S3 notification could not be sent to the queue: ${e.message}`);
  for (const e of [...new Set(p.delivery.handlerErrors)]) problems.push(`the parser handler threw: ${e}`);
  for (const f of ctx.ledger?.notAccounted ?? []) {
    problems.push(
      `not accounted for in the file ledger: ${f.source_key} (${f.status}${f.reason ? `, ${f.reason}` : ''})`,
    );
  }
  const files = quarantinedFiles(quarantine, BUCKETS.stage);
  const rejectedRows = [
    ...parserRejects(quarantine, BUCKETS.stage),
    ...(await mergeRejects(p.warehouse.connection, tables)),
  ].sort((a, b) => `${a.dataset}\0${a.stage}\0${a.reason}`.localeCompare(`${b.dataset}\0${b.stage}\0${b.reason}`));
  const drift = driftEntries(await readManifests(client, BUCKETS.stage));
  return {
    ...runStatus(problems, files, rejectedRows, ctx.ledger),
    environment: ctx.environment,
    input: ctx.input,
    delivery: { ...p.delivery, dlq, dlqMessages },
    parser: {
      archived: archived.length,
      leftInInbound: inbound.length,
      quarantinedFiles: quarantine.files,
      quarantinedRows: quarantine.rows,
      quarantineByReason: quarantine.byReason,
    },
    stage: {
      files: staged.length,
      loadedThisRun: ctx.loads.filter((l) => l.outcome.status === 'loaded').length,
      rowsLoadedThisRun: ctx.loads.reduce((s, l) => s + (l.outcome.status === 'loaded' ? l.outcome.rows : 0), 0),
      failedLoads,
    },
    rows: {
      in: bronzeRows + quarantine.rows,
      staged: bronzeRows,
      out: silverRows,
      rejected: rejectRows,
      quarantined: quarantine.rows,
    },
    tables,
    gold: { ...ctx.gold, sample },
    quarantinedFiles: files,
    rejectedRows,
    drift,
    ...(ctx.ledger ? { ledger: ctx.ledger } : {}),
    problems,
    elapsedSeconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10,
  };
}

function table(rows: Record<string, unknown>[]): string[] {
  if (!rows.length) return ['    (no rows)'];
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) =>
    v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = cols.map((c) => Math.min(40, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (values: string[]) => '    ' + values.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i])).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))];
}

export function formatSummary(s: Summary): string[] {
  const out: string[] = [];
  const reasons = Object.entries(s.parser.quarantineByReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  out.push('', s.statusLine, `Summary (environment ${s.environment}, ${s.elapsedSeconds} s)`);
  out.push(
    `  files      uploaded ${s.input.uploaded}, unchanged since last run ${s.input.unchanged}` +
      (s.input.ignored.length
        ? `, ignored ${s.input.ignored.length} (not under <source>/): ${s.input.ignored.join(', ')}`
        : ''),
  );
  out.push(
    `  queue      ${s.delivery.messages} message(s) in ${s.delivery.invocations} parser invocation(s), ` +
      `${s.delivery.failures} batch item failure(s), ${s.delivery.dlq} in the DLQ`,
  );
  out.push(
    `  parser     ${s.parser.archived} archived, ${s.parser.leftInInbound} left in inbound, ` +
      `${s.stage.files} stage file(s), quarantined: ${s.parser.quarantinedFiles} file(s) + ${s.parser.quarantinedRows} row(s)` +
      (reasons ? ` (${reasons})` : ''),
  );
  out.push(
    `  pipe       ${s.stage.loadedThisRun} stage file(s) loaded this run (${s.stage.rowsLoadedThisRun} rows), ` +
      `${s.stage.failedLoads.length} failed`,
  );
  out.push(
    `  rows       in ${s.rows.in} → staged ${s.rows.staged} + quarantined ${s.rows.quarantined}; ` +
      `silver ${s.rows.out}, rejects-table rows ${s.rows.rejected}`,
  );
  if (s.quarantinedFiles.length) out.push('  quarantined files');
  for (const f of s.quarantinedFiles) {
    out.push(`    ${f.sourceKey}: ${f.reason} — ${f.message}`, `      report ${f.report}`);
  }
  if (s.rejectedRows.length) out.push('  rejected rows');
  for (const r of s.rejectedRows) {
    const by =
      r.stage === 'parser'
        ? 'quarantined by the parser'
        : r.reason === REJECT_REASONS.castFailed
          ? 'values that failed their cast, recorded by the MERGE'
          : 'rejected by the MERGE';
    const keptOut = r.rowsRejected ? `; ${r.rowsRejected} row(s) kept out of silver (onCastError reject)` : '';
    out.push(`    ${r.dataset}: ${r.rows} ${r.reason} (${by}${keptOut}) in ${r.where.join(', ')}`);
  }
  if (s.drift.length) out.push('  schema drift');
  for (const d of s.drift) out.push(`    ${d.sourceKey} (${d.dataset}): ${describeDrift(d.drift)}`);
  if (s.ledger) {
    const l = s.ledger;
    out.push(
      `  ledger     ${l.files} file version(s), ${l.accounted} accounted for, ${l.notAccounted.length} not; ` +
        `${l.rows.in} row(s) read${l.rows.inQuarantinedFiles ? ` (${l.rows.inQuarantinedFiles} in quarantined files, none staged)` : ''}, ` +
        `${l.castFailures} cast failure(s), ${l.filesWithDrift} file(s) with drift`,
      `             rows: ${l.rows.merged} merged, ${l.rows.superseded} superseded, ${l.rows.rejected} rejected, ` +
        `${l.rows.quarantined} quarantined (of ${l.rows.staged} staged, ${l.rows.loaded} loaded)`,
    );
  }
  out.push('  tables');
  const width = Math.max(...s.tables.map((t) => t.table.length), 10);
  for (const t of s.tables) out.push(`    ${t.table.padEnd(width)}  ${String(t.rows).padStart(7)}`);
  const unrelated = unrelatedGoldLine(s.gold);
  if (unrelated) out.push(`    gold views: ${unrelated}`);
  else for (const k of s.gold.skipped) out.push(`    ${k.view.padEnd(width)}  skipped — ${k.reason}`);
  if (s.gold.sample) {
    out.push(`  sample of ${s.gold.sample.view}`);
    out.push(...table(s.gold.sample.rows));
  }
  if (s.problems.length) {
    out.push('', `FAILED: ${s.problems.length} problem(s)`);
    for (const p of s.problems) out.push(`  - ${p}`);
  } else {
    out.push('', s.statusLine);
  }
  return out;
}
