import type { ArchiveRecord } from '../archive/archive-record.js';
import type { ArchiveReader } from '../archive/archive-store.js';
import { compileFilter } from '../core/pipeline/event-filter.js';
import type { EventFilter } from '../core/pipeline/event-filter.js';
import { FilterError } from '../core/pipeline/filter-error.js';
import type { ReportDefinition } from './report-definition.js';
import { ReportError } from './report-error.js';
import { parseReportQuery } from './report-query.js';

/** The fixed columns of every report row, before the parameter columns (PAS 6.0's table). */
export const FIXED_COLUMNS = ['date', 'eventID', 'message', 'host'] as const;

/** What {@link runReport} needs. */
export interface ReportRun {
  definition: ReportDefinition;
  /** The values of the definition's `params`, by name (`--param name=value`). */
  params: Readonly<Record<string, string>>;
  reader: ArchiveReader;
  /** Epoch ms, for `now()` in the query. */
  now: number;
  /** A further window (`--from`/`--to`, ISO-8601), intersected with the query's. */
  window?: { from?: string; to?: string };
}

/** A report's rows, each a column name -> text map, and the columns in display order. */
export interface ReportResult {
  columns: string[];
  rows: Array<Record<string, string>>;
  /** Records read from the archive before the post-processing filter. */
  scanned: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const OPERATORS = new Set(['AND', 'OR', 'NOT']);

function substitute<T>(value: T, values: Readonly<Record<string, string>>, field: string): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (_, name: string) => {
      const replacement = values[name];
      if (replacement === undefined) throw new ReportError(field, `{{${name}}} is not one of the report's params`);
      return replacement;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values, field)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values, field)])) as T;
  }
  return value;
}

/** Seed 002 filters name params directly (`duser`); the filter language reads `event.<name>`. */
function overParams(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(overParams);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => (OPERATORS.has(key) ? [key, overParams(value)] : [`event.${key}`, value])),
  );
}

function compileReportFilter(filter: Record<string, unknown>): EventFilter {
  try {
    return compileFilter(overParams(filter), 'postProcessing.filter');
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new ReportError(error.path.replaceAll('["event.', '["'), error.problem.replace(/"event\./g, '"'), { cause: error });
  }
}

function paramValues(run: ReportRun): Record<string, string> {
  const declared = new Map(run.definition.params.map((param, index) => [param.name, { param, index }]));
  for (const name of Object.keys(run.params)) {
    if (!declared.has(name)) {
      const known = [...declared.keys()].join(', ') || 'none';
      throw new ReportError(`--param ${name}`, `is not a parameter of this report (its params: ${known})`);
    }
  }
  const values: Record<string, string> = {};
  for (const { param, index } of declared.values()) {
    const value = run.params[param.name] ?? param.default;
    if (value === undefined) throw new ReportError(`--param ${param.name}`, `is required (params[${index}]: ${param.displayName})`);
    values[param.name] = value;
  }
  return values;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

function earlier(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined ? a : a < b ? a : b;
}

/**
 * Runs a report over the archive: the params filled in, the query's window and limit read
 * (newest first unless it says `order by date asc`), then the post-processing filter over each
 * record's params (and `eventID`, `message`, `host`), then the param columns picked.
 * Throws a {@link ReportError} naming the field at fault before anything is read.
 */
export async function runReport(run: ReportRun): Promise<ReportResult> {
  const values = paramValues(run);
  const query = parseReportQuery(substitute(run.definition.query, values, 'query'), run.now);
  const post = run.definition.postProcessing;
  const filterSpec = post?.filter === undefined ? undefined : substitute(post.filter, values, 'postProcessing.filter');
  const filter = filterSpec === undefined ? undefined : compileReportFilter(filterSpec);
  const wanted = (post?.paramColumns ?? '*').trim();
  if (wanted !== '*' && !/^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$/.test(wanted)) {
    throw new ReportError('postProcessing.paramColumns', `must be "*" or parameter names comma-separated without whitespace, such as "duser,src"; got "${wanted}"`);
  }

  const from = later(query.from, run.window?.from);
  const to = earlier(query.to, run.window?.to);
  const records = await run.reader.read({ from, to, order: query.order, limit: query.limit });
  const kept = filter ? records.filter((record) => filter({ eventType: record.eventID, event: { ...record.params, ...fixedOf(record) } })) : records;
  const paramColumns = wanted === '*' ? [...new Set(kept.flatMap(({ params }) => Object.keys(params)))] : wanted.split(',');
  const columns = [...FIXED_COLUMNS, ...paramColumns];
  const rows = kept.map((record) => {
    const row: Record<string, string> = fixedOf(record);
    for (const column of paramColumns) row[column] = record.params[column] ?? '';
    return row;
  });
  return { columns, rows, scanned: records.length };
}

function fixedOf(record: ArchiveRecord): Record<string, string> {
  return { date: record.date, eventID: record.eventID, message: record.message, host: record.host };
}
