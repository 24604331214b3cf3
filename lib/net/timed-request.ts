/** Why a request was cut short by its own timeout: the reason {@link timedRequest} aborts it with. */
export class RequestTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'RequestTimeout';
  }
}

/**
 * Runs one request, reading its answer included, with `send` given a signal that aborts after
 * `timeoutMs` or when the caller's `signal` does. What it throws says which ended it: a
 * {@link RequestTimeout} for the timeout, the signal's reason for the caller's stop, anything
 * else as it came (a connection failure keeps its `code`, see describeConnectionFailure).
 */
export async function timedRequest<T>(timeoutMs: number, signal: AbortSignal | undefined, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timer = new AbortController();
  // A timer of our own rather than AbortSignal.timeout: it is cleared as soon as the answer is
  // read, so a finished request leaves nothing pending to keep a Lambda or a test alive.
  const handle = setTimeout(() => timer.abort(new RequestTimeout(timeoutMs)), timeoutMs);
  try {
    return await send(signal ? AbortSignal.any([signal, timer.signal]) : timer.signal);
  } catch (error) {
    // A request rejects with the abort reason; a bare AbortError can also surface from the body read.
    if (timer.signal.aborted && !signal?.aborted) throw timer.signal.reason;
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    clearTimeout(handle);
  }
}
