import type { FormatName } from '../core/formats/format-registry.js';
import type { Clock } from '../core/time/clock.js';
import { systemClock } from '../core/time/clock.js';
import type { Sleep } from '../core/time/sleep.js';
import { realSleep } from '../core/time/sleep.js';
import type { BatchDeliverySettings } from './batch-delivery.js';
import { effectiveLimits } from './siem-limits.js';
import type { SiemLimits } from './siem-limits.js';

/**
 * The settings every protocol sink (Splunk HEC, Elasticsearch `_bulk`) shares with the generic
 * HTTPS sink: Vector's `batch` and `request` blocks. Framing is the protocol's, so there is no
 * `batch` mode: events always go in batches of at most `maxBatchEvents` / `maxBatchBytes`.
 */
export interface ProtocolSinkOptions {
  /** The SIEM's base URL. `http:` only to a loopback host (the local demo and tests). */
  url: string;
  /** What the payloads are; sinks frame them by the format's kind (JSON documents or lines). */
  format: FormatName;
  /** Per request, connect to last byte of the response. */
  timeoutMs: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Events per request at most. */
  maxBatchEvents: number;
  /**
   * Uncompressed body bytes per request at most, lowered to the SIEM's documented limit; a larger
   * event is not sent but dropped (dead-lettered) with its size.
   */
  maxBatchBytes: number;
  /** Tries per request within one `deliver()`, the first one included. */
  attempts: number;
  /** Sends `Content-Encoding: gzip` bodies. */
  gzip: boolean;
  /** PEM file of a private CA, trusted in addition to the public roots. */
  caFile?: string | undefined;
  /** @default realSleep */
  sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** For `Retry-After` dates, latencies and acknowledgement deadlines. @default systemClock */
  clock?: Clock;
  /** First backoff ceiling; doubles per attempt. @default 200 */
  backoffBaseMs?: number;
  /** @default 5000 */
  backoffMaxMs?: number;
}

/**
 * The delivery engine's settings, with the defaults of the test seams, and the batch limits
 * lowered to the SIEM's documented ones (`siem`, see siem-limits.ts).
 */
export function deliverySettings(options: ProtocolSinkOptions, siem?: SiemLimits): BatchDeliverySettings {
  const limits = effectiveLimits(options, siem);
  return {
    concurrency: options.concurrency,
    attempts: options.attempts,
    maxBatchEvents: limits.maxBatchEvents,
    maxBatchBytes: limits.maxBatchBytes,
    maxEventBytes: limits.maxEventBytes,
    eventLimitName: limits.eventLimitName,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    clock: options.clock ?? systemClock,
    backoffBaseMs: options.backoffBaseMs ?? 200,
    backoffMaxMs: options.backoffMaxMs ?? 5_000,
  };
}

/** `base` without trailing slashes, plus `path`; an operator may paste the endpoint itself, so a known `suffix` is removed first. */
export function endpointUrl(base: string, path: string, suffixes: readonly string[] = []): string {
  const url = new URL(base);
  let pathname = url.pathname.replace(/\/+$/, '');
  for (const suffix of suffixes) {
    if (pathname.endsWith(suffix)) {
      pathname = pathname.slice(0, -suffix.length);
      break;
    }
  }
  url.pathname = pathname + path;
  return url.toString();
}
