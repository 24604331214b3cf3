import { describe, expect, it } from 'vitest';
import { HANDOVER_MARGIN_MS, runPollerInvocation } from '../../../lib/aws/poller-invocation.js';
import type { PollerBudget } from '../../../lib/aws/poller-invocation.js';
import { pollerConfigSchema } from '../../../lib/config/app-config-schema.js';
import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../../../lib/core/cursor/cursor-store.js';
import { LeaseHeldError, LeaseLostError } from '../../../lib/core/cursor/errors.js';
import type { UserEvent } from '../../../lib/core/events/event-schemas.js';
import type { EventPageQuery } from '../../../lib/core/poller/event-source.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import { ModelKeycloakSource } from '../../support/model-keycloak-source.js';
import { RecordingQueue } from '../../support/recording-queue.js';

const T = Date.parse('2026-12-04T08:32:00.000Z');
const SETTLE_MS = 5_000;
const INTERVAL_MS = 5_000;
const LEASE_MS = 120_000;
const SCHEDULE = { scheduledAt: T, everyMs: 60_000 };
/** The default deployment: 75 s timeout x 0.8 = 60 s of reading. */
const BUDGET: PollerBudget = { remainingTimeMs: 75_000, budgetShare: 0.8, schedule: SCHEDULE };

const config = pollerConfigSchema.parse({
  tenant: 'acme',
  mpas: { baseUrl: 'https://mpas.example.com', realms: ['acme'], streams: ['user'], credentials: { grant: 'password', username: 'u', password: 'p' }, settleMs: SETTLE_MS, startFrom: T - 60_000 },
  polling: { intervalMs: INTERVAL_MS, leaseMs: LEASE_MS },
});

/** The cursor port's contract in memory: one lease with owner, fence and expiry, as the DynamoDB store keeps it. */
class MemoryCursorStore implements CursorStore {
  lease: Lease | undefined;
  fence = 0;
  positions: Partial<Record<StreamKey, StreamPosition>> = {};
  readonly acquisitions: Array<{ owner: string; now: number }> = [];

  async acquire(request: { owner: string; now: number; leaseMs: number }): Promise<AcquiredCursor> {
    if (this.lease && this.lease.owner !== request.owner && this.lease.leaseUntil >= request.now) throw new LeaseHeldError(this.lease);
    this.fence += 1;
    this.lease = { owner: request.owner, fence: this.fence, leaseUntil: request.now + request.leaseMs };
    this.acquisitions.push({ owner: request.owner, now: request.now });
    return { lease: { ...this.lease }, positions: structuredClone(this.positions) };
  }

  async commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease> {
    if (this.lease?.owner !== request.lease.owner || this.lease.fence !== request.lease.fence) throw new LeaseLostError(request.lease);
    this.positions[request.key] = structuredClone(request.position);
    this.lease = { ...this.lease, leaseUntil: request.now + request.leaseMs };
    return { ...this.lease };
  }

  async release(lease: Lease): Promise<void> {
    if (this.lease?.owner === lease.owner && this.lease.fence === lease.fence) this.lease = undefined;
  }

  async read(): Promise<CursorSnapshot> {
    return { ...(this.lease ? { lease: { ...this.lease } } : {}), positions: structuredClone(this.positions) };
  }
}

/**
 * MPAS with `perSecond` user events a second from a minute before T on, stamped by `clock`; more
 * are made whenever the clock moves. `pageMs`: how long each page takes to come back.
 */
function world(perSecond: number, options: { pageMs?: number } = {}) {
  const clock = new ManualClock(T);
  const readsAt: number[] = [];
  const source = new ModelKeycloakSource({
    mode: 'modern',
    utcOffsetMinutes: 0,
    legacyDateTo: 'end-of-day',
    random: () => 0.5,
    beforeQuery: () => {
      if (readsAt.at(-1) !== clock.now()) readsAt.push(clock.now());
      clock.advance(options.pageMs ?? 0);
    },
  });
  let madeUntil = T - 60_000;
  let serial = 0;
  const produce = (): void => {
    for (; perSecond > 0 && madeUntil < clock.now(); madeUntil += 1000 / perSecond) {
      source.events.push({ id: `e${serial++}`, time: Math.floor(madeUntil), type: 'LOGIN' } satisfies UserEvent);
    }
  };
  produce();
  const sleeps: number[] = [];
  const sleep: Sleep = async (ms) => {
    sleeps.push(ms);
    clock.advance(ms);
    produce();
  };
  return { clock, source, events: source.events as UserEvent[], store: new MemoryCursorStore(), queue: new RecordingQueue(), sleep, sleeps, readsAt, produce };
}

function deps(w: ReturnType<typeof world>, owner: string, sleep: Sleep = w.sleep) {
  return { config, store: w.store, queue: w.queue, source: w.source, clock: w.clock, owner, sleep };
}

const ids = (queue: RecordingQueue): string[] => queue.batches.flatMap((batch) => batch.events.map((event) => (event as UserEvent).id!));

describe('runPollerInvocation: re-reading while events flow', () => {
  it('reads a busy tenant every POLL_INTERVAL_MS until just before the next scheduled run, each event once, the lease released', async () => {
    const w = world(10);
    const outcome = await runPollerInvocation(deps(w, 'a'), BUDGET);

    const handOverAt = T + 60_000 - HANDOVER_MARGIN_MS;
    expect(outcome).toMatchObject({ status: 'complete', ended: 'next-invocation', failures: [] });
    // Reads at 0, 5, ..., 55 s: the twelfth ends less than an interval before the hand-over.
    expect(w.readsAt).toEqual(Array.from({ length: 12 }, (_, index) => T + index * INTERVAL_MS));
    expect(outcome.reads).toBe(12);
    expect(Math.max(...w.readsAt)).toBeLessThanOrEqual(handOverAt);
    expect(w.sleeps.every((ms) => ms === INTERVAL_MS)).toBe(true);
    // Everything older than the last read's window end, once and in order.
    const expected = w.events.filter((event) => event.time <= T + 55_000 - SETTLE_MS).map((event) => event.id);
    expect(ids(w.queue)).toEqual(expected);
    expect('events' in outcome && outcome.events).toBe(expected.length);
    expect(w.store.lease).toBeUndefined();
  });

  it('ends an idle tenant after one quiet read, without waiting', async () => {
    const w = world(0);
    const outcome = await runPollerInvocation(deps(w, 'a'), BUDGET);
    expect(outcome).toMatchObject({ status: 'complete', events: 0, reads: 1, ended: 'quiet' });
    expect(w.sleeps).toEqual([]);
    expect(w.clock.now()).toBe(T);
  });

  it('stops at the read budget when it comes before the next scheduled run: no read starts after it', async () => {
    const w = world(10);
    // The old default: 60 s x 0.8 = 48 s of reading.
    const outcome = await runPollerInvocation(deps(w, 'a'), { ...BUDGET, remainingTimeMs: 60_000 });
    expect(outcome).toMatchObject({ status: 'complete', ended: 'next-invocation' });
    expect(w.readsAt).toEqual(Array.from({ length: 10 }, (_, index) => T + index * INTERVAL_MS));
    expect(Math.max(...w.readsAt)).toBeLessThanOrEqual(T + 48_000);
  });

  it('passes the read deadline to every page: a backlog stops at it', async () => {
    // Each page takes two seconds to come back.
    const w = world(0, { pageMs: 2_000 });
    for (let index = 0; index < 50; index++) w.events.push({ id: `old${index}`, time: T - 50_000 + index, type: 'LOGIN' } satisfies UserEvent);
    const smallPages = pollerConfigSchema.parse({ ...config, mpas: { ...config.mpas, pageSize: 5 } });
    const outcome = await runPollerInvocation({ ...deps(w, 'a'), config: smallPages }, { ...BUDGET, remainingTimeMs: 10_000 });
    // 10 s x 0.8: pages start at 0, 2, 4 and 6 s; none at the deadline (8 s) or after.
    expect(w.readsAt).toEqual([T, T + 2_000, T + 4_000, T + 6_000]);
    expect(outcome).toMatchObject({ status: 'budget-spent', ended: 'unfinished', reads: 1, events: 20 });
    expect(w.store.lease).toBeUndefined();
  });

  it('reads once when the event names no schedule, or when the run is so late that the next is due', async () => {
    const manual = world(10);
    expect(await runPollerInvocation(deps(manual, 'a'), { remainingTimeMs: 75_000, budgetShare: 0.8 })).toMatchObject({ status: 'complete', reads: 1, ended: 'one-read' });
    expect(manual.sleeps).toEqual([]);

    const late = world(10);
    late.clock.set(T + 60_000 - HANDOVER_MARGIN_MS);
    late.produce();
    expect(await runPollerInvocation(deps(late, 'a'), BUDGET)).toMatchObject({ status: 'complete', reads: 1, ended: 'next-invocation' });
    expect(late.sleeps).toEqual([]);
  });

  it('holds the lease across its reads: an invocation arriving early finds it held and leaves, nothing is read twice', async () => {
    const w = world(10);
    let early: Awaited<ReturnType<typeof runPollerInvocation>> | undefined;
    let pauses = 0;
    // During the third pause, another invocation starts (a retried or manual one).
    const sleepWhileAnotherArrives: Sleep = async (ms, signal) => {
      await w.sleep(ms, signal);
      if (++pauses === 3) early = await runPollerInvocation(deps(w, 'b'), { ...BUDGET, schedule: { scheduledAt: w.clock.now(), everyMs: 60_000 } });
    };
    const outcome = await runPollerInvocation(deps(w, 'a', sleepWhileAnotherArrives), BUDGET);

    expect(early).toEqual({ status: 'lease-busy', holder: 'a', reads: 1, ended: 'unfinished' });
    expect(outcome).toMatchObject({ status: 'complete', reads: 12, ended: 'next-invocation' });
    const read = ids(w.queue);
    expect(read).toEqual(w.events.filter((event) => event.time <= T + 55_000 - SETTLE_MS).map((event) => event.id));
    expect(w.store.lease).toBeUndefined();
  });

  it('leaves a lease that runs out before the next scheduled run when stopped between two reads: the next takes over at once and loses nothing', async () => {
    const w = world(10);
    // Lambda freezes the process in the second pause and never thaws it.
    let pauses = 0;
    const frozen: Sleep = async (ms, signal) => (++pauses === 2 ? new Promise<void>(() => undefined) : w.sleep(ms, signal));
    void runPollerInvocation(deps(w, 'a', frozen), BUDGET);
    await expect.poll(() => pauses).toBe(2);
    expect(w.store.lease).toMatchObject({ owner: 'a', leaseUntil: T + 60_000 - HANDOVER_MARGIN_MS });

    w.clock.set(T + 60_000);
    w.produce();
    const next = await runPollerInvocation(deps(w, 'b'), { ...BUDGET, schedule: { scheduledAt: T + 60_000, everyMs: 60_000 } });
    expect(next).toMatchObject({ status: 'complete', ended: 'next-invocation' });
    expect(w.store.acquisitions.find(({ owner }) => owner === 'b')?.now).toBe(T + 60_000);
    expect(ids(w.queue)).toEqual(w.events.filter((event) => event.time <= T + 115_000 - SETTLE_MS).map((event) => event.id));
  });

  it('never extends the lease past the hand-over, even by a commit in a read that Lambda then stops', async () => {
    const w = world(10);
    let stuck = false;
    // The read at 55 s commits its first page, then its second page never comes back.
    const source = { ...w.source, apiMode: w.source.apiMode.bind(w.source), getEvents: async (query: EventPageQuery) => {
      if (w.clock.now() >= T + 55_000 && query.first === 0 && w.queue.batches.length > 0 && stuck) return new Promise<never>(() => undefined);
      return w.source.getEvents(query);
    } };
    const committed = w.store.commit.bind(w.store);
    w.store.commit = async (request) => {
      const lease = await committed(request);
      if (request.now >= T + 55_000) stuck = true;
      return lease;
    };
    const smallPages = pollerConfigSchema.parse({ ...config, mpas: { ...config.mpas, pageSize: 10 } });
    void runPollerInvocation({ ...deps(w, 'a'), source, config: smallPages }, BUDGET);
    await expect.poll(() => stuck).toBe(true);
    expect(w.store.lease?.owner).toBe('a');
    expect(w.store.lease!.leaseUntil).toBeLessThanOrEqual(T + 60_000 - HANDOVER_MARGIN_MS);
  });

  it('ends at once when stopped in the pause between two reads, giving the lease up', async () => {
    const w = world(10);
    const stop = new AbortController();
    const stopping: Sleep = async (ms) => {
      w.clock.advance(ms);
      stop.abort();
    };
    const outcome = await runPollerInvocation({ ...deps(w, 'a', stopping), signal: stop.signal }, BUDGET);
    expect(outcome).toMatchObject({ status: 'complete', reads: 1, ended: 'stopped' });
    expect(w.store.lease).toBeUndefined();
  });

  it('refuses a budget share outside (0, 1]', async () => {
    await expect(runPollerInvocation(deps(world(0), 'a'), { ...BUDGET, budgetShare: 0 })).rejects.toThrow(RangeError);
  });
});
