/** Publishes health points as CloudWatch metrics (Powertools EMF: one log line per point, no API calls). */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricPoint } from './health';
import type { EnvironmentPoint } from './ledger-health';

const UNITS = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds, None: MetricUnit.NoUnit } as const;

/** Each point with the `dataset` dimension on top of the instance's default dimensions. */
export function publishPoints(metrics: Metrics, points: readonly MetricPoint[]): void {
  for (const p of points) {
    const single = metrics.singleMetric();
    single.addDimension('dataset', p.dataset);
    single.addMetric(p.name, UNITS[p.unit], p.value);
  }
}

/** Environment-wide points (the instance's default dimensions only, no `dataset`). */
export function publishEnvironmentPoints(metrics: Metrics, points: readonly EnvironmentPoint[]): void {
  for (const p of points) metrics.singleMetric().addMetric(p.name, UNITS[p.unit], p.value);
}
