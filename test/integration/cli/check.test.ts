import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { killAllCli, runCli } from '../../support/cli-process.js';

const PASSWORD = 'check-test-password-3e8d';
const SIEM_TOKEN = 'siem-check-token-5151';

interface CheckJson {
  ok: boolean;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

describe('mpas-log-sync check', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;

  beforeEach(async () => {
    simulator = await startMpasSimulator({
      realms: ['acme', 'retail'],
      users: [
        { username: 'sync', password: PASSWORD, roles: ['view-events'] },
        { username: 'no-role', password: PASSWORD, roles: [] },
      ],
    });
    receiver = await startSiemReceiver({ auth: { bearerToken: SIEM_TOKEN } });
  });

  afterEach(async () => {
    await killAllCli();
    await receiver.close();
    await simulator.close();
  });

  function environment(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: 'acme,retail',
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD: PASSWORD,
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_TOKEN,
      SIEM_BATCH: 'array',
      ...overrides,
    };
  }

  it('passes every check with exit 0, one line each, and stores nothing at the SIEM', async () => {
    const result = await runCli(['check', '--json'], environment());
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const report = JSON.parse(result.stdout) as CheckJson;
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.check)).toEqual([
      'config',
      'state',
      'mpas token',
      'mpas acme user events',
      'mpas acme admin events',
      'mpas retail user events',
      'mpas retail admin events',
      'mpas clock',
      'siem https',
    ]);
    expect(report.checks.every((check) => check.ok)).toBe(true);
    expect(report.checks.find((check) => check.check === 'mpas clock')?.detail).toMatch(/within a second/);
    expect(receiver.received()).toHaveLength(0);
    expect(result.stdout).not.toContain(PASSWORD);
    expect(result.stdout).not.toContain(SIEM_TOKEN);

    const text = await runCli(['check'], environment());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ok +mpas token +password grant for user sync in realm master$/m);
    expect(text.stdout).toContain('all checks passed');
  });

  it('reports a missing view-events role plainly, per realm and stream, with exit 1', async () => {
    const result = await runCli(['check'], environment({ MPAS_USERNAME: 'no-role' }));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ok +mpas token/m);
    expect(result.stdout).toMatch(/^FAIL +mpas acme user events +the MPAS user lacks the view-events role in realm acme/m);
    expect(result.stdout).toContain('4 check(s) failed');
  });

  it('reports refused MPAS credentials and skips the reads, and refused SIEM credentials, without showing either secret', async () => {
    const result = await runCli(['check', '--json'], environment({ MPAS_PASSWORD: 'wrong-password-1234', SIEM_TOKEN: 'wrong-siem-token-9876' }));
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as CheckJson;
    expect(report.checks.find((check) => check.check === 'mpas token')).toMatchObject({ ok: false, detail: expect.stringContaining('MPAS_USERNAME/MPAS_PASSWORD') });
    expect(report.checks.find((check) => check.check === 'mpas acme user events')).toMatchObject({ ok: false, detail: 'not tried: no MPAS token' });
    expect(report.checks.find((check) => check.check === 'siem https')).toMatchObject({ ok: false, detail: expect.stringContaining('refused the credentials') });
    expect(result.stdout + result.stderr).not.toContain('wrong-password-1234');
    expect(result.stdout + result.stderr).not.toContain('wrong-siem-token-9876');
  });

  it('posts an empty JSON array with --send-test-event, and says when the SIEM cannot be reached', async () => {
    const sent = await runCli(['check', '--send-test-event', '--json'], environment());
    expect(sent.code, sent.stdout).toBe(0);
    expect((JSON.parse(sent.stdout) as CheckJson).checks.at(-1)).toMatchObject({ check: 'siem https', ok: true, detail: expect.stringMatching(/empty JSON array/) });
    // The empty array, two bytes, reached the collector and stored nothing.
    expect(receiver.requests().some((request) => request.path === '/ingest' && request.bytes === 2)).toBe(true);
    expect(receiver.received()).toHaveLength(0);

    const closed = await startSiemReceiver();
    const url = closed.url;
    await closed.close();
    const unreachable = await runCli(['check'], environment({ SIEM_URL: `${url}/ingest` }));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/^FAIL +siem https +cannot reach .*check SIEM_URL/m);
  });

  it('sends one test event to a Splunk HEC with --send-test-event, and only checks reachability without it', async () => {
    const hec = await startSiemReceiver({ splunk: { token: 'hec-token-7777' } });
    try {
      const env = environment({ SIEM_TYPE: 'splunk-hec', SIEM_URL: hec.url, SIEM_TOKEN: 'hec-token-7777' });
      const reachable = await runCli(['check'], env);
      expect(reachable.code, reachable.stdout).toBe(0);
      expect(reachable.stdout).toMatch(/^ok +siem splunk-hec +reachable/m);
      expect(hec.received()).toHaveLength(0);

      const sent = await runCli(['check', '--send-test-event'], env);
      expect(sent.code, sent.stdout).toBe(0);
      expect(sent.stdout).toMatch(/^ok +siem splunk-hec +a test event \(type MPAS_LOG_SYNC_CHECK/m);
      expect(hec.received()).toHaveLength(1);
      expect(hec.received()[0]!.text).toContain('MPAS_LOG_SYNC_CHECK');

      const refused = await runCli(['check', '--send-test-event'], { ...env, SIEM_TOKEN: 'not-the-hec-token' });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/^FAIL +siem splunk-hec +the test event was not accepted/m);
    } finally {
      await hec.close();
    }
  });

  it('exits 2 on an invalid configuration, naming the setting', async () => {
    const result = await runCli(['check'], environment({ MPAS_BASE_URL: 'not a url' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MPAS_BASE_URL');
  });
});
