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

  it('exits 1 naming the file when there is no archive yet', async () => {
    const io = captureIo();
    const code = await main(['report', join(reportsDir, 'events-for-user.json'), '--param', 'username=a', '--state', join(stateDir, 'nothing-here')], {}, io);
    expect(code).toBe(1);
    expect(io.errors.join('\n')).toContain(join(stateDir, 'nothing-here', 'audit-events.sqlite'));
  });
});
