import { describe, expect, it } from 'vitest';
import type { UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { userEventSchema } from '../../../../lib/core/events/event-schemas.js';
import { FaultInjector } from '../../../../devtools/mpas-simulator/fault-injector.js';

const EVENTS: UserEvent[] = [{ id: 'a', time: 1, type: 'LOGIN' }, { id: 'b', time: 2, type: 'LOGOUT' }];

describe('FaultInjector', () => {
  it('fails exactly count matching requests, in the order the failures were asked for', () => {
    const faults = new FaultInjector(() => undefined);
    faults.failNext({ count: 2, status: 503, endpoint: 'events' });
    faults.failNext({ count: 1, status: 429, retryAfterSeconds: 7 });
    expect(faults.takeFailure('token')).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
    expect(faults.takeFailure('token')).toBeUndefined();
    expect(faults.takeFailure('events')?.status).toBe(503);
    expect(faults.takeFailure('admin-events')).toBeUndefined();
    expect(faults.takeFailure('events')?.status).toBe(503);
    expect(faults.takeFailure('events')).toBeUndefined();
  });

  it('answers 5xx the way Keycloak and a proxy in front of it do', () => {
    const faults = new FaultInjector(() => undefined);
    faults.failNext({ count: 1, status: 500 });
    faults.failNext({ count: 1, status: 502 });
    expect(faults.takeFailure('events')).toMatchObject({ status: 500, body: '{"error":"unknown_error"}' });
    expect(faults.takeFailure('events')).toMatchObject({ status: 502, headers: { 'content-type': 'text/html' } });
  });

  it('serves malformed pages the given number of times, each of them invalid', () => {
    const faults = new FaultInjector(() => undefined);
    faults.setMalformedNext(3);
    const bodies = [0, 1, 2].map(() => faults.takeMalformedBody(EVENTS) as string);
    expect(faults.takeMalformedBody(EVENTS)).toBeUndefined();
    for (const body of bodies) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        continue;
      }
      const valid = Array.isArray(parsed) && parsed.every((item) => userEventSchema.safeParse(item).success);
      expect(valid, body).toBe(false);
    }
    expect(typeof (JSON.parse(bodies[0] as string) as Array<{ time: unknown }>)[0]?.time).toBe('string');
  });

  it('revokes tokens through its callback and keeps the latency it was given', () => {
    let revoked = 0;
    const faults = new FaultInjector(() => (revoked += 1));
    faults.revokeAllTokens();
    faults.setLatency(25);
    expect(revoked).toBe(1);
    expect(faults.latencyMs()).toBe(25);
  });

  it('names the argument it rejects', () => {
    const faults = new FaultInjector(() => undefined);
    expect(() => faults.failNext({ count: 0, status: 503 })).toThrow(/count/);
    expect(() => faults.failNext({ count: 1, status: 404 as 503 })).toThrow(/status/);
    expect(() => faults.setLatency(-1)).toThrow(/ms/);
    expect(() => faults.setMalformedNext(1.5)).toThrow(/count/);
  });
});
