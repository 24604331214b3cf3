import type { JsonLog } from '../cli/json-log.js';
import type { AppConfig } from '../config/app-config-schema.js';
import type { RequestInfo } from '../sources/mpas/http-transport.js';
import type { Clock } from '../core/time/clock.js';
import type { SiemObserver } from './batch-consumer.js';
import { secretValuesOf } from './config-secret-values.js';
import { FailureLog } from './failure-log.js';
import type { FailureTarget, Outage } from './failure-log.js';

/** During an outage, one summary line a minute: enough to see it goes on, few enough to read. */
export const FAILURE_SUMMARY_EVERY_MS = 60_000;

/** What `run` watches of its SIEM and MPAS attempts: fed to the runner, read by /health. */
export interface RunMonitor {
  siemObserver: SiemObserver;
  onMpasRequest(info: RequestInfo): void;
  outages(): Outage[];
  /** Logs the summary of what is still failing (at a stop). */
  flush(): void;
}

/**
 * The failure log of one `run`, fed by the SIEM requests of every route and the MPAS requests.
 * An MPAS answer counts as failed when the transport retries it (no response, 429, 5xx, a body
 * cut off); its other refusals (401, 403, 404, a legacy server's 400 to the API-mode probe) are
 * the client's to interpret and are told by the poll that meets them.
 */
export function createRunMonitor(options: { log: JsonLog; clock: Clock; config: AppConfig; onChange?: () => void }): RunMonitor {
  const failures = new FailureLog({
    log: options.log,
    clock: options.clock,
    summaryEveryMs: FAILURE_SUMMARY_EVERY_MS,
    secrets: secretValuesOf(options.config),
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
  const siem = (route: string): FailureTarget => ({ side: 'SIEM', name: `route ${route}` });
  return {
    siemObserver: {
      requestFailed: (route, error) => failures.failed(siem(route), error.reason),
      delivered: (route) => failures.succeeded(siem(route)),
    },
    onMpasRequest: (info) => {
      const target: FailureTarget = { side: 'MPAS', name: `${info.route} endpoint` };
      const { status, failure } = info;
      const answered = status !== undefined && status >= 200 && status < 300;
      if (answered && failure === undefined) return failures.succeeded(target);
      const transient = status === undefined || status === 429 || status >= 500 || answered;
      if (transient) failures.failed(target, failure ?? `HTTP ${status}`);
    },
    outages: () => failures.outages(),
    flush: () => failures.flush(),
  };
}
