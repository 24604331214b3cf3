import { capRetryAfter } from '../net/retry-policy.js';
import type { RetryPolicy } from '../net/retry-policy.js';
import type { Clock } from '../core/time/clock.js';
import type { Sleep } from '../core/time/sleep.js';
import type { HttpOutcome } from './http-classify.js';
import { Semaphore } from './semaphore.js';
import type { OutboundEvent, SinkDelivery } from './sink.js';
import { tooLargeReason } from './siem-limits.js';
import { MAX_IN_PROCESS_RETRY_AFTER_MS, sinkRetryPolicy } from './sink-retry.js';

/**
 * Vector's `retry-partial`: the request was answered, but item by item (Elasticsearch `_bulk`,
 * an HEC batch refused at one event). Positions index the group that was sent; positions in
 * neither list were accepted.
 */
export interface PartialOutcome {
  kind: 'partial';
  reason: string;
  status?: number;
  retry: number[];
  dropped: Array<{ position: number; reason: string; status?: number }>;
  retryAfterMs?: number;
}

/** What one request of a protocol sink came to. */
export type RequestOutcome = HttpOutcome | PartialOutcome;

/**
 * Sends the events at `indices` as one request (and whatever confirms it); never throws.
 * `maxBytes` is the plan's bound on the request's encoded size, when the plan made one (a
 * group split after a 413 has none).
 */
export type SendGroup = (indices: readonly number[], signal: AbortSignal | undefined, maxBytes?: number) => Promise<RequestOutcome>;

/** The shared `batch` and `request` settings of a protocol sink, with their test seams resolved. */
export interface BatchDeliverySettings {
  concurrency: number;
  attempts: number;
  maxBatchEvents: number;
  maxBatchBytes: number;
  sleep: Sleep;
  random: () => number;
  clock: Clock;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The most one event may weigh to be sent; a heavier one is dropped unsent. @default maxBatchBytes */
  maxEventBytes?: number;
  /** Names that limit in the dropped event's reason. @default the request limit (SIEM_MAX_BATCH_BYTES) */
  eventLimitName?: string;
}

/** The outcome of a request not sent because the delivery stopped. */
const SKIPPED = Symbol('skipped');

/**
 * Delivers events in requests of at most `maxBatchEvents` events and `maxBatchBytes` bytes
 * (`sizeOf` gives an event's framed size): `planGroups`, then `deliverPlan`.
 */
export async function deliverInBatches(
  events: readonly OutboundEvent[],
  sizeOf: (event: OutboundEvent) => number,
  send: SendGroup,
  settings: BatchDeliverySettings,
  signal?: AbortSignal,
): Promise<SinkDelivery> {
  const { groups, oversized } = planGroups(events, sizeOf, settings);
  return deliverPlan({ groups: groups.map((indices) => ({ indices })), oversized }, send, settings, signal);
}

/**
 * Sends the planned requests with at most `concurrency` in flight. An event the plan found too
 * large is dropped unsent, its reason naming its size and the limit: a request above the SIEM's
 * limit is never sent. Retries with full-jitter backoff; a partial answer resends only the items
 * it names; 413 splits the group; a `Retry-After` over MAX_IN_PROCESS_RETRY_AFTER_MS stops the
 * delivery so the queue waits instead.
 */
export async function deliverPlan(plan: DeliveryPlan, send: SendGroup, settings: BatchDeliverySettings, signal?: AbortSignal): Promise<SinkDelivery> {
  const run = new BatchRun(send, settings, signal);
  const limits = { maxEventBytes: Math.min(settings.maxEventBytes ?? Infinity, settings.maxBatchBytes), eventLimitName: settings.eventLimitName ?? 'the request limit (SIEM_MAX_BATCH_BYTES)' };
  for (const { index, bytes } of plan.oversized) run.drop(index, tooLargeReason(bytes, limits));
  await Promise.all(plan.groups.map(({ indices, maxBytes }) => run.sendGroup(indices, maxBytes)));
  return run.finish();
}

/** One planned request: indices into the events, and a bound on its encoded size when the planner made one. */
export interface PlannedGroup {
  indices: number[];
  maxBytes?: number;
}

/** The requests a sink plans for one delivery, and the events too large for any. */
export interface DeliveryPlan {
  groups: readonly PlannedGroup[];
  oversized: ReadonlyArray<{ index: number; bytes: number }>;
}

/** Requests to send, and the events too large for any. */
export interface GroupPlan {
  /** Groups of indices, in order, each within the count and byte limits. */
  groups: number[][];
  /** Events over `maxEventBytes` (or alone over `maxBatchBytes`), with their size: never sent. */
  oversized: Array<{ index: number; bytes: number }>;
}

/** Plans the requests: every event that can be sent in exactly one group, in order, within the limits. */
export function planGroups(
  events: readonly OutboundEvent[],
  sizeOf: (event: OutboundEvent) => number,
  limits: { maxBatchEvents: number; maxBatchBytes: number; maxEventBytes?: number | undefined },
): GroupPlan {
  const groups: number[][] = [];
  const oversized: GroupPlan['oversized'] = [];
  const maxEventBytes = Math.min(limits.maxEventBytes ?? Infinity, limits.maxBatchBytes);
  let current: number[] = [];
  let bytes = 0;
  events.forEach((event, index) => {
    const size = sizeOf(event);
    if (size > maxEventBytes) {
      oversized.push({ index, bytes: size });
      return;
    }
    if (current.length >= limits.maxBatchEvents || (current.length > 0 && bytes + size > limits.maxBatchBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) groups.push(current);
  return { groups, oversized };
}

class BatchRun {
  private readonly result: SinkDelivery = { retry: [], dropped: [], errors: [], latenciesMs: [] };
  private readonly semaphore: Semaphore;
  private readonly retryPolicy: RetryPolicy;
  // Set when the SIEM asks for a long pause: requests not yet sent are not sent at all.
  private stopped = false;

  constructor(
    private readonly send: SendGroup,
    private readonly settings: BatchDeliverySettings,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.semaphore = new Semaphore(settings.concurrency);
    this.retryPolicy = sinkRetryPolicy(settings);
  }

  /** Records `index` as refused for good, unsent. */
  drop(index: number, reason: string): void {
    this.result.dropped.push({ index, reason });
  }

  finish(): SinkDelivery {
    this.result.retry.sort((a, b) => a - b);
    this.result.dropped.sort((a, b) => a.index - b.index);
    return this.result;
  }

  /** Sends one group until it is accepted, dropped, split, or out of attempts. */
  async sendGroup(group: number[], maxBytes?: number): Promise<void> {
    let pending = group;
    for (let attempt = 1; ; attempt += 1) {
      const current = pending;
      // The bound holds for the group as planned, not for what a partial answer leaves of it.
      const bound = current === group ? maxBytes : undefined;
      // Checked once a permit is held: a group queued behind the one that got a long
      // Retry-After must not be sent either.
      const outcome = await this.semaphore.run<RequestOutcome | typeof SKIPPED>(async () =>
        this.stopped || this.signal?.aborted ? SKIPPED : this.sendAndNote(current, bound),
      );
      if (outcome === SKIPPED) return void this.result.retry.push(...current);
      if (outcome.kind === 'ok') return;
      if (outcome.kind === 'drop') {
        for (const index of current) this.result.dropped.push({ index, reason: outcome.reason, status: outcome.status });
        return;
      }
      if (outcome.kind === 'split') {
        const half = Math.ceil(current.length / 2);
        await Promise.all([this.sendGroup(current.slice(0, half)), this.sendGroup(current.slice(half))]);
        return;
      }
      let auth = false;
      if (outcome.kind === 'partial') {
        for (const item of outcome.dropped) this.result.dropped.push({ index: current[item.position]!, reason: item.reason, status: item.status });
        pending = outcome.retry.map((position) => current[position]!);
        if (pending.length === 0) return;
      } else {
        auth = outcome.auth;
      }
      const decision = this.retryPolicy.decide({ attemptsMade: attempt, retryAfterMs: outcome.retryAfterMs });
      // Refused credentials do not heal within one call: report them for the alarm at once.
      if (auth || !decision.retry) {
        this.result.retry.push(...pending);
        // The queue's redelivery should not come back sooner than the SIEM asked.
        const retryAfterMs = capRetryAfter(outcome.retryAfterMs);
        if (retryAfterMs !== undefined) this.result.retryAfterMs = Math.max(this.result.retryAfterMs ?? 0, retryAfterMs);
        return;
      }
      await this.settings.sleep(decision.delayMs, this.signal);
    }
  }

  /**
   * Sends, records the error and latency, and notes a long Retry-After before the permit is
   * released, so that no queued group slips out in between.
   */
  private async sendAndNote(indices: number[], maxBytes: number | undefined): Promise<RequestOutcome> {
    const started = this.settings.clock.now();
    const outcome = await this.send(indices, this.signal, maxBytes);
    this.result.latenciesMs.push(Math.max(0, this.settings.clock.now() - started));
    if (outcome.kind !== 'ok') {
      const auth = outcome.kind === 'retry' && outcome.auth;
      this.result.errors.push(outcome.status === undefined ? { reason: outcome.reason, auth } : { status: outcome.status, reason: outcome.reason, auth });
    }
    const retryAfterMs = outcome.kind === 'retry' || outcome.kind === 'partial' ? capRetryAfter(outcome.retryAfterMs) : undefined;
    if (retryAfterMs !== undefined && retryAfterMs > MAX_IN_PROCESS_RETRY_AFTER_MS) {
      this.stopped = true;
      this.result.retryAfterMs = Math.max(this.result.retryAfterMs ?? 0, retryAfterMs);
    }
    return outcome;
  }
}

