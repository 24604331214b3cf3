import { ReportError } from './report-error.js';

/** What a report reads: a limit, an order and an optional date window (ISO-8601, `from` inclusive, `to` exclusive). */
export interface ParsedReportQuery {
  limit: number;
  order: 'asc' | 'desc';
  from?: string;
  to?: string;
}

const SHAPE =
  /^select \* from audit_events(?: where (.+?))?(?: order by date(?: (asc|desc))?)? limit (\d+)$/i;
const CONDITION = /^date (>=|>|<=|<) (.+)$/i;
const RELATIVE = /^now\(\)(?: - interval '?(\d+)'? (minute|hour|day)s?)?$/i;
const QUOTED = /^'(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?)'$/i;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const SUPPORTED =
  `only "select * from audit_events [where date >= <value> [and date < <value>]] [order by date asc|desc] limit N" is supported, ` +
  `a value being '2026-11-01', '2026-11-01T12:00:00Z' or now() - interval 7 day`;

function instantOf(value: string, now: number): number {
  const relative = RELATIVE.exec(value);
  if (relative) {
    const [, amount, unit] = relative;
    return amount === undefined ? now : now - Number(amount) * UNIT_MS[(unit as string).toLowerCase() as keyof typeof UNIT_MS];
  }
  const quoted = QUOTED.exec(value);
  // A date alone, or a time without a zone, is UTC: the archive's dates are.
  const text = quoted?.[1]?.replace(' ', 'T');
  const time = text === undefined ? Number.NaN : Date.parse(text.length === 10 || /[Z+-]\d*:?\d*$/i.test(text.slice(10)) ? text : `${text}Z`);
  if (!Number.isFinite(time)) throw new ReportError('query', `"${value}" is not a date: ${SUPPORTED}`);
  return time;
}

/**
 * Parses the one query form a report may use (PAS 6.0's `select * from audit_events order by
 * date desc limit 10000`, with an optional window on `date`) against `now` (epoch ms, for
 * `now() - interval ...`). Anything else is refused with a {@link ReportError} on `query`:
 * the archive is not a SQL database everywhere (S3), so no other SQL is run.
 */
export function parseReportQuery(query: string, now: number): ParsedReportQuery {
  const normalised = query.trim().replace(/\s+/g, ' ').replace(/;$/, '');
  const shape = SHAPE.exec(normalised);
  if (!shape) throw new ReportError('query', SUPPORTED);
  const [, where, order, limit] = shape;
  const parsed: ParsedReportQuery = { limit: Number(limit), order: order?.toLowerCase() === 'asc' ? 'asc' : 'desc' };
  if (parsed.limit < 1 || parsed.limit > 1_000_000) throw new ReportError('query', `limit must be 1 to 1000000, got ${limit}`);
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  for (const condition of where === undefined ? [] : where.split(/ and /i)) {
    const match = CONDITION.exec(condition);
    if (!match) throw new ReportError('query', `"${condition}" is not a condition on date: ${SUPPORTED}`);
    const [, operator, value] = match;
    const instant = instantOf(value as string, now);
    if (operator === '>=') from = Math.max(from, instant);
    else if (operator === '>') from = Math.max(from, instant + 1);
    else if (operator === '<') to = Math.min(to, instant);
    else to = Math.min(to, instant + 1);
  }
  if (Number.isFinite(from)) parsed.from = new Date(from).toISOString();
  if (Number.isFinite(to)) parsed.to = new Date(to).toISOString();
  return parsed;
}
