import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Dimensions beside the instance's defaults (`service`, `tenant`). */
export type MetricDimensions = Readonly<Record<string, string>>;

/**
 * Writes one metric at once with its own dimensions (as its own EMF document). A Powertools
 * single-metric instance forgets its dimensions when it publishes, which it does on every
 * `addMetric`, so each metric needs an instance of its own.
 */
export function emitMetric(
  metrics: Metrics,
  dimensions: MetricDimensions,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
): void {
  const single = metrics.singleMetric();
  single.addDimensions({ ...dimensions });
  single.addMetric(name, unit, value);
}
