import { describe, expect, it } from 'vitest';
import { HealthTracker } from '../../../lib/local/health-tracker.js';
import { MpasForbiddenError } from '../../../lib/sources/mpas/errors.js';
import type { Outage } from '../../../lib/local/failure-log.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const START = Date.UTC(2026, 10, 22, 8, 0, 0);

function tracker(clock: ManualClock): HealthTracker {
  return new HealthTracker({ clock, settleMs: 5_000, maxLagMs: 60_000 });
}

describe('HealthTracker', () => {
  it('is ok after a complete poll, with the lag measured from it plus the settle window', () => {
    const clock = new ManualClock(START);
    const health = tracker(clock);
    clock.advance(1_000);
    health.pollFinished({ status: 'complete', events: 12, failures: [] });
    clock.advance(10_000);
    expect(health.report()).toEqual({
      status: 'ok',
      lagSeconds: 15,
      lastSuccessAt: new Date(START + 1_000).toISOString(),
      lastPoll: { at: new Date(START + 1_000).toISOString(), status: 'complete', events: 12, failures: [] },
      deadLetters: 0,
      lateEvents: 0,
      failing: [],
      reasons: [],
    });
  });

  it('counts the events the look-back delivered late, without calling the service degraded', () => {
    const clock = new ManualClock(START);
    const health = tracker(clock);
    health.pollFinished({ status: 'complete', events: 3, failures: [] });
    health.lateDelivered(2);
    health.lateDelivered(1);
    expect(health.report()).toMatchObject({ status: 'ok', lateEvents: 3 });
  });

  it('is degraded when the last poll failed for a stream, naming it, and ok again after a good one', () => {
    const clock = new ManualClock(START);
    const health = tracker(clock);
    health.pollFinished({ status: 'failed', events: 0, failures: [{ realm: 'acme', stream: 'admin', error: new MpasForbiddenError('acme', 'admin-events') }] });
    const report = health.report();
    expect(report.status).toBe('degraded');
    expect(report.lastSuccessAt).toBeNull();
    expect(report.lastPoll!.failures[0]).toMatchObject({ realm: 'acme', stream: 'admin', error: expect.stringContaining('view-events') });
    expect(report.reasons).toEqual(['the last poll failed for acme admin']);
    health.pollFinished({ status: 'complete', events: 3, failures: [] });
    expect(health.report().status).toBe('ok');
  });

  it('is degraded when the lag passes the threshold, or no poll completed within it', () => {
    const clock = new ManualClock(START);
    const health = tracker(clock);
    clock.advance(61_000);
    expect(health.report()).toMatchObject({ status: 'degraded', lagSeconds: null, reasons: ['no complete poll in 61 s'] });
    health.pollFinished({ status: 'complete', events: 1, failures: [] });
    clock.advance(55_001);
    expect(health.report()).toMatchObject({ status: 'degraded', lagSeconds: 60, reasons: ['lag 60 s is above 60 s'] });
  });

  it('counts dead letters and reports a lost lease', () => {
    const clock = new ManualClock(START);
    const health = tracker(clock);
    health.deadLettered(2);
    health.deadLettered(1);
    health.pollFinished({ status: 'lease-lost', events: 4 });
    expect(health.report()).toMatchObject({ status: 'degraded', deadLetters: 3, reasons: ['the last poll ended lease-lost'] });
  });

  it('names a failing SIEM or MPAS at once, before any poll ends, and is ok again once it works', () => {
    const clock = new ManualClock(START);
    let outages: Outage[] = [];
    const health = new HealthTracker({ clock, settleMs: 5_000, maxLagMs: 60_000, outages: () => outages });
    health.pollFinished({ status: 'complete', events: 1, failures: [] });
    outages = [{ side: 'SIEM', name: 'route default', cause: 'HTTP 401: unauthorized', since: START + 1_000, attempts: 3 }];
    clock.advance(2_000);
    expect(health.report()).toMatchObject({
      status: 'degraded',
      failing: [{ side: 'SIEM', target: 'route default', cause: 'HTTP 401: unauthorized', since: new Date(START + 1_000).toISOString(), attempts: 3 }],
      reasons: [`the SIEM (route default) fails since ${new Date(START + 1_000).toISOString()} (3 failed attempts): HTTP 401: unauthorized`],
    });
    outages = [];
    expect(health.report()).toMatchObject({ status: 'ok', failing: [], reasons: [] });
  });
});
