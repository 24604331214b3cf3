import * as z from 'zod';
import type { Stream } from '../../core/events/event-schemas.js';

/**
 * What matters to us of Keycloak's RealmEventsConfigRepresentation
 * (`GET /admin/realms/{realm}/events/config`): how long events are kept, in seconds.
 * `eventsExpiration` (user events) exists in every version; `adminEventsExpiration` (a realm
 * attribute) only in the representation of newer versions. Null, absent or 0: not set, which
 * Keycloak takes as "never deleted". Every other field is ignored.
 */
export const realmEventsConfigSchema = z.looseObject({
  eventsExpiration: z.number().nullish(),
  adminEventsExpiration: z.number().nullish(),
});

/**
 * A realm's event expiration. `known`: the seconds after which Keycloak deletes each stream's
 * events, undefined when not set (or, for admin events, not reported by this Keycloak version).
 * `unknown`: the server did not say (`reason` says why: no view-events role, an old server...).
 */
export type EventsExpiration =
  | { status: 'known'; userSeconds?: number; adminSeconds?: number }
  | { status: 'unknown'; reason: string };

/** Reads a 200 body of `events/config`; a body that is not the representation is `unknown`. */
export function parseEventsConfig(text: string): EventsExpiration {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { status: 'unknown', reason: 'events/config answered a body that is not JSON' };
  }
  const parsed = realmEventsConfigSchema.safeParse(json);
  if (!parsed.success) return { status: 'unknown', reason: 'events/config answered a body that is not a RealmEventsConfigRepresentation' };
  const seconds = (value: number | null | undefined): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);
  const userSeconds = seconds(parsed.data.eventsExpiration);
  const adminSeconds = seconds(parsed.data.adminEventsExpiration);
  return { status: 'known', ...(userSeconds !== undefined ? { userSeconds } : {}), ...(adminSeconds !== undefined ? { adminSeconds } : {}) };
}

/** The expiration of one stream's events in seconds, or undefined when unknown or not set. */
export function expirationSecondsOf(expiration: EventsExpiration, stream: Stream): number | undefined {
  if (expiration.status !== 'known') return undefined;
  return stream === 'user' ? expiration.userSeconds : expiration.adminSeconds;
}

/** What a cursor's age means against its stream's expiration. */
export interface ExpiryRisk {
  /** now - position.time, in seconds. */
  ageSeconds: number;
  /** The stream's expiration in seconds; undefined when unknown or not set. */
  expirationSeconds?: number;
  /** ageSeconds / expirationSeconds; undefined without an expiration. */
  ratio?: number;
  /** True when the ratio passed the warning threshold. */
  warn: boolean;
}

/** By default, warn once the cursor is older than half the expiration: time enough to act. */
export const EXPIRY_WARNING_RATIO = 0.5;

/** Compares a cursor's age with its stream's expiration. */
export function expiryRisk(positionTime: number, now: number, expirationSeconds: number | undefined, threshold = EXPIRY_WARNING_RATIO): ExpiryRisk {
  const ageSeconds = Math.max(0, (now - positionTime) / 1000);
  if (expirationSeconds === undefined) return { ageSeconds, warn: false };
  const ratio = ageSeconds / expirationSeconds;
  return { ageSeconds, expirationSeconds, ratio, warn: ratio > threshold };
}

/** "3 d 4 h", "5 h 12 min", "40 s": a duration for people. */
export function humanDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
  if (s >= 3_600) return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min`;
  return `${s} s`;
}

/**
 * The warning for a stream whose cursor is getting old, saying what is at stake: Keycloak deletes
 * events older than the expiration, and what it deleted can no longer be read.
 */
export function expiryWarning(realm: string, stream: Stream, risk: ExpiryRisk): string | undefined {
  if (!risk.warn || risk.expirationSeconds === undefined || risk.ratio === undefined) return undefined;
  const expiration = humanDuration(risk.expirationSeconds);
  return (
    `realm ${realm} ${stream} events: the cursor is ${humanDuration(risk.ageSeconds)} old, ${Math.round(risk.ratio * 100)}% of the realm's ` +
    `${stream === 'user' ? 'event' : 'admin event'} expiration (${expiration}). Keycloak deletes events older than ${expiration}, and deleted events ` +
    `can no longer be read: get the poller running and caught up (or raise the expiration in Realm settings > Events) before then. ` +
    `(A realm without events since then has nothing to lose.)`
  );
}
