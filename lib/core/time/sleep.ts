/** How the code waits: injected so tests can make retries and backoff instant. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The longest delay Node's setTimeout honours (2^31 - 1 ms, about 24.8 days); a longer one
 * fires after 1 ms, which turned a huge `Retry-After` into a request flood.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Waits `ms` milliseconds on the real timer, in steps of at most MAX_TIMER_DELAY_MS; resolves
 * early (without error) when `signal` aborts. An infinite `ms` waits until the signal aborts
 * (forever without one); NaN or a negative `ms` does not wait.
 */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || !(ms > 0)) {
      resolve();
      return;
    }
    let left = ms;
    let timer: ReturnType<typeof setTimeout>;
    const step = (): void => {
      if (left <= 0) return done();
      const wait = Math.min(left, MAX_TIMER_DELAY_MS);
      left -= wait;
      timer = setTimeout(step, wait);
    };
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
    step();
  });
