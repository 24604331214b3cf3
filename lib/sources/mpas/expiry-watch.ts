import type { StreamKey, StreamPosition } from '../../core/cursor/cursor-store.js';
import type { Stream } from '../../core/events/event-schemas.js';
import { expirationSecondsOf, expiryRisk, expiryWarning } from './events-config.js';
import type { EventsExpiration, ExpiryRisk } from './events-config.js';

/** What reads a realm's event expiration: the MpasClient. */
export interface ExpirationSource {
  eventsExpiration(realm: string, signal?: AbortSignal): Promise<EventsExpiration>;
}

/** One stream's cursor against its realm's expiration. */
export interface StreamExpiry {
  realm: string;
  stream: Stream;
  risk: ExpiryRisk;
  /** Set when the cursor is older than the warning threshold. */
  warning?: string;
}

/** The expirations read and what they mean for each stream's cursor. */
export interface ExpiryReport {
  expirations: Map<string, EventsExpiration>;
  streams: StreamExpiry[];
}

/**
 * Reads each realm's expiration once (a failure to read it is `unknown`, never an error: this
 * only warns) and compares every stream's cursor age (now - position.time) with it.
 */
export async function checkCursorExpiry(source: ExpirationSource, positions: Partial<Record<StreamKey, StreamPosition>>, now: number, threshold?: number): Promise<ExpiryReport> {
  const expirations = new Map<string, EventsExpiration>();
  const streams: StreamExpiry[] = [];
  const entries = Object.entries(positions) as Array<[StreamKey, StreamPosition | undefined]>;
  for (const [key, position] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    if (!position) continue;
    const cut = key.lastIndexOf('#');
    const realm = key.slice(0, cut);
    const stream = key.slice(cut + 1) as Stream;
    let expiration = expirations.get(realm);
    if (!expiration) {
      expiration = await source.eventsExpiration(realm).catch((error: unknown) => ({ status: 'unknown' as const, reason: error instanceof Error ? error.message : String(error) }));
      expirations.set(realm, expiration);
    }
    const risk = expiryRisk(position.time, now, expirationSecondsOf(expiration, stream), threshold);
    const warning = expiryWarning(realm, stream, risk);
    streams.push({ realm, stream, risk, ...(warning !== undefined ? { warning } : {}) });
  }
  return { expirations, streams };
}
