import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteArchive } from '../../../lib/archive/sqlite-archive.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { main } from '../../../lib/cli/main.js';
import { generatedArchive } from '../../support/report-archive.js';

function captureIo(isTty = false): CliIo & { output: string[]; errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  return { output, errors, out: (text) => output.push(text), err: (text) => errors.push(text), isTty };
}

const reportsDir = new URL('../../../reports/', import.meta.url).pathname;

describe('mpas-log-sync report', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const archive = new SqliteArchive(join(stateDir, 'audit-events.sqlite'));
    await archive.write([{ id: 'b', records: generatedArchive(99, 200, Date.UTC(2026, 10, 1)) }]);
    await archive.close();
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('is listed in the help and prints its own usage', async () => {
    const io = captureIo();
    expect(await main(['--help'], {}, io)).toBe(0);
    expect(io.output.join('\n')).toMatch(/\n {2}report {4}run a report/);
    const own = captureIo();
    expect(await main(['report', '--help'], {}, own)).toBe(0);
    expect(own.output.join('\n')).toContain('usage: mpas-log-sync report <definition.json>');
  });

  it('prints a table on a terminal from the archive in the state directory (STATE_DIR)', async () => {
    const io = captureIo(true);
    const code = await main(['report', join(reportsDir, 'events-for-user.json'), '--param', 'username=alice'], { STATE_DIR: stateDir }, io);
    expect(io.errors).toEqual([]);
    expect(code).toBe(0);
    const lines = io.output.join('\n').split('\n');
    expect(lines[0]).toMatch(/^date +eventID +message +host +/);
    // 200 user events and an admin event every fifth.
    expect(lines.at(-1)).toMatch(/^\(\d+ rows, 240 events read\)$/);
  });

  it('exits 2 naming the field of a bad definition, and a missing param', async () => {
    const bad = join(stateDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ displayName: 'x', query: 'select * from users limit 5', category: 'Audit' }));
    const io = captureIo();
    expect(await main(['report', bad, '--state', stateDir], {}, io)).toBe(2);
    expect(io.errors.join('\n')).toContain(`${bad}: query: only "select * from audit_events`);

    const missing = captureIo();
    expect(await main(['report', join(reportsDir, 'events-for-user.json'), '--state', stateDir], {}, missing)).toBe(2);
    expect(missing.errors.join('\n')).toContain('--param username: is required (params[0]: Username)');
  });

  it('exits 1 naming the file and the setting that turns the archive on when there is no archive yet', async () => {
    const io = captureIo();
    const code = await main(['report', join(reportsDir, 'events-for-user.json'), '--param', 'username=a', '--state', join(stateDir, 'nothing-here')], {}, io);
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toBe(
      `mpas-log-sync report failed: no event archive at ${join(stateDir, 'nothing-here', 'audit-events.sqlite')}: the archive is off unless the config file turns it on ("archive": {"enabled": true}, docs/routes-archive-reports.md) and run has stored events since; or give --archive FILE, --state DIR or --s3 s3://BUCKET/PREFIX`,
    );
  });

  it('takes --json for --format json, and reads --from and --to both inclusive', async () => {
    // Every event, oldest first: the generated archive has a user event every 10 minutes from 2026-11-01, an admin event 1 ms after every fifth.
    const all = join(stateDir, 'all.json');
    writeFileSync(all, JSON.stringify({ displayName: 'All', query: 'select * from audit_events order by date asc limit 1000', category: 'Audit' }));
    const report = async (args: string[]): Promise<Array<{ date: string }>> => {
      const io = captureIo(true);
      expect(await main(['report', all, '--state', stateDir, ...args], {}, io), io.errors.join('\n')).toBe(0);
      return JSON.parse(io.output.join('\n')) as Array<{ date: string }>;
    };
    const tenth = '2026-11-01T01:40:00.000Z';
    expect((await report(['--json', '--from', tenth, '--to', tenth])).map(({ date }) => date)).toEqual([tenth]);
    expect((await report(['--format', 'json', '--from', '2026-11-01T01:30:00Z', '--to', String(Date.parse(tenth))])).map(({ date }) => date)).toEqual(['2026-11-01T01:30:00.000Z', tenth]);
    const conflicting = captureIo();
    expect(await main(['report', all, '--state', stateDir, '--json', '--format', 'csv'], {}, conflicting)).toBe(2);
    expect(conflicting.errors.join('\n')).toContain('--json asks for --format json, not --format csv');
  });
});
