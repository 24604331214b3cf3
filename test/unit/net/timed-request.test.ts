import { describe, expect, it } from 'vitest';
import { RequestTimeout, timedRequest } from '../../../lib/net/timed-request.js';

/** A request that never answers: it rejects with its signal's reason, as undici and fetch do. */
function hang(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

describe('timedRequest', () => {
  it('ends a request that outlives its timeout with a RequestTimeout naming the timeout', async () => {
    const error = await timedRequest(5, undefined, hang).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeout);
    expect((error as RequestTimeout).message).toBe('no complete response within 5 ms');
  });

  it("ends with the caller's reason when the caller stops, even if the request throws something else", async () => {
    const controller = new AbortController();
    const reason = new Error('the poll was stopped');
    const pending = timedRequest(60_000, controller.signal, async (signal) => {
      await hang(signal).catch(() => undefined);
      throw new DOMException('This operation was aborted', 'AbortError');
    });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('hands back what the request answered, and its own errors as they came', async () => {
    await expect(timedRequest(60_000, undefined, async () => 'answer')).resolves.toBe('answer');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    await expect(timedRequest(60_000, undefined, () => Promise.reject(refused))).rejects.toBe(refused);
  });
});
