import { describe, expect, it } from 'vitest';
import { deliverRange } from '../../../lib/cli/range-delivery.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { useLocalRunRig } from '../../support/cli-process.js';

const PASSWORD = 'range-delivery-password-1a2b';

describe('deliverRange', () => {
  const rig = useLocalRunRig({ password: PASSWORD, tmpPrefix: 'range-delivery-' });

  it('draws a bar redrawn in place on a terminal, ending at 100% on its own line', async () => {
    const { simulator, receiver, stateDir } = rig;
    const from = Date.now() - 3_600_000;
    const events = generateEvents({ seed: 21, realm: 'acme', count: 800, startTime: from, spacingMs: 3_000 });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    // Slow enough that the 250 ms redraw happens at least once before the end.
    simulator.faults.setLatency(100);
    const config = loadConfig({
      env: {
        MPAS_BASE_URL: simulator.url,
        MPAS_REALMS: 'acme',
        MPAS_AUTH_REALM: 'master',
        MPAS_USERNAME: 'sync',
        MPAS_PASSWORD: PASSWORD,
        MPAS_PAGE_SIZE: '100',
        SIEM_URL: `${receiver.url}/ingest`,
        SIEM_BATCH: 'array',
      },
    });
    const lines: string[] = [];
    let drawn = '';
    const io: CliIo = { out: (text) => lines.push(text), err: (text) => lines.push(text), write: (text) => (drawn += text), isTty: true };
    const summary = await deliverRange(config, { kind: 'replay', from, to: Date.now() - 5_000, realms: ['acme'], streams: ['user', 'admin'] }, stateDir, { json: false, progressEverySeconds: 10 }, io);
    expect(summary.status).toBe('complete');
    expect(receiver.received()).toHaveLength(800);
    const frames = drawn.split('\r').filter((frame) => frame.length > 0);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) expect(frame).toMatch(/^\[[#.]{30}\] +\d+\.\d% +\d+ events +\d+\/s +ETA \S+\n?$/);
    expect(frames.at(-1)).toMatch(/^\[#{30}\] 100\.0% +800 events .*ETA 0s\n$/);
    expect(lines.some((line) => line.startsWith('progress'))).toBe(false);
    expect(lines.at(-1)).toBe('replay complete: 800 events delivered by this run');
  });
});
