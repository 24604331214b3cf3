import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { FileDeliveryRecords } from '../../../lib/stores/delivery-records/file-delivery-records.js';
import { canonicalJson } from '../../../lib/core/events/event-key.js';
import type { MpasEvent } from '../../../lib/core/events/event-schemas.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { RecordingQueue } from '../../support/recording-queue.js';
import { simulatorClient } from '../../support/simulator-client.js';

const NOW = Date.parse('2026-11-30T10:00:00.000Z');
const REALM = 'acme';
const SETTLE_MS = 5_000;
const LOOKBACK_MS = 120_000;

describe('the look-back', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let stateDir: string;
  let queue: RecordingQueue;
  let late: number;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    stateDir = await mkdtemp(join(tmpdir(), 'look-back-'));
    queue = new RecordingQueue();
    late = 0;
  });
  afterEach(async () => {
    await simulator?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  async function start(mode: 'modern' | 'legacy'): Promise<void> {
    simulator = await startMpasSimulator({ clock, mode, realms: [REALM], seed: 3 });
  }

  function options(overrides: Partial<PollTenantOptions> = {}): PollTenantOptions {
    const client = simulatorClient(simulator, clock);
    return {
      tenant: 'test', owner: 'poller-1', realms: [REALM], streams: ['user', 'admin'], source: client, queue, clock,
      store: new FileCursorStore({ stateDir, tenant: 'test' }),
      settleMs: SETTLE_MS, pageSize: 100, leaseMs: 60_000, startFrom: NOW - 600_000,
      lookback: { windowMs: LOOKBACK_MS, records: new FileDeliveryRecords({ stateDir, tenant: 'test' }) },
      observer: { lateEvents: (_realm, _stream, count) => (late += count) },
      ...overrides,
    };
  }

  function delivered(): string[] {
    return queue.keys();
  }

  it.each(['modern', 'legacy'] as const)('delivers events committed up to the window late exactly once, and counts them (%s)', async (mode) => {
    await start(mode);
    const all: Array<{ stream: 'user' | 'admin'; event: MpasEvent }> = [];
    const add = (events: { user: MpasEvent[]; admin: MpasEvent[] }, visibleAt?: number): void => {
      for (const stream of ['user', 'admin'] as const) {
        simulator.add(REALM, stream, events[stream], visibleAt === undefined ? undefined : { visibleAt });
        all.push(...events[stream].map((event) => ({ stream, event })));
      }
    };
    const withIds = mode === 'modern';
    // On time, every second for the last ten minutes and the next five.
    add(generateEvents({ seed: 1, realm: REALM, count: 900, startTime: NOW - 600_000, spacingMs: 1_000, withIds }));
    // A long transaction: stamped 20 s to 10 s ago, stored 60 s from now.
    add(generateEvents({ seed: 2, realm: REALM, count: 40, startTime: NOW - 20_000, spacingMs: 250, withIds }), NOW + 60_000);
    // A partial import: stamped 90 s ago, all stored at its end, 30 s from now.
    add(generateEvents({ seed: 3, realm: REALM, count: 25, startTime: NOW - 90_000, spacingMs: 0, adminShare: 1, withIds }), NOW + 30_000);
    for (let poll = 0; poll < 40; poll += 1) {
      const outcome = await pollTenant(options());
      expect(outcome).toMatchObject({ status: 'complete', failures: [] });
      clock.advance(10_000);
    }
    // Without ids, events equal in every field are one event (the documented limit of Keycloak < 26.2).
    const distinct = new Set(all.filter(({ event }) => event.time <= clock.now() - SETTLE_MS - 10_000).map(({ stream, event }) => stream + canonicalJson(withIds ? event : { ...event, id: undefined })));
    const expected = distinct.size;
    const keys = delivered();
    expect(new Set(keys).size, 'no event delivered twice').toBe(keys.length);
    expect(keys.length, 'every event delivered').toBe(expected);
    expect(late, 'the late ones counted as late').toBe(65);
    const { positions } = await new FileCursorStore({ stateDir, tenant: 'test' }).read();
    const kept = Object.values(positions).reduce((sum, position) => sum + (position?.lookback?.late ?? 0), 0);
    expect(kept, 'the cursor keeps the count, for status').toBe(65);
    if (mode === 'modern') {
      // Each event read by the first pass and once more by the look-back; a page reads its
      // boundary's events and one more again, and the probe one a poll.
      const served = simulator.stats().eventsServed;
      const ratio = (served.user + served.admin) / keys.length;
      expect(ratio, `events served per event delivered: ${ratio.toFixed(2)}`).toBeLessThan(2.5);
    }
    // Once the look-back window has passed the newest event, only the records holding the look-back's
    // cursor and the newest event are left in each stream.
    clock.advance(LOOKBACK_MS + SETTLE_MS);
    await pollTenant(options());
    const records = await readdir(join(stateDir, 'test.lookback')).catch(() => []);
    expect(records.length, `records left: ${records.join(', ')}`).toBeLessThanOrEqual(4);
    expect(delivered()).toHaveLength(keys.length);
  });

  it('costs a catch-up nothing: old chunks get no record and the look-back reads nothing', async () => {
    await start('modern');
    simulator.add(REALM, 'user', generateEvents({ seed: 5, realm: REALM, count: 3_000, startTime: NOW - 3 * 86_400_000, spacingMs: 60_000, adminShare: 0 }).user);
    await pollTenant(options({ startFrom: NOW - 4 * 86_400_000, streams: ['user'] }));
    const requests = simulator.stats().requests.events[200] ?? 0;
    await pollTenant(options({ startFrom: NOW - 4 * 86_400_000, streams: ['user'] }));
    expect(await readdir(join(stateDir, 'test.lookback')).catch(() => []), 'no delivery record for old chunks').toEqual([]);
    // The second poll: the probe and one read of the empty window, no look-back read.
    expect((simulator.stats().requests.events[200] ?? 0) - requests).toBeLessThanOrEqual(3);
    expect(queue.batches.flatMap((batch) => batch.events)).toHaveLength(3_000);
  });

  it('reads nothing twice and finds nothing late with the look-back off (MPAS_LOOKBACK_MS=0): late events are lost, as before', async () => {
    await start('modern');
    simulator.add(REALM, 'user', generateEvents({ seed: 6, realm: REALM, count: 100, startTime: NOW - 100_000, spacingMs: 1_000, adminShare: 0 }).user);
    simulator.add(REALM, 'user', generateEvents({ seed: 7, realm: REALM, count: 10, startTime: NOW - 50_000, spacingMs: 1, adminShare: 0 }).user, { visibleAt: NOW + 30_000 });
    for (let poll = 0; poll < 20; poll += 1) {
      await pollTenant(options({ streams: ['user'], lookback: { windowMs: 0, records: new FileDeliveryRecords({ stateDir, tenant: 'test' }) } }));
      clock.advance(10_000);
    }
    expect(queue.batches.flatMap((batch) => batch.events)).toHaveLength(100);
    expect(late).toBe(0);
  });
});
