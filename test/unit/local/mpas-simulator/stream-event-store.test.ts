import { describe, expect, it } from 'vitest';
import type { MpasEvent, UserEvent } from '../../../../lib/mpas/event-schemas.js';
import { StreamEventStore } from '../../../../lib/local/mpas-simulator/stream-event-store.js';

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

  it('orders same-millisecond ties the same way on every query, but not in insertion order', () => {
    const seed = 1234;
    const store = new StreamEventStore(seed);
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

  it('gives another tie order for another seed', () => {
    const tied = Array.from({ length: 30 }, (_, i) => event(500, i));
    const a = new StreamEventStore(1);
    const b = new StreamEventStore(2);
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
