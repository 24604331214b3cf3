import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESPONSE_TIMEOUT_CEILING_FACTOR, ResponseTimeout, worstCaseResponseWaitMs } from '../../../lib/net/response-timeout.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

function ladder(baseMs: number) {
  const clock = new ManualClock(0);
  const timeout = new ResponseTimeout(baseMs, () => clock.now());
  /** One request to a SIEM that answers after `latencyMs`: answered if that is within its timeout. */
  const send = (latencyMs: number): 'answered' | 'timed out' => {
    const request = timeout.start();
    if (latencyMs <= request.timeoutMs) {
      clock.advance(latencyMs);
      request.answered();
      return 'answered';
    }
    clock.advance(request.timeoutMs);
    request.timedOut();
    return 'timed out';
  };
  return { clock, timeout, send };
}

describe('ResponseTimeout', () => {
  it('doubles after each timeout, up to 8 x the base', () => {
    const { timeout, send } = ladder(100);
    expect(timeout.timeoutMs).toBe(100);
    const seen = [];
    for (let request = 0; request < 5; request += 1) {
      send(10_000);
      seen.push(timeout.timeoutMs);
    }
    expect(seen).toEqual([200, 400, 800, 800, 800]);
    expect(timeout.ceilingMs).toBe(100 * RESPONSE_TIMEOUT_CEILING_FACTOR);
  });

  it('doubles once when requests in flight together time out at the same level', () => {
    const { timeout } = ladder(100);
    const inFlight = [timeout.start(), timeout.start(), timeout.start()];
    for (const request of inFlight) request.timedOut();
    expect(timeout.timeoutMs).toBe(200);
    // One started before the raise and timing out after it does not pull the level down.
    const early = timeout.start();
    timeout.start().timedOut();
    expect(timeout.timeoutMs).toBe(400);
    early.timedOut();
    expect(timeout.timeoutMs).toBe(400);
  });

  it('steps down by halves once answers take under half of it, never below the base', () => {
    const { timeout, send } = ladder(100);
    for (let request = 0; request < 3; request += 1) send(10_000);
    expect(timeout.timeoutMs).toBe(800);
    const seen = [];
    for (let request = 0; request < 4; request += 1) {
      send(20);
      seen.push(timeout.timeoutMs);
    }
    expect(seen).toEqual([400, 200, 100, 100]);
  });

  it('stays where a SIEM answers in over half of it, so a steady slow SIEM does not swing', () => {
    const { timeout, send } = ladder(100);
    expect([send(250), send(250), send(250), send(250), send(250)]).toEqual(['timed out', 'timed out', 'answered', 'answered', 'answered']);
    expect(timeout.timeoutMs).toBe(400);
    // 199 ms is under half of 400: one step down, to 200, which still holds it.
    expect([send(199), send(199), send(199)]).toEqual(['answered', 'answered', 'answered']);
    expect(timeout.timeoutMs).toBe(200);
  });

  it('counts a request once: an answer after its timeout was noted changes nothing', () => {
    const { timeout } = ladder(100);
    const request = timeout.start();
    request.timedOut();
    request.answered();
    request.timedOut();
    expect(timeout.timeoutMs).toBe(200);
  });

  it('gives a request to a SIEM answering within the ceiling at most log2(8) + 1 = 4 tries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 20 }), (baseMs, share, history) => {
        const { timeout, send } = ladder(baseMs);
        // Whatever came before: the level is always the base times a power of two up to the ceiling.
        for (const latencyMs of history) send(latencyMs);
        expect([1, 2, 4, 8].map((factor) => factor * baseMs)).toContain(timeout.timeoutMs);
        const latencyMs = share * baseMs * RESPONSE_TIMEOUT_CEILING_FACTOR;
        let tries = 1;
        while (send(latencyMs) === 'timed out') tries += 1;
        expect(tries).toBeLessThanOrEqual(Math.log2(RESPONSE_TIMEOUT_CEILING_FACTOR) + 1);
      }),
      { seed: 17, numRuns: 500 },
    );
  });

  it('refuses a base that is not a positive whole number of milliseconds', () => {
    for (const baseMs of [0, -1, 1.5, Number.NaN]) expect(() => new ResponseTimeout(baseMs)).toThrow(/positive integer of milliseconds/);
  });
});

describe('worstCaseResponseWaitMs', () => {
  it('sums the timeouts of tries that all time out, doubling from the base up to the ceiling', () => {
    expect(worstCaseResponseWaitMs(1, 100)).toBe(100);
    expect(worstCaseResponseWaitMs(3, 100)).toBe(100 + 200 + 400);
    expect(worstCaseResponseWaitMs(6, 100)).toBe(100 + 200 + 400 + 800 + 800 + 800);
  });
});
