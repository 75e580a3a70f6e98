import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  METRICS_NAMESPACE,
  PARSER_DETAIL_METRICS,
  PARSER_METRICS,
  PARSER_SERVICE,
  PIPELINE_ENVIRONMENT_ENV,
} from '../../contracts/constants';
import { createS3Client } from '../shared/s3-client';
import type { ParserConfig } from './config';
import type { ObjectVersion } from './object-names';
import { processObject } from './process-object';
import { hasDrift } from './schema-drift';
import type { ObjectOutcome } from './process-object';
import { InvalidMessageError, parseS3Message } from './s3-events';
import type { ParsedMessage } from './s3-events';

export interface HandlerOptions {
  /** @default createS3Client() (endpoints from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) */
  readonly s3?: S3Client;
  /** @default a Powertools Logger for PARSER_SERVICE */
  readonly logger?: Logger;
  /** @default Powertools Metrics in METRICS_NAMESPACE with the `environment` dimension */
  readonly metrics?: Metrics;
  /**
   * A record after the first of a batch is not started when less than this much of the invocation's time
   * remains: it is returned as a batch item failure (redelivered, its object untouched) instead of being cut
   * off by the timeout, which would return the whole batch. @default DEFAULT_START_RESERVE_MILLIS
   */
  readonly startReserveMillis?: number;
}

/** Time a record needs left in the invocation to be started (about 2 GB of CSV at the benchmark's speed). */
export const DEFAULT_START_RESERVE_MILLIS = 120_000;

/** A record left for the next invocation because this one is running out of time. */
export class DeferredRecordError extends Error {
  override readonly name = 'DeferredRecordError';
}

export type ParserHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Builds the parser handler: SQS messages of S3 notifications in, `{ batchItemFailures }` out.
 * Records are processed one after another (memory stays that of one file); a record fails only
 * for errors worth retrying, so one bad file never fails its neighbours.
 */
export function createHandler(config: ParserConfig, options: HandlerOptions = {}): ParserHandler {
  const s3 = options.s3 ?? createS3Client();
  const logger = options.logger ?? new Logger({ serviceName: PARSER_SERVICE });
  const metrics =
    options.metrics ??
    new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: PARSER_SERVICE,
      defaultDimensions: { environment: process.env[PIPELINE_ENVIRONMENT_ENV] ?? 'local' },
    });
  const processor = new BatchProcessor(EventType.SQS);
  const startReserve = options.startReserveMillis ?? DEFAULT_START_RESERVE_MILLIS;
  // Per invocation: when it must end, and how many records it has started.
  let deadline = Number.POSITIVE_INFINITY;
  let started = 0;

  const report = (v: ObjectVersion, outcome: ObjectOutcome, millis: number) => {
    const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
    if (outcome.status === 'staged') count(PARSER_METRICS.filesProcessed, 1);
    if (outcome.status === 'quarantined') count(PARSER_METRICS.filesQuarantined, 1);
    if (outcome.status === 'superseded') count(PARSER_METRICS.filesSuperseded, 1);
    if (outcome.status === 'missing') count(PARSER_DETAIL_METRICS.filesMissing, 1);
    const drifted = hasDrift(outcome.drift);
    if (outcome.status === 'staged') count(PARSER_METRICS.filesWithDrift, drifted ? 1 : 0);
    count(PARSER_METRICS.rowsIn, outcome.rowsIn);
    count(PARSER_METRICS.rowsOut, outcome.rowsOut);
    count(PARSER_METRICS.rowsRejected, outcome.rowsRejected);
    metrics.addMetric(PARSER_METRICS.bytesIn, MetricUnit.Bytes, outcome.bytesIn);
    metrics.addMetric(PARSER_DETAIL_METRICS.fileDuration, MetricUnit.Milliseconds, millis);
    const level = outcome.status === 'staged' || outcome.status === 'already-done' ? 'info' : 'warn';
    logger[level](`object ${outcome.status}`, {
      status: outcome.status,
      reason: outcome.reason,
      detail: outcome.message,
      format: outcome.format,
      rowsIn: outcome.rowsIn,
      rowsOut: outcome.rowsOut,
      rowsRejected: outcome.rowsRejected,
      bytesIn: outcome.bytesIn,
      stageKeys: outcome.stageKeys,
      archiveKey: outcome.archiveKey,
      durationMs: millis,
      receivedAt: v.receivedAt,
      manifestKey: outcome.manifestKey,
      replayOf: outcome.replayOf,
    });
    if (outcome.replayMarkerIgnored) {
      logger.warn('replay marker ignored: processed as a new upload', { detail: outcome.replayMarkerIgnored });
    }
    if (drifted) {
      logger.warn('schema drift: record keys differ from the dataset columns', {
        missingPaths: outcome.drift!.missing_paths,
        unknownKeys: outcome.drift!.unknown_keys,
        caseMismatches: outcome.drift!.case_mismatches,
        manifestKey: outcome.manifestKey,
      });
    }
  };

  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const remaining = deadline - Date.now();
    if (started > 0 && remaining < startReserve) {
      logger.warn('record not started: the invocation is running out of time; it will be redelivered', {
        messageId: record.messageId,
        remainingMs: remaining,
        startReserveMs: startReserve,
      });
      throw new DeferredRecordError(
        `not started: ${remaining} ms of the invocation remained (< ${startReserve} ms); left for the next one`,
      );
    }
    started++;
    let message: ParsedMessage;
    try {
      message = parseS3Message(record.body);
    } catch (err) {
      logger.error('message is not an S3 notification; it will be retried, then dead-lettered', {
        messageId: record.messageId,
        error: err as Error,
      });
      throw err;
    }
    for (const skipped of message.skipped) logger.info('skipped', { messageId: record.messageId, skipped });
    for (const v of message.objects) {
      const [source, dataset] = v.key.split('/');
      logger.appendKeys({ bucket: v.bucket, key: v.key, source, dataset, versionId: v.versionId ?? null });
      try {
        if (v.bucket !== config.inboundBucket) {
          throw new InvalidMessageError(
            `event for bucket ${v.bucket}, but the inbound bucket is ${config.inboundBucket}`,
          );
        }
        const started = Date.now();
        const outcome = await processObject({ s3, config }, v);
        report(v, outcome, Date.now() - started);
      } catch (err) {
        logger.error('object failed; the message will be retried', { error: err as Error });
        throw err;
      } finally {
        logger.removeKeys(['bucket', 'key', 'source', 'dataset', 'versionId']);
      }
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    deadline =
      typeof context.getRemainingTimeInMillis === 'function'
        ? Date.now() + context.getRemainingTimeInMillis()
        : Number.POSITIVE_INFINITY;
    started = 0;
    try {
      return await processPartialResponse(event, handleRecord, processor, {
        context,
        processInParallel: false,
        throwOnFullBatchFailure: false,
      });
    } finally {
      // A batch of test events or folder markers has nothing to publish.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
