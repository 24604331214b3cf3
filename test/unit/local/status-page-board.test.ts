import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { HealthTracker } from '../../../lib/local/health-tracker.js';
import { StatusBoard } from '../../../lib/local/status-page-board.js';
import { MpasForbiddenError } from '../../../lib/sources/mpas/errors.js';

const START = Date.UTC(2026, 10, 22, 8, 0, 0);
const SIEM_TOKEN = 'siem-token-b7e4d1c9a2f3';
const MPAS_PASSWORD = 'mpas-password-4c1e8f';

function setUp() {
  const clock = new ManualClock(START);
  const config = loadConfig({
    env: {
      MPAS_BASE_URL: 'https://mpas.example.com',
      MPAS_REALMS: 'acme,beta',
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD,
      MPAS_SETTLE_MS: '5000',
      SIEM_URL: 'https://siem.example.com/ingest',
      SIEM_TOKEN,
    },
  });
  const health = new HealthTracker({ clock, settleMs: 5_000, maxLagMs: 300_000 });
  return { clock, board: new StatusBoard(config, clock), health };
}

const position = (time: number) => ({ time, boundary: [], updatedAt: time });

describe('StatusBoard', () => {
  it('lists every configured realm and stream and the default route before anything happened', () => {
    const { board, health } = setUp();
    const snapshot = board.snapshot(health.report());
    expect(snapshot.streams.map(({ realm, stream, lagSeconds, lastPoll }) => ({ realm, stream, lagSeconds, lastPoll }))).toEqual([
      { realm: 'acme', stream: 'user', lagSeconds: null, lastPoll: null },
      { realm: 'acme', stream: 'admin', lagSeconds: null, lastPoll: null },
      { realm: 'beta', stream: 'user', lagSeconds: null, lastPoll: null },
      { realm: 'beta', stream: 'admin', lagSeconds: null, lastPoll: null },
    ]);
    expect(snapshot.siem).toEqual([{ route: 'default', lastError: null }]);
    // The chart's only point is the interval in progress.
    expect(snapshot.history).toEqual({ intervalSeconds: 10, spanSeconds: 3_600, points: [{ at: new Date(START).toISOString(), ratePerSecond: 0, lagSeconds: null }] });
  });

  it('measures lag from the newest committed event while a stream catches up, then from now minus settle of the poll that read it to the end', () => {
    const { clock, board, health } = setUp();
    board.committed('acme', 'user', 100, position(START - 3_600_000));
    board.delivered('acme', 'user', 100);
    clock.advance(2_000);
    expect(board.lags().find(({ realm, stream }) => realm === 'acme' && stream === 'user')?.lagSeconds).toBe(3_602);

    board.pollFinished({ status: 'partial', events: 100, failures: [{ realm: 'beta', stream: 'admin', error: new MpasForbiddenError('beta', 'admin-events') }] });
    clock.advance(10_000);
    const lags = Object.fromEntries(board.lags().map(({ realm, stream, lagSeconds }) => [`${realm} ${stream}`, lagSeconds]));
    // A quiet stream read to the end is as current as the busy one; the one that failed never was.
    expect(lags).toEqual({ 'acme user': 15, 'acme admin': 15, 'beta user': 15, 'beta admin': null });
    const beta = board.snapshot(health.report()).streams.find(({ realm, stream }) => realm === 'beta' && stream === 'admin')!;
    expect(beta.lastPoll).toEqual({ at: new Date(START + 2_000).toISOString(), outcome: 'failed', error: expect.stringContaining('view-events') });
  });

  it('gives each stream its delivery rate over the last minute and charts the total rate and the highest lag every 10 s', () => {
    const { clock, board, health } = setUp();
    board.pollFinished({ status: 'complete', events: 0, failures: [] });
    // Half-way through each second, so no delivery falls on a grid line.
    for (let second = 0; second < 90; second += 1) {
      clock.advance(500);
      board.delivered('acme', 'user', 4);
      if (second % 2 === 0) board.delivered('beta', 'admin', 1);
      clock.advance(500);
    }
    const snapshot = board.snapshot(health.report());
    const rate = Object.fromEntries(snapshot.streams.map(({ realm, stream, ratePerSecond }) => [`${realm} ${stream}`, ratePerSecond]));
    expect(rate).toEqual({ 'acme user': 4, 'acme admin': 0, 'beta user': 0, 'beta admin': 0.5 });
    expect(snapshot.history.points).toHaveLength(10);
    expect(snapshot.history.points[3]).toEqual({ at: new Date(START + 40_000).toISOString(), ratePerSecond: 4.5, lagSeconds: 45 });
    // Now is on a grid line: the interval in progress has just begun.
    expect(snapshot.history.points[9]).toEqual({ at: new Date(START + 90_000).toISOString(), ratePerSecond: 0, lagSeconds: 95 });
  });

  it('keeps the last SIEM error by route and the last MPAS error with their secrets hidden, and counts dead letters by reason', () => {
    const { clock, board, health } = setUp();
    clock.advance(1_000);
    board.siemRequestFailed('default', { status: 401, reason: `HTTP 401: token ${SIEM_TOKEN} is not valid`, auth: true });
    board.mpasRequest({ route: 'token', status: 503, durationMs: 3, failure: `HTTP 503: upstream said password=${MPAS_PASSWORD}` });
    board.mpasRequest({ route: 'events', status: 200, durationMs: 3 });
    board.deadLettered('rejected-by-siem', 2);
    board.deadLettered('invalid-event', 1);
    board.deadLettered('rejected-by-siem', 3);
    const snapshot = board.snapshot(health.report());
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain(SIEM_TOKEN);
    expect(text).not.toContain(MPAS_PASSWORD);
    expect(snapshot.siem).toEqual([{ route: 'default', lastError: { at: new Date(START + 1_000).toISOString(), message: 'HTTP 401: token *** is not valid' } }]);
    expect(snapshot.mpas.lastError).toMatchObject({ endpoint: 'token', message: expect.stringMatching(/^HTTP 503: upstream said password=\*\*\*/) });
    expect(snapshot.deadLetters).toEqual({ total: 6, byReason: { 'rejected-by-siem': 5, 'invalid-event': 1 } });
  });
});
