import { describe, expect, it } from 'vitest';
import { renderCsv, renderJson, renderTable } from '../../../lib/reports/report-output.js';
import type { ReportResult } from '../../../lib/reports/run-report.js';

const result: ReportResult = {
  columns: ['date', 'eventID', 'message', 'host', 'duser', 'reason', 'cs6'],
  rows: [
    { date: '2026-11-01T10:00:00.000Z', eventID: 'user_login_error', message: 'User login failed', host: 'acme', duser: 'o"brien, jr', reason: '=cmd|calc', cs6: '' },
    { date: '2026-11-01T09:00:00.000Z', eventID: 'user_login', message: 'User logged in', host: 'acme', duser: 'alice', reason: '', cs6: '' },
  ],
  scanned: 40,
};

describe('renderReport', () => {
  it('prints an aligned table without the columns that are empty in every row', () => {
    const lines = renderTable(result).split('\n');
    expect(lines[0]).toBe('date                      eventID           message            host  duser        reason');
    expect(lines[1]).toMatch(/^-{24} {2}-{16} {2}-{17} {2}-{4} {2}-{11} {2}-{9}$/);
    expect(lines[3]).toBe('2026-11-01T09:00:00.000Z  user_login        User logged in     acme  alice');
    expect(lines[4]).toBe('(2 rows, 40 events read)');
  });

  it('writes RFC 4180 CSV, quoting what needs it and defusing spreadsheet formulas', () => {
    expect(renderCsv(result).split('\r\n')).toEqual([
      'date,eventID,message,host,duser,reason,cs6',
      `2026-11-01T10:00:00.000Z,user_login_error,User login failed,acme,"o""brien, jr",'=cmd|calc,`,
      '2026-11-01T09:00:00.000Z,user_login,User logged in,acme,alice,,',
    ]);
  });

  it('writes JSON rows in column order, leaving empty params out', () => {
    expect(JSON.parse(renderJson(result))).toEqual([
      { date: '2026-11-01T10:00:00.000Z', eventID: 'user_login_error', message: 'User login failed', host: 'acme', duser: 'o"brien, jr', reason: '=cmd|calc' },
      { date: '2026-11-01T09:00:00.000Z', eventID: 'user_login', message: 'User logged in', host: 'acme', duser: 'alice' },
    ]);
  });
});
