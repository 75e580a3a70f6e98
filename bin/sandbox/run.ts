/**
 * The sandbox's two modes. One-shot: upload the data folder (in key order), deliver every event to
 * the parser (printing each file's outcome as it finishes, and progress while a file is parsed),
 * load and merge, create the gold views, print the summary (status line first), exit 0 (1 when
 * something is wrong; 3 under --strict when anything was quarantined or rejected).
 * Watch: the same, then keep ingesting files dropped into `<state>/drop/<source>/<dataset>/…` or
 * uploaded by bin/upload.ts (which finds the running sandbox through `<state>/endpoint.json`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ENDPOINT_FILE } from './endpoint';
import type { SandboxEndpoint } from './endpoint';
import { createGoldViews, unrelatedGoldLine } from './gold';
import { sqlDirectories } from '../../lib/snowflake/data-model-input';
import { OutcomeReporter } from './outcomes';
import { progressLines } from './progress';
import { BUCKETS, LocalPipeline } from './local-pipeline';
import { DEFAULT_STATE_DIR } from './options';
import type { SandboxOptions } from './options';
import type { PipeLoad } from './pipe';
import { loadSandboxPipeline } from './pipeline-config';
import type { SandboxPipeline } from './pipeline-config';
import { LOCAL_REGION } from './s3-server';
import { collectSummary, formatSummary } from './summary';
import { ledgerTotals } from './ledger';
import { scenarioLines } from './scenarios';
import { UploadLog, inputFiles } from './uploads';

export const DROP_DIR = 'drop';

export type Log = (line: string) => void;

/** Exit codes of the sandbox. */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2, rejectsUnderStrict: 3 } as const;

export interface RunControl {
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM); watch mode ends then. */
  readonly stopRequested: Promise<void>;
  readonly isStopping: () => boolean;
}

async function ingestAndReport(p: LocalPipeline, log: Log, loads: PipeLoad[]): Promise<void> {
  const { loads: newLoads, merges } = await p.ingest(log);
  for (const l of newLoads) {
    if (l.outcome.status === 'loaded') log(`pipe    loaded ${l.stageFile} (${l.outcome.rows} rows)`);
    else if (l.outcome.status === 'failed') log(`pipe    FAILED ${l.outcome.error.message}`);
  }
  loads.push(...newLoads);
  for (const m of merges) {
    log(
      `task    ${m.dataset}: merged ${m.consumed} stream row(s) → silver ${m.silverRows} row(s), rejects ${m.rejectRows}`,
    );
  }
}

async function deliver(
  p: LocalPipeline,
  log: Log,
  control: RunControl,
  outcomes: OutcomeReporter,
  progressSeconds: number,
): Promise<void> {
  // Long files: MB and rows so far, every few seconds, while the parser works on them.
  const ticker = setInterval(() => progressLines().forEach(log), progressSeconds * 1000);
  let complete: boolean;
  try {
    complete = await p.drain(async (r) => {
      log(
        `parser  ${r.received} message(s): ${r.succeeded} done, ${r.failed} to retry` +
          (r.error ? ` (handler threw ${r.error})` : ''),
      );
      for (const m of r.failedMessages) log(`parser    failed: ${m}`);
      await outcomes.report(log);
    }, control.isStopping);
  } finally {
    clearInterval(ticker);
  }
  if (!complete) log('parser  interrupted: queued events are left undelivered (see the summary)');
}

function sourcesOf(pipeline: SandboxPipeline): Record<string, string[]> {
  const all = pipeline.resolved.datasets.map((d) => d.name);
  return Object.fromEntries(pipeline.resolved.sources.map((s) => [s.name, s.datasets ?? all]));
}

/** Files in the drop folder whose size has not changed since the previous scan (fully written). */
function settledDrops(dropDir: string, sizes: Map<string, number>): string[] {
  const ready: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) {
        seen.add(path);
        const size = statSync(path).size;
        if (sizes.get(path) === size) ready.push(path);
        sizes.set(path, size);
      }
    }
  };
  walk(dropDir);
  for (const path of sizes.keys()) if (!seen.has(path)) sizes.delete(path);
  return ready;
}

/** Runs the sandbox; returns the process exit code. */
export async function runSandbox(options: SandboxOptions, log: Log, control: RunControl): Promise<number> {
  const startedAt = Date.now();
  if (options.reset) {
    rmSync(options.stateDir, { recursive: true, force: true });
    log(`reset   removed ${options.stateDir}`);
  }
  mkdirSync(options.stateDir, { recursive: true });
  const pipeline = loadSandboxPipeline(options.configPath, options.environment);
  const env = pipeline.resolved.environment.name;
  log(
    `config  ${relative(process.cwd(), options.configPath) || options.configPath}, environment ${env}: ` +
      `${pipeline.resolved.sources.length} sources, ${pipeline.resolved.datasets.length} datasets`,
  );
  const { files, ignored } = inputFiles(options.dataDir);
  log(`state   ${options.stateDir}`);
  const p = await LocalPipeline.start(pipeline, options);
  const endpointFile = join(options.stateDir, ENDPOINT_FILE);
  try {
    log(
      `servers S3 ${p.s3.endpoint} (${Object.values(BUCKETS).join(', ')}), SQS ${p.sqs.endpoint} ` +
        `(batch ${pipeline.batchSize}, visibility ${pipeline.visibilityTimeoutSeconds} s, DLQ after ` +
        `${pipeline.maxReceiveCount} receives, retry delay ${options.retryDelaySeconds} s)`,
    );
    for (const note of await p.warehouse.evolveSilver()) log(`schema  ${note}`);
    const outcomes = await OutcomeReporter.start(p.s3.client, BUCKETS.stage);
    const uploadLog = new UploadLog(join(options.stateDir, 'uploads.json'));
    let uploaded = 0;
    for (const f of files) {
      if (control.isStopping()) break;
      if (await uploadLog.upload(p.s3.client, BUCKETS.inbound, f.key, readFileSync(f.path))) uploaded++;
      // Distinct S3 event times: a later file is a later version (the tie-break of the MERGE).
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    log(
      `upload  ${uploaded} file(s) from ${options.dataDir} (${files.length - uploaded} unchanged since the last run)`,
    );
    await deliver(p, log, control, outcomes, options.progressSeconds);
    const loads: PipeLoad[] = [];
    await ingestAndReport(p, log, loads);
    const goldDir = options.goldDir ?? sqlDirectories(pipeline.resolved.sqlDirectory).goldDirectory;
    const gold = await createGoldViews(
      p.warehouse.connection,
      goldDir,
      pipeline.resolved.datasets.map((d) => d.name),
      pipeline.schemas,
    );
    const unrelated = unrelatedGoldLine(gold);
    if (unrelated) log(`gold    ${unrelated}`);
    else {
      log(`gold    ${gold.created.length} view(s) created, ${gold.skipped.length} skipped`);
      for (const k of gold.skipped) log(`gold    WARNING ${k.view} skipped: ${k.reason}`);
    }
    const input = { uploaded, unchanged: files.length - uploaded, ignored };
    if (options.watch) await watch(p, pipeline, options, log, control, loads, endpointFile, outcomes);
    const ledger = await ledgerTotals(p.warehouse);
    const summary = await collectSummary(p, { environment: env, input, loads, gold, startedAt, ledger });
    for (const line of formatSummary(summary)) log(line);
    const scenarios = await scenarioLines(p.warehouse.connection, pipeline.resolved, pipeline.schemas, goldDir);
    for (const line of scenarios) log(line);
    if (options.summaryJson) writeFileSync(options.summaryJson, JSON.stringify(summary, null, 2));
    if (summary.status === 'FAILED') return EXIT_CODES.failed;
    if (options.strict && summary.status === 'COMPLETED WITH REJECTS') {
      log('strict  exit code 3: files were quarantined or rows rejected (see above)');
      return EXIT_CODES.rejectsUnderStrict;
    }
    return EXIT_CODES.ok;
  } finally {
    rmSync(endpointFile, { force: true });
    await p.stop();
  }
}

async function watch(
  p: LocalPipeline,
  pipeline: SandboxPipeline,
  options: SandboxOptions,
  log: Log,
  control: RunControl,
  loads: PipeLoad[],
  endpointFile: string,
  outcomes: OutcomeReporter,
): Promise<void> {
  const dropDir = join(options.stateDir, DROP_DIR);
  mkdirSync(dropDir, { recursive: true });
  const endpoint: SandboxEndpoint = {
    s3Endpoint: p.s3.endpoint,
    sqsEndpoint: p.sqs.endpoint,
    region: LOCAL_REGION,
    inboundBucket: BUCKETS.inbound,
    stageBucket: BUCKETS.stage,
    archiveBucket: BUCKETS.archive,
    queueUrl: p.sqs.queueUrl,
    dlqUrl: p.sqs.dlqUrl,
    pid: process.pid,
    sources: sourcesOf(pipeline),
    configPath: options.configPath,
    environment: pipeline.resolved.environment.name,
  };
  writeFileSync(endpointFile, JSON.stringify(endpoint, null, 2));
  const stateFlag = options.stateDir === resolve(DEFAULT_STATE_DIR) ? '' : ` --state ${options.stateDir}`;
  log(
    `watch   drop files into ${dropDir}/<source>/<dataset>/ or run ` +
      `\`npm run upload -- <file> --source <s> --dataset <d>${stateFlag}\``,
  );
  log(
    `watch   replay from the archive: \`npm run replay -- --sandbox${stateFlag} --env ${pipeline.resolved.environment.name} --dataset <d> --from <date> --to <date>\``,
  );
  log('watch   press Ctrl-C to stop');
  const sizes = new Map<string, number>();
  while (!control.isStopping()) {
    for (const path of settledDrops(dropDir, sizes)) {
      const key = relative(dropDir, path).split(/[\\/]/).join('/');
      await p.s3.client.send(new PutObjectCommand({ Bucket: BUCKETS.inbound, Key: key, Body: readFileSync(path) }));
      unlinkSync(path);
      sizes.delete(path);
      log(`drop    ${key} → s3://${BUCKETS.inbound}/${key}`);
    }
    await p.forwarder.flush();
    const depth = await p.sqs.depth(p.sqs.queueUrl);
    if (depth.visible + depth.inFlight + depth.delayed > 0) {
      await deliver(p, log, control, outcomes, options.progressSeconds);
      await ingestAndReport(p, log, loads);
    } else {
      await Promise.race([control.stopRequested, new Promise((resolve) => setTimeout(resolve, 500))]);
    }
  }
  log('watch   stopping');
}
