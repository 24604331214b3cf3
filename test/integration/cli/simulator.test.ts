import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { killAllCli, runCli, startCli } from '../../support/cli-process.js';
import type { CliProcess } from '../../support/cli-process.js';

interface Started {
  url: string;
  realm: string;
  settings: Record<string, string>;
}

async function started(child: CliProcess, timeoutMs = 30_000): Promise<Started> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const line = child.output().stdout.split('\n').find((text) => text.startsWith('{'));
    if (line) return JSON.parse(line) as Started;
    if (Date.now() > until) throw new Error(`the simulator printed no settings within ${timeoutMs} ms: ${child.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function token(simulator: Started): Promise<string> {
  const response = await fetch(`${simulator.url}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: simulator.settings.MPAS_USERNAME!, password: simulator.settings.MPAS_PASSWORD! }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('mpas-log-sync simulator', () => {
  let receiver: SiemReceiver;
  let stateDir: string;

  beforeEach(async () => {
    receiver = await startSiemReceiver();
    stateDir = await mkdtemp(join(tmpdir(), 'cli-simulator-'));
  });

  afterEach(async () => {
    await killAllCli();
    await receiver.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('answers --help, and exits 2 on a bad switch naming it', async () => {
    const help = await runCli(['simulator', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fail-rate P');
    const bad = await runCli(['simulator', '--fail-rate', '2'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-rate must be from 0 to 1');
    for (const flag of ['--keycloak-version V', '--server-utc-offset', '--clock-skew-ms N', '--tie-order O', '--late-commit-share P', '--late-commit-max-ms MS', '--events-expiration S']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('exits 2 naming the fault for a bad version, zone, tie order or late-commit flags', async () => {
    const cases: Array<[string[], string]> = [
      [['--keycloak-version', '23'], 'keycloakVersion must be 24 or later'],
      [['--keycloak-version', '26.2', '--legacy'], '--legacy and --keycloak-version cannot be used together'],
      [['--server-utc-offset', '2'], '--server-utc-offset must be ±HH:MM'],
      [['--tie-order', 'random'], '--tie-order must be shuffled or stable'],
      [['--late-commit-max-ms', '9000'], '--late-commit-max-ms needs --late-commit-share'],
      [['--late-commit-share', '0.1', '--late-commit-ms', '10'], 'cannot be used together'],
      [['--clock-skew-ms=1.5'], '--clock-skew-ms must be an integer'],
      [['--events-expiration', '0'], '--events-expiration must be a positive integer'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['simulator', '--port', '0', ...args], {});
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
    }
  });

  it('plays the asked Keycloak version with its zone, skew and expiry, as the JSON line and the server say', async () => {
    const child = startCli(['simulator', '--port', '0', '--json', '--rate', '0', '--backlog', '10', '--keycloak-version', '24',
      '--server-utc-offset', '+02:00', '--clock-skew-ms=-120000', '--tie-order', 'stable', '--events-expiration', '86400'], {});
    const simulator = (await started(child)) as Started & { mode: string; keycloakVersion: string };
    expect([simulator.mode, simulator.keycloakVersion]).toEqual(['legacy', '24']);
    const bearer = await token(simulator);
    const today = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 10);
    const page = await fetch(`${simulator.url}/admin/realms/acme/events?dateFrom=${today}&direction=bogus`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(page.status).toBe(200);
    const skew = Date.parse(page.headers.get('date')!) - Date.now();
    expect(skew).toBeGreaterThan(-125_000);
    expect(skew).toBeLessThan(-110_000);
    const epoch = await fetch(`${simulator.url}/admin/realms/acme/events?dateFrom=${Date.now()}`, { headers: { authorization: `Bearer ${bearer}` } });
    expect([epoch.status, await epoch.json()]).toEqual([400, { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" }]);
    const config = await fetch(`${simulator.url}/admin/realms/acme/events/config`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(await config.json()).toMatchObject({ eventsExpiration: 86_400 });
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });

  it('prints its URL and credentials, serves its backlog and live events to run, and stops with exit 0 on SIGTERM', async () => {
    const child = startCli(['simulator', '--port', '0', '--json', '--backlog', '120', '--rate', '20', '--seed', '7'], {});
    const simulator = await started(child);
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(simulator.settings).toMatchObject({ MPAS_REALMS: 'acme', MPAS_AUTH_REALM: 'master', MPAS_USERNAME: 'mpas-log-sync' });

    const run = await runCli(['run', '--once'], {
      ...simulator.settings,
      MPAS_START_FROM: new Date(Date.now() - 2 * 3_600_000).toISOString(),
      MPAS_SETTLE_MS: '1000',
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'array',
      STATE_DIR: stateDir,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(receiver.received().length).toBeGreaterThanOrEqual(120);

    child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
  });

  it('fails event requests with 503 at the --fail-rate, and the text output names the settings', async () => {
    const child = startCli(['simulator', '--port', '0', '--fail-rate', '1', '--rate', '0', '--realm', 'retail'], {});
    const until = Date.now() + 30_000;
    while (!child.output().stdout.includes('Ctrl-C')) {
      if (Date.now() > until) throw new Error(`no start-up text: ${child.output().stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const text = child.output().stdout;
    const url = /MPAS_BASE_URL=(\S+)/.exec(text)![1]!;
    expect(text).toContain('MPAS_REALMS=retail');
    const password = /MPAS_PASSWORD=(\S+)/.exec(text)![1]!;
    const bearer = await token({ url, realm: 'retail', settings: { MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: password } });
    const events = await fetch(`${url}/admin/realms/retail/events?max=5`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(events.status).toBe(503);
    child.kill('SIGINT');
    expect((await child.exited).code).toBe(0);
  });
});
