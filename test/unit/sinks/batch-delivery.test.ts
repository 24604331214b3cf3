import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS } from '../../../lib/net/retry-after.js';
import { deliverInBatches, planGroups } from '../../../lib/sinks/batch-delivery.js';
import type { BatchDeliverySettings, RequestOutcome } from '../../../lib/sinks/batch-delivery.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';
import { ManualClock } from '../../../lib/core/time/clock.js';

const events = (count: number): OutboundEvent[] =>
  Array.from({ length: count }, (_, i) => ({ key: `k${i}`, time: i, realm: 'r', stream: 'user' as const, payload: 'x'.repeat(10) }));

function settings(overrides: Partial<BatchDeliverySettings> = {}): BatchDeliverySettings & { slept: number[] } {
  const slept: number[] = [];
  return { concurrency: 1, attempts: 3, maxBatchEvents: 10, maxBatchBytes: 1_000, sleep: async (ms) => void slept.push(ms), random: () => 0.5, clock: new ManualClock(0), backoffBaseMs: 200, backoffMaxMs: 5_000, slept, ...overrides };
}

/** A sender answering from a script, one outcome per request, recording what each request held. */
function scripted(...outcomes: RequestOutcome[]) {
  const sent: number[][] = [];
  const send = async (indices: readonly number[]): Promise<RequestOutcome> => {
    sent.push([...indices]);
    return outcomes.shift() ?? { kind: 'ok' };
  };
  return { send, sent };
}

describe('planGroups', () => {
  it('cuts groups by count and bytes, in order, and sends no event larger than the byte limit', () => {
    const sizes = [5, 5, 5, 50, 5, 13, 12];
    const list = events(7);
    expect(planGroups(list, (event) => sizes[Number(event.key.slice(1))]!, { maxBatchEvents: 2, maxBatchBytes: 12 })).toEqual({
      groups: [[0, 1], [2, 4], [6]],
      oversized: [
        { index: 3, bytes: 50 },
        { index: 5, bytes: 13 },
      ],
    });
  });

  it('holds back an event over the per-event limit even when the request limit would take it', () => {
    const sizes = [5, 9, 5];
    expect(planGroups(events(3), (event) => sizes[Number(event.key.slice(1))]!, { maxBatchEvents: 10, maxBatchBytes: 100, maxEventBytes: 8 })).toEqual({ groups: [[0, 2]], oversized: [{ index: 1, bytes: 9 }] });
  });

  it('keeps every event exactly once and within the limits, for any sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 300 }), (sizes, maxEvents, maxBytes) => {
        const { groups, oversized } = planGroups(events(sizes.length), (event) => sizes[Number(event.key.slice(1))]!, { maxBatchEvents: maxEvents, maxBatchBytes: maxBytes });
        expect([...groups.flat(), ...oversized.map(({ index }) => index)].sort((a, b) => a - b)).toEqual(sizes.map((_, i) => i));
        expect(groups.flat()).toEqual([...groups.flat()].sort((a, b) => a - b));
        for (const group of groups) {
          expect(group.length).toBeLessThanOrEqual(maxEvents);
          expect(group.reduce((sum, i) => sum + sizes[i]!, 0)).toBeLessThanOrEqual(maxBytes);
        }
        for (const { index, bytes } of oversized) expect(bytes).toBe(sizes[index]);
        for (const { bytes } of oversized) expect(bytes).toBeGreaterThan(maxBytes);
      }),
    );
  });
});

describe('deliverInBatches', () => {
  it('resends only the positions a partial answer names, and drops the ones it drops', async () => {
    const { send, sent } = scripted({ kind: 'partial', reason: 'some', status: 200, retry: [1, 3], dropped: [{ position: 2, reason: 'bad', status: 400 }] });
    const run = settings();
    const result = await deliverInBatches(events(4), () => 1, send, run);
    expect(sent).toEqual([[0, 1, 2, 3], [1, 3]]);
    expect(result).toEqual({ retry: [], dropped: [{ index: 2, reason: 'bad', status: 400 }], errors: [{ status: 200, reason: 'some', auth: false }], latenciesMs: [0, 0] });
    expect(run.slept).toEqual([100]);
  });

  it('hands back what is still failing once the attempts are spent, with the last Retry-After asked for', async () => {
    const retry: RequestOutcome = { kind: 'retry', reason: 'busy', status: 503, auth: false, retryAfterMs: 1_000 };
    const { send, sent } = scripted(retry, { kind: 'partial', reason: 'p', retry: [0], dropped: [], retryAfterMs: 2_000 }, retry);
    const run = settings({ attempts: 3 });
    const result = await deliverInBatches(events(2), () => 1, send, run);
    expect(sent).toEqual([[0, 1], [0, 1], [0]]);
    expect(result.retry).toEqual([0]);
    expect(result.retryAfterMs).toBe(1_000);
    expect(run.slept).toEqual([1_000, 2_000]);
  });

  it('returns auth failures at once, without sleeping', async () => {
    const { send, sent } = scripted({ kind: 'retry', reason: 'denied', status: 401, auth: true });
    const run = settings();
    const result = await deliverInBatches(events(3), () => 1, send, run);
    expect(sent).toHaveLength(1);
    expect(result.retry).toEqual([0, 1, 2]);
    expect(result.errors).toEqual([{ status: 401, reason: 'denied', auth: true }]);
    expect(run.slept).toEqual([]);
  });

  it('splits on a split answer and sends the halves on their own attempts', async () => {
    const { send, sent } = scripted({ kind: 'split', reason: 'too big', status: 413 }, { kind: 'drop', reason: 'no', status: 400 });
    const result = await deliverInBatches(events(4), () => 1, send, settings());
    expect(sent).toEqual([[0, 1, 2, 3], [0, 1], [2, 3]]);
    expect(result.dropped.map((drop) => drop.index)).toEqual([0, 1]);
  });

  it('stops sending after a Retry-After too long to wait in-process, and skips the queued groups', async () => {
    const { send, sent } = scripted({ kind: 'retry', reason: 'later', status: 429, auth: false, retryAfterMs: 60_000 });
    const result = await deliverInBatches(events(6), () => 1, send, settings({ maxBatchEvents: 2 }));
    expect(sent).toEqual([[0, 1]]);
    expect(result.retry).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.retryAfterMs).toBe(60_000);
  });

  it('hands back a Retry-After beyond any cap (3,000,000 s) as lib/net\'s cap, without a sleep', async () => {
    const { send, sent } = scripted({ kind: 'retry', reason: 'later', status: 429, auth: false, retryAfterMs: 3e9 });
    const run = settings({ maxBatchEvents: 2 });
    const result = await deliverInBatches(events(4), () => 1, send, run);
    expect(sent).toEqual([[0, 1]]);
    expect(result.retry).toEqual([0, 1, 2, 3]);
    expect(result.retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    expect(run.slept).toEqual([]);
  });

  it('dead-letters an event too large for any request, unsent, naming its size and the limit', async () => {
    const { send, sent } = scripted();
    const sizes = [10, 2_000, 10];
    const result = await deliverInBatches(events(3), (event) => sizes[Number(event.key.slice(1))]!, send, settings({ maxBatchBytes: 1_000 }));
    expect(sent).toEqual([[0, 2]]);
    expect(result.dropped).toEqual([{ index: 1, reason: 'event too large for the SIEM: 2000 bytes, over the request limit (SIEM_MAX_BATCH_BYTES) of 1000 bytes; not sent' }]);
    expect(result.retry).toEqual([]);
  });

  it('sends nothing once the signal is aborted', async () => {
    const { send, sent } = scripted();
    const controller = new AbortController();
    controller.abort();
    const result = await deliverInBatches(events(2), () => 1, send, settings(), controller.signal);
    expect(sent).toEqual([]);
    expect(result.retry).toEqual([0, 1]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let open = 0;
    let most = 0;
    const send = async (): Promise<RequestOutcome> => {
      open += 1;
      most = Math.max(most, open);
      await new Promise((resolve) => setImmediate(resolve));
      open -= 1;
      return { kind: 'ok' };
    };
    await deliverInBatches(events(20), () => 1, send, settings({ concurrency: 3, maxBatchEvents: 1 }));
    expect(most).toBe(3);
  });
});
