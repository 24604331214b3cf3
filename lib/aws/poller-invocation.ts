import type { PollerConfig } from '../config/app-config-schema.js';
import type { CursorStore } from '../core/cursor/cursor-store.js';
import type { DeliveryRecordStore } from '../core/poller/delivery-records.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import { pollTenant } from '../core/poller/poll-tenant.js';
import { pollOptionsFromConfig } from '../runtime/poll-options-from-config.js';
import type { EventSource } from '../core/poller/event-source.js';
import type { EventQueue } from '../core/queue/event-queue.js';
import type { Clock } from '../core/time/clock.js';
import { realSleep } from '../core/time/sleep.js';
import type { Sleep } from '../core/time/sleep.js';
import { LeaseUntilHandOver } from './lease-until-hand-over.js';
import type { PollerSchedule } from './poller-schedule.js';
import { readWhileEventsFlow } from './read-while-events-flow.js';
import type { InvocationOutcome } from './read-while-events-flow.js';

/**
 * How long before the next scheduled invocation the re-reading stops: the last page's enqueue
 * and commit, the cursor-expiry metric and the metrics' flush fit in it, so the poller (reserved
 * concurrency 1) is free when the scheduler starts the next one. bench/aws-lag.bench.ts measures
 * what the end of an invocation takes after its last read (`tailMs`).
 */
export const HANDOVER_MARGIN_MS = 2_000;

/** What one poller invocation works with. */
export interface PollerInvocationDeps {
  config: PollerConfig;
  store: CursorStore;
  queue: EventQueue;
  source: EventSource;
  clock: Clock;
  /** This invocation's name in the lease: the Lambda request id. */
  owner: string;
  observer?: PollObserver;
  /** Where the look-back's delivery records rest; without them there is no look-back. */
  records?: DeliveryRecordStore;
  /** The pause between two reads. @default realSleep */
  sleep?: Sleep;
  /** Aborting ends the pause between two reads. */
  signal?: AbortSignal;
}

/** How much time the invocation has. */
export interface PollerBudget {
  /** What the runtime says is left (`context.getRemainingTimeInMillis()`). */
  remainingTimeMs: number;
  /** The share of it spent reading; the rest is for the last enqueue and commit. In (0, 1]. */
  budgetShare: number;
  /** When the next scheduled invocation starts; without it the invocation reads once. */
  schedule?: PollerSchedule;
}

/**
 * One scheduled invocation of the poller: {@link pollTenant} again every
 * `config.polling.intervalMs` while events flow ({@link readWhileEventsFlow}), no read and no page
 * started after the read deadline: `now + remainingTimeMs * budgetShare` (so the page in hand is
 * enqueued and committed before Lambda stops the process; a stop between the two would only
 * enqueue that page again, which the forwarder's idempotency drops, but costs a whole run), or
 * {@link HANDOVER_MARGIN_MS} before the next scheduled invocation, whichever comes first. The
 * lease is held from the first read to the last and runs out at that hand-over time at the latest
 * ({@link LeaseUntilHandOver}). An invocation that is late past that point reads once, to the read
 * deadline, as an invocation without a schedule does.
 */
export async function runPollerInvocation(deps: PollerInvocationDeps, budget: PollerBudget): Promise<InvocationOutcome> {
  if (!(budget.budgetShare > 0 && budget.budgetShare <= 1)) {
    throw new RangeError(`runPollerInvocation budgetShare must be in (0, 1], got ${budget.budgetShare}`);
  }
  const { config, clock, sleep = realSleep, signal, store, ...ports } = deps;
  const now = clock.now();
  const readDeadline = now + Math.max(0, budget.remainingTimeMs) * budget.budgetShare;
  const handOverAt = budget.schedule === undefined ? undefined : budget.schedule.scheduledAt + budget.schedule.everyMs - HANDOVER_MARGIN_MS;
  if (handOverAt === undefined || handOverAt <= now) {
    const outcome = await pollTenant(pollOptionsFromConfig(config, { ...ports, store, clock, deadline: readDeadline }));
    return { ...outcome, reads: 1, ended: handOverAt === undefined ? 'one-read' : 'next-invocation' };
  }
  const held = new LeaseUntilHandOver(store, handOverAt);
  try {
    return await readWhileEventsFlow({
      read: (deadline) => pollTenant(pollOptionsFromConfig(config, { ...ports, store: held, clock, deadline })),
      clock,
      sleep,
      intervalMs: config.polling.intervalMs,
      readUntil: Math.min(readDeadline, handOverAt),
      ...(signal ? { signal } : {}),
    });
  } finally {
    await held.releaseHeld();
  }
}
