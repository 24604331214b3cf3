import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../../../lib/core/queue/event-batch.js';
import { InProcessQueue } from '../../../../lib/stores/queue/in-process-queue.js';
import type { Sleep } from '../../../../lib/core/time/sleep.js';

/** Fixed so a failure replays; fast-check prints it with the shrunk counterexample. */
const SEED = 20_250_115;

type Step =
  | { kind: 'enqueue'; size: number }
  | { kind: 'ack' }
  | { kind: 'retry' }
  | { kind: 'fail' }
  | { kind: 'fire' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('enqueue' as const), size: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ kind: 'ack' as const }),
  fc.constant({ kind: 'ack' as const }),
  fc.constant({ kind: 'retry' as const }),
  fc.constant({ kind: 'fail' as const }),
  fc.constant({ kind: 'fire' as const }),
);

function batch(id: number): EventBatch {
  return { v: 1, tenant: 'acme', realm: 'master', stream: 'admin', batchId: String(id), events: [{ time: id, operationType: 'CREATE' }] };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

describe('InProcessQueue', () => {
  it('keeps its bound, its order and its promise to each enqueue call under any consumer behaviour', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(stepArbitrary, { maxLength: 60 }), async (maxBatches, steps) => {
        const timers: (() => void)[] = [];
        const sleep: Sleep = () => new Promise<void>((resolve) => timers.push(resolve));
        const queue = new InProcessQueue({ maxBatches, sleep });
        const outcomes: { ids: number[]; result?: 'resolved' | Error }[] = [];
        const failedIds = new Set<number>();
        const acked = new Set<number>();
        const firstDeliveries: number[] = [];
        let nextId = 0;

        const take = async () => {
          if (queue.stats().queued === 0) return undefined;
          const next = await queue.next();
          const id = Number(next?.batch.batchId);
          if (!firstDeliveries.includes(id)) firstDeliveries.push(id);
          return next;
        };

        for (const step of steps) {
          if (step.kind === 'enqueue') {
            const ids = Array.from({ length: step.size }, () => nextId++);
            const outcome: (typeof outcomes)[number] = { ids };
            outcomes.push(outcome);
            queue.enqueue(ids.map(batch)).then(
              () => (outcome.result = 'resolved'),
              (error: Error) => (outcome.result = error),
            );
          } else if (step.kind === 'fire') {
            for (const fire of timers.splice(0)) fire();
          } else {
            const next = await take();
            if (next) {
              const id = Number(next.batch.batchId);
              if (step.kind === 'ack') {
                next.ack();
                acked.add(id);
              } else if (step.kind === 'retry') {
                next.retryLater(10);
              } else {
                next.fail(new Error(`batch ${id} failed`));
                failedIds.add(id);
              }
            }
          }
          await flush();
          const stats = queue.stats();
          expect(stats.queued + stats.inFlight + stats.retrying).toBeLessThanOrEqual(maxBatches);
        }

        // Settle everything left: ack until nothing is queued, in flight, retrying or waiting.
        for (;;) {
          for (const fire of timers.splice(0)) fire();
          await flush();
          const next = await take();
          if (next) {
            next.ack();
            acked.add(Number(next.batch.batchId));
          }
          await flush();
          const stats = queue.stats();
          if (!next && stats.retrying === 0 && stats.queued === 0 && stats.waiting === 0 && stats.inFlight === 0) break;
        }

        const sorted = [...firstDeliveries].sort((a, b) => a - b);
        expect(firstDeliveries).toEqual(sorted);
        for (const outcome of outcomes) {
          const failed = outcome.ids.find((id) => failedIds.has(id));
          if (failed === undefined) {
            expect(outcome.result).toBe('resolved');
            for (const id of outcome.ids) expect(acked.has(id)).toBe(true);
          } else {
            expect(outcome.result).toBeInstanceOf(Error);
            expect((outcome.result as Error).message).toBe(`batch ${failed} failed`);
          }
        }
        expect(queue.stats().acked).toBe(acked.size);
        expect(queue.stats().failed).toBe(failedIds.size);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
