/**
 * One setting as bench/aws-lag.bench.ts measured it, in `data.settings` of
 * bench/results/aws-lag.json, which the cost model prices: what one tenant (busy, or idle with
 * no lag figures) did per measured minute at one POLL_INTERVAL_MS.
 */
export interface AwsLagSetting {
  pollIntervalMs: number;
  eventsPerSecond: number;
  pollerBilledMsPerMinute: number;
  pollerInvocationsPerMinute: number;
  mpasRequestsPerMinute: number;
  dynamodbRequestsPerMinute: number;
  sqsRequestsPerMinute: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}
