import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../lib/cli/run-command.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { localRunEnv, useLocalRunRig } from '../../support/cli-process.js';

const PASSWORD = 'run-catch-up-password-8e4f';

describe('run on a terminal: the catch-up bar', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'run-catch-up-' });

  it('draws backfill\'s bar on stderr while a poll catches up an hour, ends it at 100% on its own line, and keeps stdout JSON lines', async () => {
    const { simulator, receiver, stateDir } = rig;
    const from = Date.now() - 3_600_000;
    const events = generateEvents({ seed: 77, realm: 'acme', count: 1_200, startTime: from, spacingMs: 2_500 });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    // Slow enough that the 250 ms redraw happens more than once before the end.
    simulator.faults.setLatency(100);
    const env = localRunEnv({ mpasUrl: simulator.url, password: PASSWORD, startFrom: from - 1_000, stateDir, siemUrl: `${receiver.url}/ingest` }, { MPAS_PAGE_SIZE: '100' });
    const out: string[] = [];
    const err: string[] = [];
    let drawn = '';
    const io: CliIo = { out: (text) => out.push(text), err: (text) => err.push(text), isTty: false, errTerminal: (text) => (drawn += text) };

    expect(await runCommand.run(['--once'], env, io)).toBe(0);
    expect(receiver.received()).toHaveLength(1_200);
    const frames = drawn.split('\r').filter((frame) => frame.length > 0);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const frame of frames) expect(frame).toMatch(/^\[[#.]{30}\] +\d+\.\d% +\d+ events +\d+\/s +ETA \S+\n?$/);
    expect(frames.at(-1)).toMatch(/^\[#{30}\] 100\.0% +1200 events .*ETA 0s\n$/);
    // A bar on its way, not only the end.
    expect(frames.some((frame) => /^\[#*\.+\]/.test(frame))).toBe(true);
    for (const line of out) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(err).toEqual([]);
  });
});
