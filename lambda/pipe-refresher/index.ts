/**
 * Pipe refresher (scheduled): the safety net for S3 event notifications that never reached
 * Snowpipe. Per dataset it runs `ALTER PIPE … REFRESH PREFIX = '<date>/'` over the recent UTC date
 * prefixes (and the same for the dataset's file manifests through OPS.FILE_MANIFESTS_PIPE) and publishes
 * the files queued and the failed statements as CloudWatch metrics (namespace METRICS_NAMESPACE,
 * dimensions service, environment [, dataset]). Loading is idempotent
 * (Snowflake's load metadata skips files already loaded), so a refresh never doubles data.
 * A run that cannot connect fails (Lambda Errors); a failed REFRESH counts in RefreshFailures.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PIPE_REFRESHER_METRICS, PIPE_REFRESHER_SERVICE } from '../../contracts/constants';
import { scheduledSnowflakeRun } from '../shared/scheduled-snowflake-run';
import { readPipeRefresherConfig } from './environment';
import { refreshPipes } from './refresh';

const config = readPipeRefresherConfig();
const { logger, metrics, withSession } = scheduledSnowflakeRun(PIPE_REFRESHER_SERVICE, config);

export interface PipeRefresherResult {
  readonly datasets: number;
  readonly filesQueued: number;
  /** File manifests queued by the manifests pipe's REFRESH. */
  readonly manifestsQueued: number;
  readonly failures: number;
}

export const handler = async (): Promise<PipeRefresherResult> =>
  withSession(async (session) => {
    const results = await refreshPipes(session, {
      schemas: config.schemas,
      datasets: config.datasets,
      lookbackDays: config.lookbackDays,
    });
    let filesQueued = 0;
    let manifestsQueued = 0;
    let failures = 0;
    for (const r of results) {
      const datasetFailures = r.failures + r.manifests.failures;
      // One single-metric object per point: a single metric is flushed at its first addMetric.
      for (const [name, value] of [
        [PIPE_REFRESHER_METRICS.filesQueued, r.filesQueued],
        [PIPE_REFRESHER_METRICS.manifestsQueued, r.manifests.filesQueued],
        [PIPE_REFRESHER_METRICS.failures, datasetFailures],
      ] as const) {
        const single = metrics.singleMetric();
        single.addDimension('dataset', r.dataset);
        single.addMetric(name, MetricUnit.Count, value);
      }
      // Files a REFRESH queued were missed by their S3 notification (or raced it): worth a look.
      if (r.filesQueued > 0) logger.warn('files queued by refresh', { dataset: r.dataset, files: r.files });
      if (r.manifests.filesQueued > 0)
        logger.warn('manifests queued by refresh', { dataset: r.dataset, files: r.manifests.files });
      for (const problem of r.problems) logger.error('refresh problem', { dataset: r.dataset, problem });
      for (const problem of r.manifests.problems)
        logger.error('refresh problem', { dataset: r.dataset, pipe: 'manifests', problem });
      filesQueued += r.filesQueued;
      manifestsQueued += r.manifests.filesQueued;
      failures += datasetFailures;
    }
    metrics.addMetric(PIPE_REFRESHER_METRICS.filesQueued, MetricUnit.Count, filesQueued);
    metrics.addMetric(PIPE_REFRESHER_METRICS.manifestsQueued, MetricUnit.Count, manifestsQueued);
    metrics.addMetric(PIPE_REFRESHER_METRICS.failures, MetricUnit.Count, failures);
    metrics.addMetric(PIPE_REFRESHER_METRICS.runs, MetricUnit.Count, 1);
    logger.info('refresh complete', { datasets: results.length, filesQueued, manifestsQueued, failures });
    return { datasets: results.length, filesQueued, manifestsQueued, failures };
  });
