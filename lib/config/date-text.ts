/**
 * The forms a typed date may take, wherever one is typed: MPAS_START_FROM (`mpas.startFrom`),
 * and the `--from`/`--to` of backfill, replay, verify and report. Said in every refusal.
 */
export const DATE_FORMS = 'a date (2026-11-01, midnight UTC), an ISO date-time (2026-11-01T08:00:00Z; a zone offset, or none for UTC) or epoch milliseconds';

/**
 * Epoch milliseconds of `value` in one of {@link DATE_FORMS}, or undefined when it is none of
 * them. Epoch milliseconds need at least 10 digits, so that a date typed without dashes
 * (20261101) is refused instead of read as a moment of 1970. A day the month does not have is
 * refused too: Date.parse would move 2026-02-30 to March 2.
 */
export function parseDateText(value: string): number | undefined {
  const text = value.trim();
  if (/^\d{10,}$/.test(text)) return Number(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})(T.+)?$/.exec(text);
  if (!day || !isCalendarDay(Number(day[1]), Number(day[2]), Number(day[3]))) return undefined;
  const withZone = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text) ? `${text}Z` : text;
  const time = Date.parse(withZone);
  return Number.isFinite(time) && time >= 0 ? time : undefined;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
