import { describe, expect, it } from 'vitest';
import type { MpasEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { StreamEventStore, tiePermutation } from '../../../../devtools/mpas-simulator/stream-event-store.js';

function event(time: number, n: number, type = 'LOGIN'): UserEvent {
  return { id: `e-${n}`, time, type, realmId: 'r' };
}

function ids(events: readonly { id?: string }[]): Array<string | undefined> {
  return events.map((e) => e.id);
}

describe('StreamEventStore', () => {
  it('answers by time whatever the order events were added in, newest first or oldest first', () => {
    const store = new StreamEventStore(1);
    store.add([event(30, 3), event(10, 1)], 0);
    store.add([event(20, 2)], 0);
    expect(ids(store.query({ order: 'asc', first: 0, max: 10 }, 0))).toEqual(['e-1', 'e-2', 'e-3']);
    expect(ids(store.query({ order: 'desc', first: 0, max: 10 }, 0))).toEqual(['e-3', 'e-2', 'e-1']);
  });

  it('keeps both date bounds inclusive and offsets inside them', () => {
    const store = new StreamEventStore(1);
    store.add(Array.from({ length: 10 }, (_, i) => event(i * 10, i)), 0);
    expect(ids(store.query({ from: 20, to: 50, order: 'asc', first: 0, max: 100 }, 0))).toEqual(['e-2', 'e-3', 'e-4', 'e-5']);
    expect(ids(store.query({ from: 20, to: 50, order: 'asc', first: 1, max: 2 }, 0))).toEqual(['e-3', 'e-4']);
    expect(ids(store.query({ from: 20, to: 50, order: 'desc', first: 1, max: 2 }, 0))).toEqual(['e-4', 'e-3']);
    expect(ids(store.query({ from: 21, to: 29, order: 'asc', first: 0, max: 100 }, 0))).toEqual([]);
    expect(store.query({ order: 'asc', first: 10, max: 5 }, 0)).toEqual([]);
    expect(store.query({ order: 'asc', first: 0, max: 0 }, 0)).toEqual([]);
  });

  // 'stable' is the former default; Keycloak's ORDER BY time alone promises no tie order across
  // queries (JpaEventQuery), so 'shuffled' is the default now (tested below).
  it('with stable ties, orders same-millisecond events the same way on every query, but not in insertion order', () => {
    const seed = 1234;
    const store = new StreamEventStore(seed, 'stable');
    const tied = Array.from({ length: 30 }, (_, i) => event(500, i));
    store.add(tied, 0);
    const once = ids(store.query({ order: 'asc', first: 0, max: 100 }, 0));
    expect(ids(store.query({ order: 'asc', first: 0, max: 100 }, 0)), `seed ${seed}`).toEqual(once);
    expect(once, `seed ${seed}`).not.toEqual(ids(tied));
    expect(new Set(once)).toEqual(new Set(ids(tied)));
    // Offset paging over the fixed set sees each event exactly once.
    const paged = [0, 7, 14, 21, 28].flatMap((first) => ids(store.query({ order: 'asc', first, max: 7 }, 0)));
    expect(paged).toEqual(once);
    // Descending is the exact reverse, as one ORDER BY read backwards.
    expect(ids(store.query({ order: 'desc', first: 0, max: 100 }, 0))).toEqual([...once].reverse());
  });

  it('with shuffled ties (the default), draws a new order per query and cuts offset pages from it', () => {
    const seed = 99;
    const store = new StreamEventStore(seed);
    const tied = Array.from({ length: 50 }, (_, i) => event(500, i));
    store.add([event(499, 100), ...tied, event(501, 101)], 0);
    const whole = ids(store.query({ order: 'asc', first: 0, max: 100 }, 0));
    // Groups of one keep their place; the 50 ties fill the middle in some order.
    expect(whole[0]).toBe('e-100');
    expect(whole[51]).toBe('e-101');
    expect(new Set(whole.slice(1, 51))).toEqual(new Set(ids(tied)));
    const orders = new Set<string>();
    let pagedDiffers = false;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      orders.add(ids(store.query({ order: 'asc', first: 0, max: 100 }, 0)).join());
      const paged = [0, 10, 20, 30, 40, 50].flatMap((first) => ids(store.query({ order: 'asc', from: 500, to: 500, first, max: 10 }, 0)));
      expect(paged, `seed ${seed}`).toHaveLength(50);
      if (new Set(paged).size !== 50) pagedDiffers = true;
    }
    expect(orders.size, `seed ${seed}`).toBeGreaterThan(1);
    expect(pagedDiffers, `seed ${seed}: offset pages never repeated a row`).toBe(true);
    // A window inside the group is a subset of it; descending windows too.
    const middle = ids(store.query({ order: 'desc', first: 5, max: 20 }, 0));
    expect(middle).toHaveLength(20);
    expect(middle.every((id) => ids(tied).includes(id))).toBe(true);
  });

  it('replays the same orders for the same seed and the same queries', () => {
    const run = (seed: number): string[] => {
      const store = new StreamEventStore(seed);
      store.add(Array.from({ length: 40 }, (_, i) => event(7, i)), 0);
      return [0, 1, 2].map((first) => ids(store.query({ order: 'asc', first: first * 10, max: 10 }, 0)).join());
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('filters before the offset with shuffled ties too', () => {
    const store = new StreamEventStore(3);
    store.add(Array.from({ length: 40 }, (_, i) => event(7, i, i % 2 === 0 ? 'LOGIN' : 'LOGOUT')), 0);
    const matches = (e: MpasEvent): boolean => (e as UserEvent).type === 'LOGIN';
    const all = store.query({ order: 'desc', first: 0, max: 100, matches }, 0);
    expect(all).toHaveLength(20);
    expect(store.query({ order: 'asc', first: 15, max: 100, matches }, 0)).toHaveLength(5);
  });

  it('permutes every position exactly once, for any group size', () => {
    for (const n of [2, 3, 5, 16, 17, 1000, 4097]) {
      const permute = tiePermutation(n, 0xdecaf);
      const seen = new Set(Array.from({ length: n }, (_, p) => permute(p)));
      expect(seen.size).toBe(n);
      expect(Math.max(...seen)).toBe(n - 1);
    }
  });

  it('removes events older than a time, keeping pending ones', () => {
    const store = new StreamEventStore(1);
    store.add([event(10, 1), event(20, 2), event(30, 3)], 0);
    store.add([event(5, 4)], 0, 100);
    expect(store.removeOlderThan(20, 50)).toBe(1);
    expect(ids(store.query({ order: 'asc', first: 0, max: 10 }, 50))).toEqual(['e-2', 'e-3']);
    expect(ids(store.query({ order: 'asc', first: 0, max: 10 }, 100))).toEqual(['e-4', 'e-2', 'e-3']);
  });

  it('gives another tie order for another seed', () => {
    const tied = Array.from({ length: 30 }, (_, i) => event(500, i));
    const a = new StreamEventStore(1, 'stable');
    const b = new StreamEventStore(2, 'stable');
    a.add(tied, 0);
    b.add(tied, 0);
    expect(ids(a.query({ order: 'asc', first: 0, max: 100 }, 0))).not.toEqual(ids(b.query({ order: 'asc', first: 0, max: 100 }, 0)));
  });

  it('hides a late-committed event from queries and counts until the clock reaches visibleAt', () => {
    const store = new StreamEventStore(1);
    store.add([event(100, 1)], 100);
    store.add([event(90, 0)], 100, 150);
    expect(ids(store.query({ order: 'asc', first: 0, max: 10 }, 149))).toEqual(['e-1']);
    expect(store.count(149)).toBe(1);
    expect(store.pendingCount()).toBe(1);
    // Once visible it sits at its own (older) time, behind a cursor that already passed it.
    expect(ids(store.query({ order: 'asc', first: 0, max: 10 }, 150))).toEqual(['e-0', 'e-1']);
    expect(store.count(150)).toBe(2);
    expect(store.pendingCount()).toBe(0);
  });

  it('treats visibleAt at or before now as visible at once', () => {
    const store = new StreamEventStore(1);
    store.add([event(5, 1)], 100, 100);
    expect(store.count(100)).toBe(1);
  });

  it('merges a large batch older than what is stored into the right places', () => {
    const store = new StreamEventStore(9);
    store.add(Array.from({ length: 100 }, (_, i) => event(1000 + i, i)), 0);
    store.add(Array.from({ length: 100 }, (_, i) => event(2 * i + 901, 100 + i)), 0);
    const times = store.query({ order: 'asc', first: 0, max: 1000 }, 0).map((e) => e.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times).toHaveLength(200);
  });

  it('applies a filter before the offset, in either order', () => {
    const store = new StreamEventStore(1);
    store.add(Array.from({ length: 10 }, (_, i) => event(i, i, i % 2 === 0 ? 'LOGIN' : 'LOGOUT')), 0);
    const matches = (e: MpasEvent): boolean => 'type' in e && e.type === 'LOGOUT';
    expect(ids(store.query({ order: 'asc', first: 1, max: 2, matches }, 0))).toEqual(['e-3', 'e-5']);
    expect(ids(store.query({ order: 'desc', first: 1, max: 2, matches, to: 8 }, 0))).toEqual(['e-5', 'e-3']);
  });

  it('refuses events without an integer time', () => {
    const store = new StreamEventStore(1);
    expect(() => store.add([{ type: 'LOGIN', time: '5' } as unknown as UserEvent], 0)).toThrow(/'time'/);
  });
});
