/**
 * The `Retry-After` response header (RFC 9110 section 10.2.3) in milliseconds: delay-seconds or an
 * HTTP date (IMF-fixdate and the two obsolete forms), relative to an injected now, and never more
 * than {@link MAX_RETRY_AFTER_MS}, the longest wait any server can make any part of the product take.
 */

/**
 * A server's `Retry-After` longer than this is read as this long: 15 minutes. A longer pause is
 * far likelier a misconfigured or hostile server than a real maintenance window, and coming back
 * after 15 minutes costs one request. It is also SQS's longest message delay, so the AWS path can
 * honour any `Retry-After` with one delayed message.
 */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} gmt$`);
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} gmt$`);
// Sun Nov  6 08:49:37 1994 (GMT, though it does not say so)
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (\\d{1,2}) ${TIME} (\\d{4})$`);

/**
 * The wait a `Retry-After` value asks for, in whole milliseconds from `nowMs`, in
 * `[0, MAX_RETRY_AFTER_MS]`. A date in the past is 0. Undefined when the header is absent or not
 * one of RFC 9110's forms (a negative or fractional number, a malformed or impossible date), so
 * the caller falls back to its backoff.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    // Leading zeros aside, more than 7 digits is past the cap already; Number() of a long
    // digit string would be Infinity or imprecise.
    const digits = text.replace(/^0+(?=\d)/, '');
    return digits.length > 7 ? MAX_RETRY_AFTER_MS : Math.min(Number(digits) * 1000, MAX_RETRY_AFTER_MS);
  }
  const at = parseHttpDate(text, nowMs);
  if (at === undefined || !Number.isFinite(nowMs)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** An HTTP date (RFC 9110 section 5.6.7) as epoch ms, or undefined. Names are matched case-insensitively, runs of spaces as one. */
export function parseHttpDate(text: string, nowMs: number): number | undefined {
  const normal = text.toLowerCase();
  let match = IMF_FIXDATE.exec(normal.replace(/ {2,}/g, ' '));
  if (match) return utc(Number(match[3]), match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
  match = RFC850_DATE.exec(normal.replace(/ {2,}/g, ' '));
  if (match) return utc(fullYear(Number(match[3]), nowMs), match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
  match = ASCTIME_DATE.exec(normal.replace(/ {2,}/g, ' '));
  if (match) return utc(Number(match[6]), match[1]!, Number(match[2]), match[3]!, match[4]!, match[5]!);
  return undefined;
}

/** RFC 9110: a two-digit year more than 50 years ahead is the most recent past year with those digits. */
function fullYear(twoDigits: number, nowMs: number): number {
  const thisYear = new Date(Number.isFinite(nowMs) ? nowMs : 0).getUTCFullYear();
  let year = thisYear - (thisYear % 100) + twoDigits;
  if (year > thisYear + 50) year -= 100;
  return year;
}

function utc(year: number, monthName: string, day: number, hours: string, minutes: string, seconds: string): number | undefined {
  const month = MONTHS.indexOf(monthName);
  const [h, m, s] = [Number(hours), Number(minutes), Number(seconds)];
  // 60 is a leap second, which the wait does not need to the second.
  if (h > 23 || m > 59 || s > 60 || day < 1) return undefined;
  const at = Date.UTC(year, month, day, h, m, Math.min(s, 59));
  // Date.UTC rolls "31 Feb" over into March: such a date is not a date.
  return new Date(at).getUTCDate() === day ? at : undefined;
}
