import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ArchiveRecord } from '../../../lib/archive/archive-record.js';
import { parseReportDefinition } from '../../../lib/reports/report-definition.js';
import type { ReportDefinition } from '../../../lib/reports/report-definition.js';
import { ReportError } from '../../../lib/reports/report-error.js';
import { runReport } from '../../../lib/reports/run-report.js';
import { generatedArchive, memoryReader } from '../../support/report-archive.js';

const SEED = 20261122;
const START = Date.UTC(2026, 10, 1);
const NOW = START + 300 * 600_000;
const archive = generatedArchive(SEED, 300, START);

function shipped(name: string): ReportDefinition {
  return parseReportDefinition(readFileSync(new URL(`../../../reports/${name}.json`, import.meta.url), 'utf8'));
}

function newestFirst(records: ArchiveRecord[]): ArchiveRecord[] {
  return [...records].sort((a, b) => (a.date === b.date ? b.key.localeCompare(a.key) : a.date < b.date ? 1 : -1));
}

describe('runReport', () => {
  it(`lists the events of one user, as PAS 6.0's "Events for user" (seed ${SEED})`, async () => {
    const result = await runReport({ definition: shipped('events-for-user'), params: { username: 'user1' }, reader: memoryReader(archive), now: NOW });
    const expected = newestFirst(archive.filter(({ params }) => params['duser'] === 'user1'));
    expect(expected.length).toBeGreaterThan(50);
    expect(result.rows.map(({ date, eventID }) => `${date} ${eventID}`)).toEqual(expected.map(({ date, eventID }) => `${date} ${eventID}`));
    expect(result.rows.every((row) => row['duser'] === 'user1')).toBe(true);
    expect(result.columns.slice(0, 4)).toEqual(['date', 'eventID', 'message', 'host']);
    expect(result.columns).toEqual(expect.arrayContaining(['duser', 'src', 'act', 'outcome']));
  });

  it(`applies PAS 6.0's complex AND/OR/NOT filter to our params (seed ${SEED})`, async () => {
    const result = await runReport({ definition: shipped('user-failures-from-loopback'), params: { username: 'user1', client: 'some-id' }, reader: memoryReader(archive), now: NOW });
    const expected = newestFirst(
      archive.filter(({ params }) =>
        params['duser'] === 'user1' &&
        params['outcome'] === 'failure' &&
        !(params['cs2'] ?? '').includes('some-id') &&
        ((params['src'] ?? '').includes('127.0.0.') || (params['src'] ?? '').includes('0:0:0:0:0:0:0:') || params['src'] === '::1'),
      ),
    );
    expect(expected.length).toBeGreaterThan(3);
    expect(result.rows.map(({ date }) => date)).toEqual(expected.map(({ date }) => date));
    expect(result.columns).toEqual(['date', 'eventID', 'message', 'host', 'duser', 'src', 'act', 'outcome', 'reason', 'cs2']);
    expect(result.rows[0]).toMatchObject({ duser: 'user1', outcome: 'failure', reason: 'invalid_user_credentials' });
  });

  it('reads only the window the query asks for, with the limit and the default param', async () => {
    const reader = memoryReader(archive);
    const result = await runReport({ definition: shipped('failed-logins-by-user'), params: { username: 'alice', days: '1' }, reader, now: NOW });
    expect(reader.queries).toEqual([{ from: new Date(NOW - 86_400_000).toISOString(), to: undefined, order: 'desc', limit: 10000 }]);
    expect(result.rows.length).toBeGreaterThan(0);
    expect(result.rows.every((row) => row['eventID'] === 'user_login_error' && row['duser'] === 'alice' && row['date']! >= reader.queries[0]!.from!)).toBe(true);
  });

  it('intersects the query\'s window with --from/--to', async () => {
    const reader = memoryReader(archive);
    const to = new Date(NOW - 3_600_000).toISOString();
    await runReport({ definition: shipped('failed-logins-by-ip'), params: { ip: '203.0.113.' }, reader, now: NOW, window: { from: '2026-11-02T00:00:00.000Z', to } });
    expect(reader.queries[0]).toMatchObject({ from: '2026-11-02T00:00:00.000Z', to });
  });

  it('finds admin changes to users and roles, and new clients and credentials', async () => {
    const changes = await runReport({ definition: shipped('admin-user-and-role-changes'), params: {}, reader: memoryReader(archive), now: NOW });
    expect(new Set(changes.rows.map(({ eventID }) => eventID))).toEqual(new Set(['admin_user_create', 'admin_user_delete', 'admin_realm_role_mapping_create']));
    const created = await runReport({ definition: shipped('new-clients-and-credentials'), params: {}, reader: memoryReader(archive), now: NOW });
    expect(new Set(created.rows.map(({ eventID }) => eventID))).toEqual(new Set(['admin_client_create', 'user_update_password']));
  });

  it('names the missing param, an unknown one, and an undeclared placeholder', async () => {
    const definition = shipped('events-for-user');
    const run = (params: Record<string, string>, over: Partial<ReportDefinition> = {}) =>
      runReport({ definition: { ...definition, ...over }, params, reader: memoryReader(archive), now: NOW });
    await expect(run({})).rejects.toThrow('--param username: is required (params[0]: Username)');
    await expect(run({ username: 'a', user: 'b' })).rejects.toThrow('--param user: is not a parameter of this report (its params: username)');
    await expect(run({ username: 'a' }, { query: "select * from audit_events where date >= '{{since}}' limit 5" })).rejects.toThrow("query: {{since}} is not one of the report's params");
  });

  it('names the filter node at fault with the seed\'s field names', async () => {
    const definition = shipped('events-for-user');
    const bad = { ...definition, postProcessing: { paramColumns: '*', filter: { AND: [{ duser: { equals: 'x' } }, { src: { startswith: '10.' } }] } } };
    const error = await runReport({ definition: bad, params: { username: 'a' }, reader: memoryReader(archive), now: NOW }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReportError);
    expect((error as ReportError).field).toBe('postProcessing.filter.AND[1]["src"]');
    expect((error as ReportError).problem).toContain('unknown comparator "startswith"');
  });

  it('refuses paramColumns with spaces, naming the field', async () => {
    const definition = { ...shipped('events-for-user'), postProcessing: { paramColumns: 'duser, src' } };
    await expect(runReport({ definition, params: { username: 'a' }, reader: memoryReader(archive), now: NOW })).rejects.toThrow(/^postProcessing\.paramColumns: /);
  });
});
