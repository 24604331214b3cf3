import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { killAllCli, localRunEnv, runCli } from '../../support/cli-process.js';
import { startSimulatorForSync } from '../../support/simulator-client.js';

const PASSWORD = 'cli-test-password-7f3a';

describe('mpas-log-sync (the executable)', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;

  beforeEach(async () => {
    simulator = await startSimulatorForSync(PASSWORD);
    receiver = await startSiemReceiver({ auth: { bearerToken: 'siem-token-1234' } });
    stateDir = await mkdtemp(join(tmpdir(), 'cli-commands-'));
  });

  afterEach(async () => {
    await killAllCli();
    await receiver.close();
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  function environment(overrides: Record<string, string> = {}): Record<string, string> {
    return localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: Date.now() - 7_200_000, stateDir, siemUrl: `${receiver.url}/ingest` },
      { SIEM_TOKEN: 'siem-token-1234', ...overrides },
    );
  }

  it('answers --help with exit 0 and no command with exit 2', async () => {
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('run');
    expect((await runCli([], {})).code).toBe(2);
    expect((await runCli(['no-such-command'], {})).code).toBe(2);
    const runHelp = await runCli(['run', '--help'], {});
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain('--once');
  });

  it('run --once delivers every event redacted, commits, and exits 0; a second run sends nothing again', async () => {
    const events = generateEvents({ seed: 5, realm: 'acme', count: 1_500, startTime: Date.now() - 3_600_000, spacingMs: 2_000 });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    const first = await runCli(['run', '--once'], environment());
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(receiver.received()).toHaveLength(1_500);
    const ids = receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
    expect(new Set(ids).size).toBe(1_500);
    for (const item of receiver.received()) {
      const { eventType, event } = item.json as { eventType: string; event: Record<string, unknown> };
      if (eventType === 'user-event') expect(event.ipAddress).toBe('<redacted>');
      else if (event.representation !== undefined) expect(event.representation).toBe('<redacted>');
    }
    expect(first.stdout).not.toContain(PASSWORD);
    expect(first.stdout).not.toContain('siem-token-1234');

    const second = await runCli(['run', '--once'], environment());
    expect(second.code).toBe(0);
    expect(receiver.received()).toHaveLength(1_500);
  });

  it('run --once exits 1 and keeps the event in the dead-letter file when the SIEM refuses it for good', async () => {
    const events = generateEvents({ seed: 6, realm: 'acme', count: 40, startTime: Date.now() - 600_000, spacingMs: 1_000, adminShare: 0 });
    simulator.add('acme', 'user', events.user);
    const refused = events.user[7]!.id!;
    receiver.rejectWhen((item) => (item.text.includes(refused) ? 400 : undefined));
    const result = await runCli(['run', '--once'], environment({ SIEM_BATCH: 'single' }));
    expect(result.code).toBe(1);
    expect(receiver.received()).toHaveLength(39);
    const deadLetters = (await readFile(join(stateDir, 'default.dead-letters.ndjson'), 'utf8')).trim().split('\n');
    expect(deadLetters).toHaveLength(1);
    expect(JSON.parse(deadLetters[0]!)).toMatchObject({ reason: 'rejected-by-siem', events: [{ id: refused }] });
  });

  it('stops with exit 2 on a bad setting, naming it, without printing secrets', async () => {
    const result = await runCli(['run', '--once'], environment({ MPAS_PAGE_SIZE: 'abc', SIEM_URL: 'ftp://siem' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MPAS_PAGE_SIZE');
    expect(result.stderr).toContain('SIEM_URL');
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it('catalog --json lists user and admin event types with severities', async () => {
    const result = await runCli(['catalog', '--json'], {});
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ stream: string; type: string; severity: number }>;
    expect(rows.find((row) => row.type === 'LOGIN_ERROR')).toMatchObject({ stream: 'user' });
    expect(rows.find((row) => row.type === 'LOGIN_ERROR')!.severity).toBeGreaterThanOrEqual(6);
    expect(rows.some((row) => row.stream === 'admin' && row.type === 'DELETE REALM')).toBe(true);
  });

  it('demo runs the pipeline end to end and reports no duplicate and no unredacted event', async () => {
    const result = await runCli(['demo', '--duration', '4', '--quiet', '--rate', '50'], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SIEM received [1-9]\d* .*duplicates 0 · unredacted 0/);
  });

  it('demo --format leef delivers LEEF 2.0 lines the display reads back, none duplicate or unredacted', async () => {
    const result = await runCli(['demo', '--duration', '3', '--quiet', '--rate', '50', '--format', 'leef'], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^LEEF:2\.0\|Kelvin Zero\|MPAS\|[^|]+\|user_\w+\|x09\|devTime=/m);
    expect(result.stdout).toMatch(/SIEM received [1-9]\d* .*duplicates 0 · unredacted 0/);
  });
});
