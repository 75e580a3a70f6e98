/**
 * Health monitor (scheduled): per dataset, reads SYSTEM$PIPE_STATUS, load errors (COPY_HISTORY),
 * task failures (TASK_HISTORY), task and stream state (SHOW) and the rows waiting for the MERGE,
 * and publishes them as CloudWatch metrics (namespace METRICS_NAMESPACE, dimensions service,
 * environment, dataset). A run that cannot connect fails (Lambda Errors); a check that fails is
 * published as CheckErrors of its dataset. Per dataset also the CAST_FAILED rejects of the window; for the
 * environment the files not accounted for in OPS.FILE_LEDGER after the grace period and the manifests pipe's
 * state (ledger-health.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { HEALTH_MONITOR_SERVICE, MONITOR_RUNS_METRIC } from '../../contracts/constants';
import { scheduledSnowflakeRun } from '../shared/scheduled-snowflake-run';
import { readHealthMonitorConfig } from './environment';
import { collectHealth } from './monitor';
import { collectLedgerHealth } from './ledger-health';
import { publishEnvironmentPoints, publishPoints } from './publish';

const config = readHealthMonitorConfig();
const { logger, metrics, withSession } = scheduledSnowflakeRun(HEALTH_MONITOR_SERVICE, config);

export const handler = async (): Promise<{ datasets: number; problems: number }> =>
  withSession(async (session) => {
    const reports = await collectHealth(session, {
      schemas: config.schemas,
      datasets: config.datasets,
      splitTargets: config.splitTargets,
      windowMinutes: config.windowMinutes,
    });
    let problems = 0;
    for (const report of reports) {
      publishPoints(metrics, report.points);
      for (const problem of report.problems) logger.warn('health problem', { dataset: report.dataset, problem });
      problems += report.problems.length;
    }
    const ledger = await collectLedgerHealth(session, {
      schemas: config.schemas,
      graceMinutes: config.ledgerGraceMinutes,
    });
    publishEnvironmentPoints(metrics, ledger.points);
    for (const problem of ledger.problems) logger.warn('health problem', { problem });
    problems += ledger.problems.length;
    metrics.addMetric(MONITOR_RUNS_METRIC, MetricUnit.Count, 1);
    return { datasets: reports.length, problems };
  });
