/**
 * The whole pipeline on one machine: local S3 (s3rver) with the inbound / stage / archive buckets,
 * the inbound bucket's notifications to a local SQS queue with its DLQ (fauxqs), the event source
 * invoking the REAL parser handler, the pipe loading stage files into DuckDB, and the MERGE tasks.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { sourceAllowlist } from '../../contracts/config';
import { PARSER_ENV, PIPELINE_ENVIRONMENT_ENV } from '../../contracts/constants';
import { SqsEventSource } from './event-source';
import type { ParserHandler, PollResult } from './event-source';
import { NotificationForwarder } from './notifications';
import { runPipe } from './pipe';
import type { PipeLoad } from './pipe';
import type { SandboxPipeline } from './pipeline-config';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalS3 } from './s3-server';
import type { LocalS3 } from './s3-server';
import { startLocalSqs } from './sqs-server';
import type { LocalSqs } from './sqs-server';
import { createLedgerObjects, loadManifests } from './ledger';
import type { ManifestLoad } from './ledger';
import { Warehouse } from './warehouse';
import { attachTaskGraph } from './task-graph';
import type { MergeOutcome } from './warehouse';

export const BUCKETS = { inbound: 'sandbox-inbound', stage: 'sandbox-stage', archive: 'sandbox-archive' } as const;

/** The parser handler cannot be loaded (missing, or not a function). */
export class ParserUnavailableError extends Error {
  override readonly name = 'ParserUnavailableError';
}

/** Another process (a running sandbox) holds the state directory's warehouse. */
export class StateInUseError extends Error {
  override readonly name = 'StateInUseError';
}

async function openWarehouse(pipeline: SandboxPipeline, stateDir: string): Promise<Warehouse> {
  const path = join(stateDir, 'warehouse.duckdb');
  try {
    const warehouse = await Warehouse.open(path, pipeline.resolved.datasets, pipeline.schemas);
    await attachTaskGraph(warehouse, pipeline.resolved); // entities, vault loads: bin/sandbox/task-graph.ts
    return warehouse;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/Could not set lock/i.test(message)) throw err;
    throw new StateInUseError(
      `${stateDir} is in use by another sandbox (${/PID \d+/.exec(message)?.[0] ?? 'another process'}): ` +
        'stop it (Ctrl-C), or give this one its own --state <dir>',
      { cause: err },
    );
  }
}

/** The queue still holds messages but none became receivable in time. */
export class QueueStuckError extends Error {
  override readonly name = 'QueueStuckError';
}

export interface DeliveryStats {
  invocations: number;
  messages: number;
  /** Messages returned as batch item failures (or failed with a throwing handler). */
  failures: number;
  /** Errors thrown by the handler, as `Name: message`. */
  readonly handlerErrors: string[];
}

export interface StartSettings {
  readonly stateDir: string;
  readonly retryDelaySeconds: number;
  readonly verbose: boolean;
}

/**
 * Sets the parser's environment (before its module is loaded: handlers read env at init) and
 * loads `handler` from lambda/parser/index.ts.
 */
export function loadParser(pipeline: SandboxPipeline, s3Endpoint: string, verbose: boolean): ParserHandler {
  const env: Record<string, string> = {
    [PARSER_ENV.inboundBucket]: BUCKETS.inbound,
    [PARSER_ENV.stageBucket]: BUCKETS.stage,
    [PARSER_ENV.archiveBucket]: BUCKETS.archive,
    [PARSER_ENV.datasets]: JSON.stringify(pipeline.resolved.datasets),
    [PARSER_ENV.sources]: JSON.stringify(sourceAllowlist(pipeline.resolved.sources)),
    [PIPELINE_ENVIRONMENT_ENV]: 'sandbox',
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'parser',
    POWERTOOLS_LOG_LEVEL: verbose ? 'INFO' : 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, env);
  let mod: { handler?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../lambda/parser/index') as { handler?: unknown };
  } catch (err) {
    throw new ParserUnavailableError(`cannot load the parser (lambda/parser/index.ts): ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof mod.handler !== 'function') {
    throw new ParserUnavailableError('lambda/parser/index.ts exports no `handler` function');
  }
  return mod.handler as ParserHandler;
}

export class LocalPipeline {
  readonly delivery: DeliveryStats = { invocations: 0, messages: 0, failures: 0, handlerErrors: [] };

  private constructor(
    readonly s3: LocalS3,
    readonly sqs: LocalSqs,
    readonly forwarder: NotificationForwarder,
    private readonly eventSource: SqsEventSource,
    readonly warehouse: Warehouse,
    private readonly retryDelaySeconds: number,
  ) {}

  static async start(pipeline: SandboxPipeline, settings: StartSettings): Promise<LocalPipeline> {
    const s3Dir = join(settings.stateDir, 's3');
    mkdirSync(s3Dir, { recursive: true });
    const stops: (() => Promise<void> | void)[] = [];
    // The warehouse first: its file lock keeps a second sandbox off the same state directory.
    const warehouse = await openWarehouse(pipeline, settings.stateDir);
    stops.push(() => warehouse.close());
    try {
      await createLedgerObjects(warehouse);
      const s3 = await startLocalS3(s3Dir, Object.values(BUCKETS));
      stops.push(() => s3.stop());
      const sqs = await startLocalSqs(pipeline);
      stops.push(() => sqs.stop());
      const forwarder = new NotificationForwarder(sqs.client, sqs.queueUrl, BUCKETS.inbound, async (bucket, key) => {
        const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return head.ETag?.replace(/"/g, '');
      });
      s3.onEvent(forwarder.onRecord);
      const handler = loadParser(pipeline, s3.endpoint, settings.verbose);
      const eventSource = new SqsEventSource(sqs.client, sqs.queueUrl, sqs.queueArn, handler, {
        batchSize: pipeline.batchSize,
        visibilityTimeoutSeconds: pipeline.visibilityTimeoutSeconds,
        timeoutSeconds: pipeline.parserTimeoutSeconds,
        retryDelaySeconds: settings.retryDelaySeconds,
      });
      return new LocalPipeline(s3, sqs, forwarder, eventSource, warehouse, settings.retryDelaySeconds);
    } catch (err) {
      for (const stop of stops.reverse()) await stop();
      throw err;
    }
  }

  /** Polls once; returns what happened (for watch mode's progress lines). */
  async pollOnce(waitSeconds: number): Promise<PollResult> {
    await this.forwarder.flush();
    const r = await this.eventSource.poll(waitSeconds);
    if (r.received) {
      this.delivery.invocations++;
      this.delivery.messages += r.received;
      this.delivery.failures += r.failed;
      if (r.error) this.delivery.handlerErrors.push(r.error);
    }
    return r;
  }

  /**
   * Delivers every queued notification to the parser until the queue is empty: successes are
   * deleted, failures retried after the retry delay, and redriven to the DLQ by SQS after
   * maxReceiveCount receives. Returns false when `shouldStop` ended it early (Ctrl-C).
   */
  async drain(
    onPoll?: (r: PollResult) => void | Promise<void>,
    shouldStop: () => boolean = () => false,
  ): Promise<boolean> {
    let lastProgress = Date.now();
    const patienceMs = (this.retryDelaySeconds + 10) * 1000;
    for (;;) {
      if (shouldStop()) return false;
      const r = await this.pollOnce(0);
      if (r.received) {
        lastProgress = Date.now();
        await onPoll?.(r);
        continue;
      }
      const d = await this.sqs.depth(this.sqs.queueUrl);
      if (d.visible + d.inFlight + d.delayed === 0) return true;
      if (Date.now() - lastProgress > patienceMs) {
        throw new QueueStuckError(
          `the queue still holds ${d.visible + d.inFlight + d.delayed} message(s) but none was receivable for ${patienceMs / 1000} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * The pipe (new stage files → bronze + stream), then one MERGE run per dataset with new rows, then the
   * manifests pipe (new `manifests/` objects → OPS.FILE_MANIFESTS, read through OPS.FILE_LEDGER).
   */
  async ingest(
    progress: (line: string) => void = () => undefined,
  ): Promise<{ loads: PipeLoad[]; merges: MergeOutcome[]; manifests: ManifestLoad[] }> {
    // Files of a megabyte or more take a while to load and merge: say what is going on.
    const loads = await runPipe(this.s3.client, BUCKETS.stage, this.warehouse, (file, bytes) => {
      if (bytes >= 1024 * 1024) progress(`pipe    loading ${file} (${(bytes / (1024 * 1024)).toFixed(1)} MB gzip) …`);
    });
    const rows = loads.reduce((n, l) => n + (l.outcome.status === 'loaded' ? l.outcome.rows : 0), 0);
    if (rows >= 100_000) progress(`task    merging ${rows} new bronze row(s) into silver …`);
    const merges = await this.warehouse.runTasks();
    const manifests = await loadManifests(this.s3.client, BUCKETS.stage, this.warehouse);
    return { loads, merges, manifests };
  }

  /** Stops everything, each step even if an earlier one failed; rethrows the first failure. */
  async stop(): Promise<void> {
    const failures: unknown[] = [];
    const attempt = async (step: () => unknown) => {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    };
    await attempt(() => this.forwarder.flush());
    await attempt(() => this.warehouse.close());
    await attempt(() => this.sqs.stop());
    await attempt(() => this.s3.stop());
    if (failures.length) throw failures[0];
  }
}
