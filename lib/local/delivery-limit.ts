import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { AppConfig } from '../config/app-config-schema.js';
import { worstCaseResponseWaitMs } from '../net/response-timeout.js';
import { MAX_IN_PROCESS_RETRY_AFTER_MS } from '../sinks/sink-retry.js';

/**
 * How long one delivery of a batch to a SIEM may take when `run --once` must end by itself:
 * every attempt its whole timeout (doubling after each timeout, see ResponseTimeout), and between
 * attempts the longest wait a sink spends in process (its backoff and a `Retry-After` are both
 * capped there). With `SIEM_ATTEMPTS` 3 and `SIEM_TIMEOUT_MS` 10 s: 10 + 20 + 40 + 2 x 5 = 80 s.
 * A batch framed as many requests (`SIEM_BATCH=single`) sends them `SIEM_CONCURRENCY` at a time:
 * the limit cuts the rest short rather than waiting for all.
 */
export function deliveryLimitMs(siem: { attempts: number; timeoutMs: number }): number {
  return worstCaseResponseWaitMs(siem.attempts, siem.timeoutMs) + (siem.attempts - 1) * MAX_IN_PROCESS_RETRY_AFTER_MS;
}

/** The limit of each route the configuration describes, by route name (see {@link deliveryLimitMs}). */
export function deliveryLimitsOf(config: AppConfig): Record<string, number> {
  const limits: Record<string, number> = {};
  const add = (name: string, siem: object): void => {
    if ('attempts' in siem && 'timeoutMs' in siem && typeof siem.attempts === 'number' && typeof siem.timeoutMs === 'number') {
      limits[name] = deliveryLimitMs({ attempts: siem.attempts, timeoutMs: siem.timeoutMs });
    }
  };
  if (config.defaultRoute !== false) add(DEFAULT_ROUTE_NAME, config.siem);
  for (const route of config.routes ?? []) add(route.name, route.siem);
  return limits;
}

/** Why a delivery was cut short: its limit passed. The sinks report it as the reason of the requests it aborted. */
export class DeliveryLimitReached extends Error {
  constructor(readonly limitMs: number) {
    super(`no answer within the ${limitMs} ms run --once gives one delivery (SIEM_ATTEMPTS tries, the timeout doubling from SIEM_TIMEOUT_MS after each timeout, plus the waits between attempts)`);
    this.name = 'DeliveryLimitReached';
  }
}
