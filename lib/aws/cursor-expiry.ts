import type { CursorSnapshot } from '../core/cursor/cursor-store.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import type { Stream } from '../core/events/event-schemas.js';
import { EXPIRY_WARNING_RATIO, expirationSecondsOf } from '../sources/mpas/events-config.js';
import type { EventsExpiration } from '../sources/mpas/events-config.js';
import type { ExpirationSource } from '../sources/mpas/expiry-watch.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Clock } from '../core/time/clock.js';

/** How long a realm's expiration is trusted: it changes by hand, rarely; the poller runs every minute. */
export const EXPIRATION_CACHE_MS = 3_600_000;

/**
 * Each realm's event expiration, read at most once per `ttlMs` per warm container, so the
 * poller adds one MPAS request per realm and hour, not per invocation. When a read fails or
 * says `unknown` after a known answer, the known one is kept: an MPAS that stopped answering is
 * exactly when the cursor ages, and the metric must go on. An aborted read is not remembered.
 */
export class ExpirationCache {
  private readonly entries = new Map<string, { expiration: EventsExpiration; until: number }>();

  constructor(
    private readonly source: ExpirationSource,
    private readonly clock: Clock,
    private readonly ttlMs = EXPIRATION_CACHE_MS,
  ) {}

  async get(realm: string, signal?: AbortSignal): Promise<EventsExpiration> {
    const now = this.clock.now();
    const cached = this.entries.get(realm);
    if (cached && cached.until > now) return cached.expiration;
    const read = await this.source.eventsExpiration(realm, signal).catch((error: unknown) => ({ status: 'unknown' as const, reason: error instanceof Error ? error.message : String(error) }));
    if (signal?.aborted && read.status === 'unknown') return cached?.expiration ?? read;
    const expiration = read.status === 'unknown' && cached?.expiration.status === 'known' ? cached.expiration : read;
    this.entries.set(realm, { expiration, until: now + this.ttlMs });
    return expiration;
  }
}

/** What {@link reportCursorExpiry} needs. */
export interface CursorExpiryOptions {
  /** The live cursor (DynamoDB), read after the poll. */
  store: { read(): Promise<CursorSnapshot> };
  expirations: ExpirationCache;
  realms: readonly string[];
  streams: readonly Stream[];
  clock: Clock;
  /** Receives each stream's unread age as a percentage of its expiration (PollMetrics.cursorExpiry). */
  emit: (realm: string, stream: Stream, percent: number) => void;
  /** Called for a stream past {@link EXPIRY_WARNING_RATIO}, with the log fields. */
  warn: (message: string, fields: Record<string, unknown>) => void;
  /** Bounds the expiration reads to what is left of the invocation. */
  signal?: AbortSignal;
}

/**
 * After a poll: how old each stream's unread part is, as a share of the realm's event
 * expiration, so an alarm fires while the events are still in MPAS. A stream this poll read to
 * the end of its window has nothing unread beyond the settle window (its position stays at a
 * quiet realm's newest event, which says nothing about risk), so it reports 0; a stream that
 * failed, or ran out of time catching up, reports `now - position.time`. A poll that did not run
 * (another holds the lease, or lost it) reports nothing: the holder does. Streams without a
 * known expiration report nothing (treated as not breaching).
 */
export async function reportCursorExpiry(outcome: PollOutcome, options: CursorExpiryOptions): Promise<void> {
  if (!('failures' in outcome)) return;
  const snapshot = await options.store.read();
  const now = options.clock.now();
  for (const realm of options.realms) {
    const expiration = await options.expirations.get(realm, options.signal);
    for (const stream of options.streams) {
      const position = snapshot.positions[streamKey(realm, stream)];
      const seconds = expirationSecondsOf(expiration, stream);
      if (!position || seconds === undefined) continue;
      const failed = outcome.failures.some((failure) => failure.realm === realm && failure.stream === stream);
      const caughtUp = outcome.status === 'complete' && !failed;
      const ageSeconds = caughtUp ? 0 : Math.max(0, (now - position.time) / 1000);
      const percent = (ageSeconds / seconds) * 100;
      options.emit(realm, stream, percent);
      if (percent > EXPIRY_WARNING_RATIO * 100) {
        options.warn('the cursor is older than half of the realm\'s event expiration: Keycloak deletes older events, and deleted events can no longer be read', {
          realm,
          stream,
          cursor: new Date(position.time).toISOString(),
          ageSeconds: Math.round(ageSeconds),
          expirationSeconds: seconds,
          percent: Math.round(percent),
        });
      }
    }
  }
}
