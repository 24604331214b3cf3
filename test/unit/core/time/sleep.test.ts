import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, realSleep } from '../../../../lib/core/time/sleep.js';

/** Resolves true once `promise` settled, false while it is pending (after the microtasks ran). */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('realSleep', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits a delay the timer can hold, and not 1 ms less', async () => {
    const sleeping = realSleep(5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sleeping)).toBe(true);
  });

  it('waits a delay above the timer limit (3e9 ms, a Retry-After of 3,000,000 s) in full, in steps', async () => {
    // Node's own timer fires such a delay after 1 ms (TimeoutOverflowWarning); the fake one models that too.
    expect(3e9).toBeGreaterThan(MAX_TIMER_DELAY_MS);
    const sleeping = realSleep(3e9);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(3e9 - MAX_TIMER_DELAY_MS - 2);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sleeping)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends early, leaving no timer, when the signal aborts', async () => {
    const stop = new AbortController();
    const sleeping = realSleep(Infinity, stop.signal);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS * 2);
    expect(await settled(sleeping)).toBe(false);
    stop.abort();
    expect(await settled(sleeping)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not wait for 0, a negative delay or NaN, nor once aborted', async () => {
    for (const ms of [0, -1, NaN]) expect(await settled(realSleep(ms)), String(ms)).toBe(true);
    expect(await settled(realSleep(1_000, AbortSignal.abort()))).toBe(true);
  });
});
