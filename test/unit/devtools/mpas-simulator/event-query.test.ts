import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { parseEventQuery, parseLenientDate } from '../../../../devtools/mpas-simulator/event-query.js';
import { keycloakVersionTraits } from '../../../../devtools/mpas-simulator/simulator-options.js';
import type { VersionTraits } from '../../../../devtools/mpas-simulator/simulator-options.js';
import type { StoreQuery } from '../../../../devtools/mpas-simulator/stream-event-store.js';

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

  // Formerly: yyyy-MM-dd as the whole server-zone day in both modes. Keycloak >= 26.2 reads it as
  // a UTC day (DateUtil), and legacy dateTo is the day's start except for 26.0/26.1 user events.
  it('reads a legacy yyyy-MM-dd in the server zone, dateTo per version and stream', () => {
    const v = (version: string): VersionTraits => keycloakVersionTraits(version) as VersionTraits;
    const params = new URLSearchParams('dateFrom=2025-02-12&dateTo=2025-02-13');
    // UTC-5: the server's day starts at 05:00 UTC.
    const at5 = DAY + 5 * 3_600_000;
    expect(ok(parseEventQuery(params, 'user', v('26.1'), -300))).toMatchObject({ from: at5, to: at5 + 2 * 86_400_000 - 1 });
    expect(ok(parseEventQuery(params, 'user', v('26.0'), -300))).toMatchObject({ from: at5, to: at5 + 2 * 86_400_000 - 1 });
    expect(ok(parseEventQuery(params, 'user', v('25'), -300))).toMatchObject({ from: at5, to: at5 + 86_400_000 });
    expect(ok(parseEventQuery(params, 'admin', v('26.1'), -300))).toMatchObject({ from: at5, to: at5 + 86_400_000 });
    expect(ok(parseEventQuery(params, 'admin', v('24'), -300))).toMatchObject({ from: at5, to: at5 + 86_400_000 });
  });

  it('reads a modern yyyy-MM-dd as a UTC day whatever the server zone, and 26.2.0 dateTo as nothing', () => {
    const v = (version: string): VersionTraits => keycloakVersionTraits(version) as VersionTraits;
    const params = new URLSearchParams('dateFrom=2025-02-12&dateTo=2025-02-12');
    expect(ok(parseEventQuery(params, 'admin', v('26.2'), -300))).toMatchObject({ from: DAY, to: DAY + 86_400_000 - 1 });
    expect(ok(parseEventQuery(params, 'user', v('26.4'), 120))).toMatchObject({ from: DAY, to: DAY + 86_400_000 - 1 });
    expect(ok(parseEventQuery(params, 'user', v('26.2.0'), 0)).to).toBeLessThan(0);
    expect(ok(parseEventQuery(new URLSearchParams('dateTo=1739388468633'), 'user', v('26.2.0'), 0)).to).toBe(1739388468633);
  });

  it('parses legacy dates as a lenient SimpleDateFormat does', () => {
    expect(parseLenientDate('2025-13-01', 0)).toBe(Date.UTC(2026, 0, 1));
    expect(parseLenientDate('2025-02-30', 0)).toBe(Date.UTC(2025, 2, 2));
    expect(parseLenientDate('2025-03-00', 0)).toBe(Date.UTC(2025, 1, 28));
    expect(parseLenientDate('2025-2-5', 0)).toBe(Date.UTC(2025, 1, 5));
    expect(parseLenientDate('2025-02-12T23:59:59Z', 0)).toBe(DAY);
    expect(parseLenientDate('2025-02-12junk', 0)).toBe(DAY);
    expect(parseLenientDate(' 2025- 02-12', 0)).toBe(DAY);
    expect(parseLenientDate('0099-01-01', 0)).toBe(new Date('0099-01-01T00:00:00Z').getTime());
    for (const text of ['', '1739388468633', '2025/02/12', '2025-02', 'yesterday', '-2025-01-01']) expect(parseLenientDate(text, 0), text).toBeUndefined();
  });

  it('answers 400 with Keycloak’s message for an epoch date in legacy mode', () => {
    expect(parseEventQuery(new URLSearchParams('dateFrom=1739388468633'), 'user', 'legacy', 0)).toEqual({
      ok: false, reply: { status: 400, body: { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" } },
    });
    expect(parseEventQuery(new URLSearchParams('dateTo=1739388468633'), 'admin', 'legacy', 0)).toEqual({
      ok: false, reply: { status: 400, body: { error: "Invalid value for 'Date(To)', expected format is yyyy-MM-dd" } },
    });
  });

  it('rejects impossible dates and garbage in modern mode with the 26.2 message', () => {
    for (const text of ['2025-02-30', '12/02/2025', 'yesterday', '-5', '', '1.5', '2025-2-5']) {
      expect(parseEventQuery(new URLSearchParams({ dateFrom: text }), 'user', 'modern', 0), text).toEqual({
        ok: false, reply: { status: 400, body: { error: "Invalid value for 'dateFrom', expected format is yyyy-MM-dd or an Epoch timestamp" } },
      });
    }
    expect(parseEventQuery(new URLSearchParams({ dateTo: 'x' }), 'admin', 'modern', 0)).toMatchObject({
      ok: false, reply: { body: { error: "Invalid value for 'dateTo', expected format is yyyy-MM-dd or an Epoch timestamp" } },
    });
    expect(ok(parseEventQuery(new URLSearchParams('dateFrom=%2B42'), 'user', 'modern', 0)).from).toBe(42);
  });

  it('answers 400 for a direction other than asc or desc in modern mode, after the dates', () => {
    expect(parseEventQuery(new URLSearchParams('direction=ASC'), 'user', 'modern', 0)).toEqual({
      ok: false, reply: { status: 400, body: { error: 'Invalid value for sortDirection, expected value is asc or desc' } },
    });
    expect(parseEventQuery(new URLSearchParams('direction='), 'user', 'modern', 0)).toMatchObject({ ok: false });
    expect(parseEventQuery(new URLSearchParams('direction=up&dateFrom=x'), 'user', 'modern', 0)).toMatchObject({ ok: false, reply: { body: { error: expect.stringContaining('dateFrom') } } });
    expect(ok(parseEventQuery(new URLSearchParams('direction=sideways'), 'user', 'legacy', 0)).order).toBe('desc');
  });

  it('ignores direction in legacy mode: always newest first', () => {
    expect(ok(parseEventQuery(new URLSearchParams('direction=asc'), 'user', 'legacy', 0)).order).toBe('desc');
  });

  // Formerly a negative first answered 500; PaginationUtils.paginateQuery ignores a negative
  // first and takes a negative max as no limit.
  it('answers 404 for first and max JAX-RS cannot convert, and pages negative values as PaginationUtils does', () => {
    expect(parseEventQuery(new URLSearchParams('max=ten'), 'user', 'modern', 0)).toMatchObject({ ok: false, reply: { status: 404 } });
    expect(parseEventQuery(new URLSearchParams('first=1.5'), 'user', 'modern', 0)).toMatchObject({ ok: false, reply: { status: 404 } });
    for (const mode of ['modern', 'legacy'] as const) {
      expect(ok(parseEventQuery(new URLSearchParams('first=-1'), 'user', mode, 0))).toMatchObject({ first: 0, max: 100 });
      expect(ok(parseEventQuery(new URLSearchParams('first=3&max=-1'), 'user', mode, 0))).toMatchObject({ first: 3, max: Number.POSITIVE_INFINITY });
      expect(ok(parseEventQuery(new URLSearchParams('max=100000'), 'user', mode, 0)).max).toBe(100_000);
    }
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
