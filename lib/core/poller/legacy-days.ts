/** Calendar arithmetic for servers that take only `yyyy-MM-dd` dates (Keycloak < 26.2). */

export const DAY_MS = 86_400_000;

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
 * zone (UTC-12 to UTC+14) and whatever its `dateTo` means: the day before as `dateFrom` (its
 * start is at the latest 12:00 UTC of that day); two days after as `dateTo`, because servers
 * before 26.2 read a `dateTo` as 00:00 of that day for admin events (and for user events before
 * 26.0), which is as early as 10:00 UTC of the day before in UTC+14. The walk filters by `time`.
 */
export function queryDatesFor(time: number): { dateFrom: string; dateTo: string } {
  const day = startOfUtcDay(time);
  return { dateFrom: utcDate(day - DAY_MS), dateTo: utcDate(day + 2 * DAY_MS) };
}
