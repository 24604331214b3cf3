/**
 * What each SIEM documents as the most one request (and one event) may hold, and the rule that
 * the configured batch limits never pass them: `SIEM_MAX_BATCH_BYTES` / `SIEM_MAX_BATCH_EVENTS`
 * are ceilings, so a ceiling above the SIEM's own is lowered to it (docs/siems.md lists them).
 * An event that cannot fit in any request is not sent: it is dead-lettered with its size.
 */

/** A SIEM's documented limits; an absent one is whatever the SIEM's operator configured. */
export interface SiemLimits {
  /** Who documents the limit, for reasons: `Datadog`. */
  name: string;
  /** Uncompressed body bytes of one request. */
  maxRequestBytes?: number;
  /** Events in one request. */
  maxEvents?: number;
  /** Bytes of one event (Datadog truncates a longer log: sending it would lose its end). */
  maxEventBytes?: number;
}

/** Datadog's logs intake: 5 MB uncompressed per request, 1,000 entries, 1 MB per log. */
export const DATADOG_LIMITS: SiemLimits = { name: 'Datadog', maxRequestBytes: 5_000_000, maxEvents: 1_000, maxEventBytes: 1_000_000 };

/** Sumo Logic's HTTP Source: at most 1 MB per request before compression. */
export const SUMO_LOGIC_LIMITS: SiemLimits = { name: 'Sumo Logic', maxRequestBytes: 1_000_000 };

/**
 * The Logs Ingestion API (Sentinel): 1 MB per call, compressed or not; two bytes are the JSON
 * array's brackets, which the per-record sizes do not count.
 */
export const SENTINEL_LIMITS: SiemLimits = { name: 'the Logs Ingestion API', maxRequestBytes: 1_048_576 - 2 };

/** Elasticsearch's `http.max_content_length` default (100mb); a cluster may set it lower, then 413 halves the request. */
export const ELASTIC_LIMITS: SiemLimits = { name: 'Elasticsearch', maxRequestBytes: 104_857_600 };

/** The batch limits a sink works with: the configured ones, lowered to the SIEM's own. */
export interface EffectiveLimits {
  maxBatchEvents: number;
  maxBatchBytes: number;
  /** The most one event may weigh (framed as it is sent) to be sent at all. */
  maxEventBytes: number;
  /** Names the byte limit an oversized event is over, for its dead-letter reason. */
  eventLimitName: string;
}

/** `configured`, each ceiling lowered to the SIEM's documented one. */
export function effectiveLimits(configured: { maxBatchEvents: number; maxBatchBytes: number }, siem?: SiemLimits): EffectiveLimits {
  const maxBatchEvents = Math.min(configured.maxBatchEvents, siem?.maxEvents ?? Infinity);
  const siemRequestBytes = siem?.maxRequestBytes ?? Infinity;
  const maxBatchBytes = Math.min(configured.maxBatchBytes, siemRequestBytes);
  const siemEventBytes = siem?.maxEventBytes ?? Infinity;
  if (siemEventBytes < maxBatchBytes) return { maxBatchEvents, maxBatchBytes, maxEventBytes: siemEventBytes, eventLimitName: `${siem!.name}'s limit per event` };
  const eventLimitName = siemRequestBytes < configured.maxBatchBytes ? `${siem!.name}'s limit per request` : 'the request limit (SIEM_MAX_BATCH_BYTES)';
  return { maxBatchEvents, maxBatchBytes, maxEventBytes: maxBatchBytes, eventLimitName };
}

/** The dead-letter reason of an event too large to send: its size and the limit it is over. */
export function tooLargeReason(eventBytes: number, limits: Pick<EffectiveLimits, 'maxEventBytes' | 'eventLimitName'>): string {
  return `event too large for the SIEM: ${eventBytes} bytes, over ${limits.eventLimitName} of ${limits.maxEventBytes} bytes; not sent`;
}
