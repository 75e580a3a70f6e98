/**
 * Pipe refresher (scheduled): the safety net for S3 event notifications that never reached
 * Snowpipe. Per dataset it runs `ALTER PIPE … REFRESH PREFIX = '<date>/'` over the recent UTC date
 * prefixes and publishes the files queued and the failed statements as CloudWatch metrics
 * (namespace METRICS_NAMESPACE, dimensions service, environment [, dataset]). Loading is idempotent
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
    let failures = 0;
    for (const r of results) {
      // One single-metric object per point: a single metric is flushed at its first addMetric.
      for (const [name, value] of [
        [PIPE_REFRESHER_METRICS.filesQueued, r.filesQueued],
        [PIPE_REFRESHER_METRICS.failures, r.failures],
      ] as const) {
        const single = metrics.singleMetric();
        single.addDimension('dataset', r.dataset);
        single.addMetric(name, MetricUnit.Count, value);
      }
      // Files a REFRESH queued were missed by their S3 notification (or raced it): worth a look.
      if (r.filesQueued > 0) logger.warn('files queued by refresh', { dataset: r.dataset, files: r.files });
      for (const problem of r.problems) logger.error('refresh problem', { dataset: r.dataset, problem });
      filesQueued += r.filesQueued;
      failures += r.failures;
    }
    metrics.addMetric(PIPE_REFRESHER_METRICS.filesQueued, MetricUnit.Count, filesQueued);
    metrics.addMetric(PIPE_REFRESHER_METRICS.failures, MetricUnit.Count, failures);
    metrics.addMetric(PIPE_REFRESHER_METRICS.runs, MetricUnit.Count, 1);
    logger.info('refresh complete', { datasets: results.length, filesQueued, failures });
    return { datasets: results.length, filesQueued, failures };
  });
