import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReportDefinition } from '../../../lib/reports/report-definition.js';
import { ReportError } from '../../../lib/reports/report-error.js';
import { parseReportQuery } from '../../../lib/reports/report-query.js';

const NOW = Date.UTC(2026, 10, 22, 12);

function fieldOf(text: string): string {
  try {
    parseReportDefinition(text);
  } catch (error) {
    if (error instanceof ReportError) return error.field;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

const valid = { displayName: 'x', query: 'select * from audit_events limit 5', category: 'Audit' };

describe('parseReportDefinition', () => {
  it('reads every definition shipped in reports/', () => {
    const dir = new URL('../../../reports/', import.meta.url);
    const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(() => parseReportDefinition(readFileSync(new URL(file, dir), 'utf8')), file).not.toThrow();
  });

  it('names the field at fault', () => {
    expect(fieldOf(JSON.stringify({ ...valid, displayName: '' }))).toBe('displayName');
    expect(fieldOf(JSON.stringify({ ...valid, query: undefined }))).toBe('query');
    expect(fieldOf(JSON.stringify({ ...valid, params: [{ name: 'u', displayName: 'U', type: 'select' }] }))).toBe('params[0].type');
    expect(fieldOf(JSON.stringify({ ...valid, params: [{ name: 'u', displayName: 'U', type: 'input' }, { name: 'u', displayName: 'V', type: 'input' }] }))).toBe('params[1].name');
    expect(fieldOf(JSON.stringify({ ...valid, postProcessing: { paramColumns: 3 } }))).toBe('postProcessing.paramColumns');
    expect(fieldOf(JSON.stringify({ ...valid, colour: 'red' }))).toBe('(definition)');
    expect(fieldOf('{ not json')).toBe('(file)');
  });
});

describe('parseReportQuery', () => {
  it('reads the seed\'s query: newest first, with its limit', () => {
    expect(parseReportQuery('select * from audit_events order by date desc limit 10000', NOW)).toEqual({ limit: 10000, order: 'desc' });
    expect(parseReportQuery('SELECT *\n  FROM audit_events ORDER BY date ASC LIMIT 5;', NOW)).toEqual({ limit: 5, order: 'asc' });
  });

  it('reads a date window of literal and relative dates', () => {
    expect(parseReportQuery("select * from audit_events where date >= '2026-11-01' and date < '2026-11-02T06:30:00Z' limit 10", NOW)).toEqual({
      limit: 10,
      order: 'desc',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T06:30:00.000Z',
    });
    expect(parseReportQuery('select * from audit_events where date > now() - interval 2 hour and date <= now() limit 1', NOW)).toEqual({
      limit: 1,
      order: 'desc',
      from: new Date(NOW - 7_200_000 + 1).toISOString(),
      to: new Date(NOW + 1).toISOString(),
    });
  });

  it('refuses any other SQL, on the query field', () => {
    for (const query of [
      'select * from users limit 5',
      'delete from audit_events',
      'select eventID from audit_events limit 5',
      "select * from audit_events where host = 'acme' limit 5",
      "select * from audit_events where date >= 'yesterday' limit 5",
      'select * from audit_events limit 0',
      "select * from audit_events where date >= '2026-11-01'; drop table audit_events limit 5",
    ]) {
      expect(() => parseReportQuery(query, NOW), query).toThrow(ReportError);
      expect(() => parseReportQuery(query, NOW), query).toThrow(/^query: /);
    }
  });
});
