import { describe, expect, it } from 'vitest';
import { ExpirationCache, reportCursorExpiry } from '../../../lib/aws/cursor-expiry.js';
import type { CursorSnapshot } from '../../../lib/core/cursor/cursor-store.js';
import { MpasUnavailableError } from '../../../lib/sources/mpas/errors.js';
import type { EventsExpiration } from '../../../lib/sources/mpas/events-config.js';
import type { PollOutcome } from '../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const DAY_MS = 86_400_000;
const WEEK = 7 * 86_400;

function source(answers: Array<EventsExpiration | Error>) {
  const asked: string[] = [];
  return {
    asked,
    eventsExpiration: async (realm: string) => {
      asked.push(realm);
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer ?? { status: 'unknown' as const, reason: 'no answer scripted' };
    },
  };
}

const snapshot: CursorSnapshot = {
  positions: {
    'acme#user': { time: NOW - 4 * DAY_MS, boundary: [], updatedAt: NOW },
    'acme#admin': { time: NOW - DAY_MS, boundary: [], updatedAt: NOW },
  },
};

async function report(outcome: PollOutcome, answers: Array<EventsExpiration | Error>) {
  const clock = new ManualClock(NOW);
  const emitted: Array<[string, string, number]> = [];
  const warnings: Array<Record<string, unknown>> = [];
  await reportCursorExpiry(outcome, {
    store: { read: async () => snapshot },
    expirations: new ExpirationCache(source(answers), clock),
    realms: ['acme'],
    streams: ['user', 'admin'],
    clock,
    emit: (realm, stream, percent) => emitted.push([realm, stream, Math.round(percent)]),
    warn: (_message, fields) => warnings.push(fields),
  });
  return { emitted, warnings };
}

describe('reportCursorExpiry', () => {
  it('reports the age of what is unread in percent of the expiration, warning past half', async () => {
    const failed: PollOutcome = { status: 'complete', events: 0, failures: [{ realm: 'acme', stream: 'user', error: new Error('403') }] };
    const { emitted, warnings } = await report(failed, [{ status: 'known', userSeconds: WEEK }]);
    // The failed user stream is 4 of 7 days behind; the admin stream read to the end (and has no expiration set).
    expect(emitted).toEqual([['acme', 'user', 57]]);
    expect(warnings).toEqual([expect.objectContaining({ realm: 'acme', stream: 'user', expirationSeconds: WEEK, percent: 57 })]);
  });

  it('reports 0 for a stream read to the end of its window (a quiet realm\'s cursor stays at its newest event)', async () => {
    const complete: PollOutcome = { status: 'complete', events: 0, failures: [] };
    expect((await report(complete, [{ status: 'known', userSeconds: WEEK, adminSeconds: WEEK }])).emitted).toEqual([['acme', 'user', 0], ['acme', 'admin', 0]]);
    // Catching up (budget spent): the positions are what is unread.
    const behind: PollOutcome = { status: 'budget-spent', events: 10, failures: [] };
    expect((await report(behind, [{ status: 'known', userSeconds: WEEK, adminSeconds: WEEK }])).emitted).toEqual([['acme', 'user', 57], ['acme', 'admin', 14]]);
  });

  it('reports nothing when another poller holds the lease, or without a known expiration', async () => {
    expect((await report({ status: 'lease-busy', holder: 'x' }, [{ status: 'known', userSeconds: 1 }])).emitted).toEqual([]);
    expect((await report({ status: 'budget-spent', events: 0, failures: [] }, [{ status: 'unknown', reason: '404' }])).emitted).toEqual([]);
  });
});

describe('ExpirationCache', () => {
  it('reads a realm once per hour, and keeps the last known answer while MPAS does not answer', async () => {
    const clock = new ManualClock(NOW);
    const mpas = source([{ status: 'known', userSeconds: WEEK }, new MpasUnavailableError({ route: 'events', attempts: 5, lastStatus: 503 }), { status: 'known', userSeconds: 60 }]);
    const cache = new ExpirationCache(mpas, clock);
    expect(await cache.get('acme')).toEqual({ status: 'known', userSeconds: WEEK });
    expect(await cache.get('acme')).toEqual({ status: 'known', userSeconds: WEEK });
    expect(mpas.asked).toEqual(['acme']);
    clock.advance(3_600_001);
    expect(await cache.get('acme')).toEqual({ status: 'known', userSeconds: WEEK });
    clock.advance(3_600_001);
    expect(await cache.get('acme')).toEqual({ status: 'known', userSeconds: 60 });
    expect(mpas.asked).toEqual(['acme', 'acme', 'acme']);
  });
});
