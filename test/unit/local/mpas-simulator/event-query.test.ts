import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../lib/mpas/event-schemas.js';
import { parseEventQuery } from '../../../../lib/local/mpas-simulator/event-query.js';
import type { StoreQuery } from '../../../../lib/local/mpas-simulator/stream-event-store.js';

const DAY = Date.UTC(2025, 1, 12);

function ok(result: ReturnType<typeof parseEventQuery>): StoreQuery {
  if (!result.ok) throw new Error(`expected a query, got ${JSON.stringify(result.reply)}`);
  return result.query;
}

describe('parseEventQuery', () => {
  it('defaults to newest first, first 0 and max 100', () => {
    expect(ok(parseEventQuery(new URLSearchParams(''), 'user', 'modern', 0))).toEqual({ order: 'desc', first: 0, max: 100 });
  });

  it('takes epoch milliseconds and direction=asc in modern mode', () => {
    const query = ok(parseEventQuery(new URLSearchParams('dateFrom=1739388468633&dateTo=1739388470156&direction=asc&first=5&max=1000'), 'user', 'modern', 0));
    expect(query).toMatchObject({ from: 1739388468633, to: 1739388470156, order: 'asc', first: 5, max: 1000 });
    expect(ok(parseEventQuery(new URLSearchParams('direction=desc'), 'user', 'modern', 0)).order).toBe('desc');
  });

  it('reads yyyy-MM-dd as the whole day in the server zone, in both modes', () => {
    for (const mode of ['modern', 'legacy'] as const) {
      const utc = ok(parseEventQuery(new URLSearchParams('dateFrom=2025-02-12&dateTo=2025-02-12'), 'user', mode, 0));
      expect(utc).toMatchObject({ from: DAY, to: DAY + 86_400_000 - 1 });
      // UTC-5: the server's day starts at 05:00 UTC.
      const east = ok(parseEventQuery(new URLSearchParams('dateFrom=2025-02-12&dateTo=2025-02-13'), 'user', mode, -300));
      expect(east).toMatchObject({ from: DAY + 5 * 3_600_000, to: DAY + 2 * 86_400_000 + 5 * 3_600_000 - 1 });
    }
  });

  it('answers 400 with Keycloak’s message for an epoch date in legacy mode', () => {
    expect(parseEventQuery(new URLSearchParams('dateFrom=1739388468633'), 'user', 'legacy', 0)).toEqual({
      ok: false, reply: { status: 400, body: { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" } },
    });
    expect(parseEventQuery(new URLSearchParams('dateTo=1739388468633'), 'admin', 'legacy', 0)).toEqual({
      ok: false, reply: { status: 400, body: { error: "Invalid value for 'Date(To)', expected format is yyyy-MM-dd" } },
    });
  });

  it('rejects impossible dates and garbage in modern mode too', () => {
    for (const text of ['2025-02-30', '12/02/2025', 'yesterday']) {
      const result = parseEventQuery(new URLSearchParams({ dateFrom: text }), 'user', 'modern', 0);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.reply.status).toBe(400);
    }
  });

  it('ignores direction in legacy mode: always newest first', () => {
    expect(ok(parseEventQuery(new URLSearchParams('direction=asc'), 'user', 'legacy', 0)).order).toBe('desc');
  });

  it('answers as JAX-RS and JPA do for first and max that are not non-negative integers', () => {
    expect(parseEventQuery(new URLSearchParams('max=ten'), 'user', 'modern', 0)).toMatchObject({ ok: false, reply: { status: 404 } });
    expect(parseEventQuery(new URLSearchParams('first=1.5'), 'user', 'modern', 0)).toMatchObject({ ok: false, reply: { status: 404 } });
    expect(parseEventQuery(new URLSearchParams('first=-1'), 'user', 'modern', 0)).toMatchObject({ ok: false, reply: { status: 500 } });
  });

  it('filters user events by any of the repeated types, and by client, user and address', () => {
    const query = ok(parseEventQuery(new URLSearchParams('type=LOGIN&type=LOGOUT&client=portal&user=u1&ipAddress=10.0.0.1'), 'user', 'modern', 0));
    const base: UserEvent = { time: 1, type: 'LOGIN', clientId: 'portal', userId: 'u1', ipAddress: '10.0.0.1' };
    expect(query.matches?.(base)).toBe(true);
    expect(query.matches?.({ ...base, type: 'LOGOUT' })).toBe(true);
    expect(query.matches?.({ ...base, type: 'REGISTER' })).toBe(false);
    expect(query.matches?.({ ...base, clientId: 'grafana' })).toBe(false);
    expect(query.matches?.({ ...base, userId: 'u2' })).toBe(false);
    expect(query.matches?.({ ...base, ipAddress: '::1' })).toBe(false);
  });

  it('filters admin events by operation and resource types, auth details and a resourcePath pattern', () => {
    const params = new URLSearchParams('operationTypes=CREATE&operationTypes=DELETE&resourceTypes=USER&authUser=a1&resourcePath=users/*');
    const query = ok(parseEventQuery(params, 'admin', 'modern', 0));
    const base: AdminEvent = { time: 1, operationType: 'CREATE', resourceType: 'USER', resourcePath: 'users/42', authDetails: { userId: 'a1' } };
    expect(query.matches?.(base)).toBe(true);
    expect(query.matches?.({ ...base, operationType: 'DELETE' })).toBe(true);
    expect(query.matches?.({ ...base, operationType: 'UPDATE' })).toBe(false);
    expect(query.matches?.({ ...base, resourceType: 'CLIENT' })).toBe(false);
    expect(query.matches?.({ ...base, authDetails: { userId: 'a2' } })).toBe(false);
    expect(query.matches?.({ ...base, resourcePath: 'sessions/42' })).toBe(false);
  });

  it('ignores user-event filters on the admin endpoint', () => {
    expect(ok(parseEventQuery(new URLSearchParams('type=LOGIN'), 'admin', 'modern', 0)).matches).toBeUndefined();
  });
});
