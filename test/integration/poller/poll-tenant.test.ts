import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { canonicalJson, eventKey } from '../../../lib/core/events/event-key.js';
import type { AdminEvent, MpasEvent, Stream } from '../../../lib/core/events/event-schemas.js';
import { scrubCredentials } from '../../../lib/core/pipeline/credential-scrubber.js';
import type { EventPageQuery, EventSource } from '../../../lib/core/poller/event-source.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { crashingWhen, SimulatedCrash } from '../../support/crashing-cursor-store.js';
import { RecordingQueue } from '../../support/recording-queue.js';
import { simulatorClient } from '../../support/simulator-client.js';

const NOW = Date.parse('2025-02-12T19:30:00.000Z');
const SETTLE_MS = 5_000;
const REALM = 'acme';

/** The key the cursor gives an event as the queue holds it (credentials scrubbed, no id in legacy mode). */
function queuedKey(stream: Stream, event: MpasEvent, legacy: boolean): string {
  const { id: _id, ...withoutId } = event;
  const asServed = legacy ? (withoutId as MpasEvent) : event;
  return eventKey(stream === 'admin' ? scrubCredentials(asServed as AdminEvent) : asServed);
}

describe('pollTenant against the MPAS simulator', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let stateDir: string;
  let queue: RecordingQueue;
  const added: Array<{ stream: Stream; event: MpasEvent }> = [];

  async function start(mode: 'modern' | 'legacy', tokenLifetimeMs = 60_000): Promise<void> {
    simulator = await startMpasSimulator({ clock, mode, realms: [REALM], tokenLifetimeMs, seed: 7 });
  }

  function add(events: { user: MpasEvent[]; admin: MpasEvent[] }, visibleAt?: number): void {
    for (const stream of ['user', 'admin'] as const) {
      simulator.add(REALM, stream, events[stream], visibleAt === undefined ? undefined : { visibleAt });
      added.push(...events[stream].map((event) => ({ stream, event })));
    }
  }

  function options(overrides: Partial<PollTenantOptions> = {}): PollTenantOptions {
    const client = simulatorClient(simulator, clock);
    return {
      tenant: 'test',
      owner: 'poller-1',
      realms: [REALM],
      streams: ['user', 'admin'],
      source: client,
      store: new FileCursorStore({ stateDir, tenant: 'test' }),
      queue,
      clock,
      settleMs: SETTLE_MS,
      pageSize: 1000,
      leaseMs: 60_000,
      startFrom: NOW - 7 * 86_400_000,
      ...overrides,
    };
  }

  function expectEachAddedEventOnce(legacy: boolean, visibleBefore = clock.now() - SETTLE_MS): void {
    // Without ids, two events equal in every field are one event to anybody, the SIEM included:
    // they are expected once (a documented limit of servers older than Keycloak 26.2).
    const distinct = new Map(added.map((item) => [(legacy ? 'x' : item.event.id) + canonicalJson(item.event), item]));
    const expected = [...distinct.values()]
      .filter(({ event }) => event.time <= visibleBefore)
      .map(({ stream, event }) => queuedKey(stream, event, legacy))
      .sort();
    // Multiset equality: a repeat or a loss changes the sorted list. (Without ids, two events
    // that differ only in a scrubbed password share a key, so a set would undercount.)
    const received = queue.keys().sort();
    expect(received.length, 'events enqueued').toBe(expected.length);
    expect(received).toEqual(expected);
  }

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    stateDir = await mkdtemp(join(tmpdir(), 'poll-tenant-'));
    queue = new RecordingQueue();
    added.length = 0;
  });

  afterEach(async () => {
    await simulator?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('reads 3,000 events of one millisecond with pages of 1,000 exactly once (modern)', async () => {
    await start('modern');
    add(generateEvents({ seed: 11, realm: REALM, count: 2_000, startTime: NOW - 3_600_000, spacingMs: 500 }));
    add(generateEvents({ seed: 12, realm: REALM, count: 3_000, startTime: NOW - 1_800_123, spacingMs: 0, adminShare: 0.5 }));
    const outcome = await pollTenant(options());
    expect(outcome).toMatchObject({ status: 'complete', failures: [] });
    expectEachAddedEventOnce(false);
  });

  it('keeps events inside the settle window for the next poll and reads late commits once (modern)', async () => {
    await start('modern');
    add(generateEvents({ seed: 13, realm: REALM, count: 500, startTime: NOW - 60_000, spacingMs: 100 }));
    // Committed late: their time is 3 s ago, they become visible only 2 s from now.
    add(generateEvents({ seed: 14, realm: REALM, count: 50, startTime: NOW - 3_000, spacingMs: 10 }), NOW + 2_000);
    await pollTenant(options());
    expectEachAddedEventOnce(false, NOW - SETTLE_MS);
    clock.advance(10_000);
    add(generateEvents({ seed: 15, realm: REALM, count: 100, startTime: NOW + 1_000, spacingMs: 20 }));
    await pollTenant(options());
    expectEachAddedEventOnce(false);
  });

  it('walks several past days and today exactly once (legacy: dates only, newest first, no id)', async () => {
    await start('legacy');
    add(generateEvents({ seed: 21, realm: REALM, count: 3_000, startTime: NOW - 4 * 86_400_000, spacingMs: 100_000, withIds: false }));
    add(generateEvents({ seed: 22, realm: REALM, count: 1_500, startTime: NOW - 2 * 86_400_000 + 5, spacingMs: 0, withIds: false }));
    const outcome = await pollTenant(options({ pageSize: 200 }));
    expect(outcome).toMatchObject({ status: 'complete', failures: [] });
    expectEachAddedEventOnce(true);
    clock.advance(3_600_000);
    add(generateEvents({ seed: 23, realm: REALM, count: 700, startTime: NOW + 60_000, spacingMs: 3_000, withIds: false }));
    await pollTenant(options({ pageSize: 200 }));
    expectEachAddedEventOnce(true);
  });

  it('resumes where a stopped poll committed, without loss or repeat', async () => {
    await start('modern');
    add(generateEvents({ seed: 31, realm: REALM, count: 6_000, startTime: NOW - 3_600_000, spacingMs: 300 }));
    const stop = new AbortController();
    let commits = 0;
    const first = await pollTenant(
      options({ pageSize: 500, signal: stop.signal, observer: { committed: () => (++commits === 3 ? stop.abort() : undefined) } }),
    );
    expect(first.status).toBe('stopped');
    expect(queue.keys().length).toBeGreaterThan(0);
    expect(queue.keys().length).toBeLessThan(6_000);
    const second = await pollTenant(options({ pageSize: 500 }));
    expect(second.status).toBe('complete');
    expectEachAddedEventOnce(false);
  });

  /**
   * What the forwarder's idempotency record does: a batch id seen before is dropped. Returns how
   * many batches were dropped so.
   */
  function dropRepeatedBatchIds(): number {
    const seen = new Set<string>();
    const before = queue.batches.length;
    const kept = queue.batches.filter(({ batchId }) => !seen.has(batchId) && Boolean(seen.add(batchId)));
    queue.batches.splice(0, queue.batches.length, ...kept);
    return before - kept.length;
  }

  /** A poll that dies at the commit of its `pages`-th enqueued page, that page enqueued. */
  async function crashedPoll(pages: number, overrides: Partial<PollTenantOptions> = {}): Promise<void> {
    const base = options(overrides);
    const enqueuedBefore = queue.batches.length;
    const store = crashingWhen(base.store, () => queue.batches.length >= enqueuedBefore + pages, `simulated crash before committing page ${pages}`);
    await expect(pollTenant({ ...base, store })).rejects.toBeInstanceOf(SimulatedCrash);
    // The dead poller's lease runs out before the next one starts.
    clock.advance(60_001);
  }

  it.each(['modern', 'legacy'] as const)('enqueues the last, not full, page of a crashed poll again with the same batch id although newer events settled meanwhile (%s)', async (mode) => {
    const legacy = mode === 'legacy';
    await start(mode);
    add(generateEvents({ seed: 41, realm: REALM, count: 300, startTime: NOW - 600_000, spacingMs: 1_000, adminShare: 0, withIds: !legacy }));
    await crashedPoll(1, { streams: ['user'] });
    expect(queue.batches).toHaveLength(1);
    add(generateEvents({ seed: 42, realm: REALM, count: 200, startTime: NOW + 1_000, spacingMs: 100, adminShare: 0, withIds: !legacy }));
    await pollTenant(options({ streams: ['user'] }));
    expect(dropRepeatedBatchIds(), 'the crashed page enqueued again under its batch id').toBe(1);
    expectEachAddedEventOnce(legacy);
  });

  it('enqueues the page of a crashed poll again with the same batch id although the page size changed', async () => {
    await start('modern');
    add(generateEvents({ seed: 43, realm: REALM, count: 3_000, startTime: NOW - 3_600_000, spacingMs: 1_000, adminShare: 0 }));
    await crashedPoll(2, { streams: ['user'], pageSize: 1_000 });
    expect(queue.batches).toHaveLength(2);
    await pollTenant(options({ streams: ['user'], pageSize: 300 }));
    expect(dropRepeatedBatchIds(), 'the crashed page enqueued again under its batch id').toBe(1);
    expectEachAddedEventOnce(false);
    // Only the page read again kept the old size: every later page has the new one.
    const sizes = queue.batches.map(({ events }) => events.length);
    expect(sizes.slice(0, 2), `${sizes.join(', ')}`).toEqual([1_000, 1_000]);
    expect(sizes.slice(2).every((size) => size <= 300), `${sizes.join(', ')}`).toBe(true);
  });

  it('survives token expiry and MPAS 500 and 429 bursts during paging', async () => {
    await start('modern', 15_000);
    add(generateEvents({ seed: 41, realm: REALM, count: 5_000, startTime: NOW - 3_600_000, spacingMs: 200 }));
    const base = options({ pageSize: 250 });
    let requests = 0;
    // Every page takes "2 s", so 15-second tokens must be renewed every few pages; faults strike mid-walk.
    const slowSource: EventSource = {
      apiMode: (realm, modeOptions) => base.source.apiMode(realm, modeOptions),
      getEvents: async (query: EventPageQuery, signal?: AbortSignal) => {
        requests += 1;
        clock.advance(2_000);
        if (requests === 5) simulator.faults.failNext({ count: 3, status: 500 });
        if (requests === 7) simulator.faults.revokeAllTokens();
        if (requests === 9) simulator.faults.failNext({ count: 2, status: 429, retryAfterSeconds: 1 });
        return base.source.getEvents(query, signal);
      },
    };
    const outcome = await pollTenant({ ...base, source: slowSource });
    expect(outcome).toMatchObject({ status: 'complete', failures: [] });
    expectEachAddedEventOnce(false, NOW - SETTLE_MS);
    const served = simulator.stats().requests;
    const countOf = (status: number): number => Object.values(served).reduce((sum, byStatus) => sum + (byStatus[status] ?? 0), 0);
    expect(countOf(500)).toBe(3);
    expect(countOf(429)).toBe(2);
    expect(countOf(401), 'a revoked token was refused once, then renewed').toBe(1);
    expect(served.token[200], 'tokens renewed before they expired').toBeGreaterThan(5);
  });

  it('reports a realm it may not read and moves no cursor for it', async () => {
    simulator = await startMpasSimulator({
      clock,
      realms: [REALM],
      users: [{ username: 'mpas-log-sync', password: 'mpas-log-sync', roles: [] }],
    });
    const outcome = await pollTenant(options());
    // Both streams of the only realm failed: the whole poll did.
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.failures.map(({ error }) => error.name)).toEqual(['MpasForbiddenError', 'MpasForbiddenError']);
    expect(queue.batches).toEqual([]);
  });
});
