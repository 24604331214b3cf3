import type { PollerConfig } from '../config/app-config-schema.js';
import type { CursorStore } from '../core/cursor/cursor-store.js';
import type { DeliveryRecordStore } from '../core/poller/delivery-records.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import { pollTenant } from '../core/poller/poll-tenant.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import { pollOptionsFromConfig } from '../runtime/poll-options-from-config.js';
import type { EventSource } from '../core/poller/event-source.js';
import type { EventQueue } from '../core/queue/event-queue.js';
import type { Clock } from '../core/time/clock.js';

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
}

/** How much time the invocation has. */
export interface PollerBudget {
  /** What the runtime says is left (`context.getRemainingTimeInMillis()`). */
  remainingTimeMs: number;
  /** The share of it spent reading; the rest is for the last enqueue and commit. In (0, 1]. */
  budgetShare: number;
}

/**
 * One scheduled poll of the tenant: {@link pollTenant} with a deadline of
 * `now + remainingTimeMs * budgetShare`, after which no new page is started, so the page in hand
 * is enqueued and committed before Lambda stops the process (a stop between the two would only
 * enqueue that page again, which the forwarder's idempotency drops, but costs a whole run).
 */
export async function runPollerInvocation(deps: PollerInvocationDeps, budget: PollerBudget): Promise<PollOutcome> {
  if (!(budget.budgetShare > 0 && budget.budgetShare <= 1)) {
    throw new RangeError(`runPollerInvocation budgetShare must be in (0, 1], got ${budget.budgetShare}`);
  }
  const { config, clock } = deps;
  const deadline = clock.now() + Math.max(0, budget.remainingTimeMs) * budget.budgetShare;
  const { config: _config, ...ports } = deps;
  return pollTenant(pollOptionsFromConfig(config, { ...ports, deadline }));
}
