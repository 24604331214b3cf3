import { describe, expect, it } from 'vitest';
import { causeKind, FailureLog } from '../../../lib/local/failure-log.js';
import type { FailureTarget } from '../../../lib/local/failure-log.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const START = Date.UTC(2026, 11, 4, 9, 0, 0);
const SIEM: FailureTarget = { side: 'SIEM', name: 'route default' };
const MPAS: FailureTarget = { side: 'MPAS', name: 'events endpoint' };
const REFUSED = 'connection error ECONNREFUSED: connection refused by 127.0.0.1:9';

function setup() {
  const clock = new ManualClock(START);
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  let changes = 0;
  const failures = new FailureLog({
    log: (level, message, fields = {}) => lines.push({ level, message, fields }),
    clock,
    summaryEveryMs: 60_000,
    secrets: ['hunter2-secret'],
    onChange: () => (changes += 1),
  });
  const above = (level: string) => lines.filter((line) => line.level !== 'debug' && (level === 'info' || line.level === level));
  return { clock, lines, failures, above, changes: () => changes };
}

describe('FailureLog', () => {
  it('logs the first failure at warn, then one summary a minute with the count, then the recovery', () => {
    const { clock, lines, failures, above, changes } = setup();
    failures.failed(SIEM, REFUSED);
    for (let attempt = 0; attempt < 9; attempt += 1) {
      clock.advance(5_000);
      failures.failed(SIEM, REFUSED.replace(':9', `:${attempt}`));
    }
    expect(above('warn').map((line) => line.message)).toEqual(['SIEM request failed']);
    expect(above('warn')[0]!.fields).toMatchObject({ side: 'SIEM', target: 'route default', cause: REFUSED, attempts: 1 });
    clock.advance(20_000);
    failures.failed(SIEM, REFUSED);
    expect(above('warn').map((line) => line.message)).toEqual(['SIEM request failed', 'SIEM still failing']);
    expect(above('warn')[1]!.fields).toMatchObject({ attemptsSinceLastLine: 10, attempts: 11, since: new Date(START).toISOString() });
    expect(failures.outages()).toEqual([{ side: 'SIEM', name: 'route default', cause: REFUSED, since: START, attempts: 11 }]);
    clock.advance(1_000);
    failures.succeeded(SIEM);
    expect(above('info').at(-1)).toMatchObject({ level: 'info', message: 'SIEM recovered', fields: { failedAttempts: 11, outageSeconds: 66 } });
    expect(failures.outages()).toEqual([]);
    expect(lines.filter((line) => line.level === 'debug'), 'every attempt at debug').toHaveLength(11);
    expect(changes(), 'outage opened and closed').toBe(2);
  });

  it('logs a new kind of cause in full at once, and keeps targets apart', () => {
    const { failures, above } = setup();
    failures.failed(SIEM, 'HTTP 503: busy');
    failures.failed(SIEM, 'HTTP 503: still busy');
    failures.failed(SIEM, 'HTTP 401: {"error":"bad token"}');
    failures.failed(MPAS, 'a timeout (no complete response within 300 ms)');
    expect(above('warn').map((line) => [line.message, line.fields['cause']])).toEqual([
      ['SIEM request failed', 'HTTP 503: busy'],
      ['SIEM request failed', 'HTTP 401: {"error":"bad token"}'],
      ['MPAS request failed', 'a timeout (no complete response within 300 ms)'],
    ]);
    expect(failures.outages().map(({ side, attempts }) => [side, attempts])).toEqual([['SIEM', 3], ['MPAS', 1]]);
  });

  it('hides configured secrets and token-like values in every line', () => {
    const { lines, failures } = setup();
    failures.failed(SIEM, 'HTTP 401: token hunter2-secret refused, Authorization: Bearer abc123def');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('abc123def');
    expect(text).toContain('HTTP 401: token *** refused, Authorization: Bearer ***');
  });

  it('flags a SIEM timeout as a possible copy', () => {
    const { failures, above } = setup();
    failures.failed(SIEM, 'timeout: no complete response within 300 ms');
    expect(above('warn')[0]!.fields['note']).toMatch(/a retry can be a copy/);
  });

  it('flushes what was not summarized yet at a stop, and nothing twice', () => {
    const { failures, above } = setup();
    failures.failed(SIEM, REFUSED);
    failures.flush();
    expect(above('warn')).toHaveLength(1);
    failures.failed(SIEM, REFUSED);
    failures.failed(SIEM, REFUSED);
    failures.flush();
    failures.flush();
    expect(above('warn').map((line) => [line.message, line.fields['attemptsSinceLastLine']])).toEqual([
      ['SIEM request failed', undefined],
      ['SIEM still failing', 2],
    ]);
  });
});

describe('causeKind', () => {
  it.each([
    ['HTTP 503: busy', 'HTTP 503'],
    ['Entra ID token request: HTTP 401 invalid_client', 'HTTP 401'],
    [REFUSED, 'connection error ECONNREFUSED'],
    ['timeout: no complete response within 300 ms', 'timeout'],
    ['a connection failure (ECONNREFUSED: connection refused by 127.0.0.1:9)', 'a connection failure (ECONNREFUSED'],
  ])('%s is of kind %s', (cause, kind) => {
    expect(causeKind(cause)).toBe(kind);
  });
});
