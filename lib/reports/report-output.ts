import type { ReportResult } from './run-report.js';

/** How a report is printed: a table for a terminal, CSV or JSON for files. */
export type ReportFormat = 'table' | 'csv' | 'json';

// Wider cells are cut on a terminal; CSV and JSON keep every character.
const MAX_CELL = 60;

function cell(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/** An aligned text table with a header line; columns empty in every row are left out. */
export function renderTable(result: ReportResult): string {
  const columns = result.columns.filter((column, index) => index < 4 || result.rows.some((row) => (row[column] ?? '') !== ''));
  const cells = [columns, ...result.rows.map((row) => columns.map((column) => cell(row[column] ?? '')))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  const lines = cells.map((line) => line.map((text, index) => text.padEnd(widths[index] ?? 0)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  lines.push(`(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'}, ${result.scanned} events read)`);
  return lines.join('\n');
}

function csvField(text: string): string {
  // RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside.
  // A leading = + - @ would run as a formula in a spreadsheet: a quote character defuses it.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV with a header row and CRLF line ends. */
export function renderCsv(result: ReportResult): string {
  const lines = [result.columns, ...result.rows.map((row) => result.columns.map((column) => row[column] ?? ''))];
  return lines.map((line) => line.map(csvField).join(',')).join('\r\n');
}

/** A JSON array of row objects, in column order, empty params left out. */
export function renderJson(result: ReportResult): string {
  const rows = result.rows.map((row) => Object.fromEntries(result.columns.filter((column) => (row[column] ?? '') !== '').map((column) => [column, row[column]])));
  return JSON.stringify(rows, null, 2);
}

/** The report in `format`. */
export function renderReport(result: ReportResult, format: ReportFormat): string {
  return format === 'csv' ? renderCsv(result) : format === 'json' ? renderJson(result) : renderTable(result);
}
