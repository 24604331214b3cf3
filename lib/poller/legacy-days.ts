/** Calendar arithmetic for servers that take only `yyyy-MM-dd` dates (Keycloak < 26.2). */

export const DAY_MS = 86_400_000;

// Time zones run from UTC-12 to UTC+14: a server-local day can end up to 14 hours after the
// UTC day of the same date ends.
const LATEST_ZONE_MS = 14 * 3_600_000;

/** Epoch ms of 00:00 UTC of the day holding `time`. */
export function startOfUtcDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** `yyyy-MM-dd` of the UTC day holding `time`. */
export function utcDate(time: number): string {
  return new Date(startOfUtcDay(time)).toISOString().slice(0, 10);
}

/**
 * The dates to ask for so that the UTC day holding `time` is covered whatever the server's time
 * zone: one day more on each side. The walk filters by `time` itself.
 */
export function queryDatesFor(time: number): { dateFrom: string; dateTo: string } {
  const day = startOfUtcDay(time);
  return { dateFrom: utcDate(day - DAY_MS), dateTo: utcDate(day + DAY_MS) };
}

/**
 * Whether no event can join the queried dates any more: their last day has ended in every time
 * zone before `windowEnd` (events older than that have committed), so offsets in the
 * newest-first list are stable.
 */
export function isSettledRange(time: number, windowEnd: number): boolean {
  const endOfLastQueriedDay = startOfUtcDay(time) + 2 * DAY_MS;
  return endOfLastQueriedDay + LATEST_ZONE_MS <= windowEnd;
}
