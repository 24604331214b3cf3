import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { jsonLines, localRunEnv, runCli, useLocalRunRig } from '../../support/cli-process.js';

const PASSWORD = 'run-first-start-password-5c1d';

describe('run: what the start-up log and a first start tell (real processes)', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'run-first-start-' });

  it('logs the settings it runs with (--state and --poll-interval over the environment, secrets hidden), says that a first --once at "now" read nothing before its start, and the backfill it names delivers exactly that', async () => {
    const { simulator, receiver, stateDir } = rig;
    const events = generateEvents({ seed: 31, realm: 'acme', count: 200, startTime: Date.now() - 3_600_000, spacingMs: 10_000 });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    const unused = await mkdtemp(join(tmpdir(), 'run-first-start-env-'));
    try {
      const env = localRunEnv({ mpasUrl: simulator.url, password: PASSWORD, startFrom: 0, stateDir: unused, siemUrl: `${receiver.url}/ingest` }, { MPAS_START_FROM: 'now', POLL_INTERVAL_MS: '30000' });

      const first = await runCli(['run', '--once', '--state', stateDir, '--poll-interval', '1234'], env);
      expect(first.code, first.stderr + first.stdout).toBe(0);
      const lines = jsonLines(first.stdout);
      const starting = lines.find((line) => line['message'] === 'starting') as { config: { stateDir: string; polling: { intervalMs: number }; mpas: { credentials: { password: string } } } };
      expect(starting.config.stateDir).toBe(stateDir);
      expect(starting.config.polling.intervalMs).toBe(1234);
      expect(starting.config.mpas.credentials.password).toBe('***');
      expect(first.stdout).not.toContain(PASSWORD);
      await access(join(stateDir, 'default.cursor.json'));
      await expect(access(join(unused, 'default.cursor.json'))).rejects.toThrow();

      expect(receiver.received()).toHaveLength(0);
      const logged = lines.find((line) => typeof line['message'] === 'string' && line['message'].startsWith('first start:')) as { streams: string[]; startedAt: string };
      expect([...logged.streams].sort()).toEqual(['acme#admin', 'acme#user']);
      expect(first.stderr).toContain('had no cursor and MPAS_START_FROM is "now"');
      expect(first.stderr).toContain('nothing before it is read');
      const suggested = /mpas-log-sync backfill --from DATE --to (\S+Z)/.exec(first.stderr)?.[1];
      expect(suggested).toBe(new Date(Date.parse(logged.startedAt) - 1).toISOString());

      const second = await runCli(['run', '--once', '--state', stateDir], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toBe('');
      expect(jsonLines(second.stdout).some((line) => String(line['message']).startsWith('first start:'))).toBe(false);

      // The backfill the message names delivers what the first start left behind, once.
      const backfill = await runCli(['backfill', '--from', new Date(events.user[0]!.time - 3_600_000).toISOString(), '--to', suggested!, '--state', stateDir], env);
      expect(backfill.code, backfill.stderr + backfill.stdout).toBe(0);
      expect(receiver.received()).toHaveLength(200);
    } finally {
      await rm(unused, { recursive: true, force: true });
    }
  });
});
