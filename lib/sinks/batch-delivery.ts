import { capRetryAfter } from '../retry/retry-policy.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import type { Clock } from '../time/clock.js';
import type { Sleep } from '../time/sleep.js';
import type { HttpOutcome } from './http-classify.js';
import { Semaphore } from './semaphore.js';
import type { OutboundEvent, SinkDelivery } from './sink.js';
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

/** Sends the events at `indices` as one request (and whatever confirms it); never throws. */
export type SendGroup = (indices: readonly number[], signal: AbortSignal | undefined) => Promise<RequestOutcome>;

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
}

/** The outcome of a request not sent because the delivery stopped. */
const SKIPPED = Symbol('skipped');

/**
 * Delivers events in requests of at most `maxBatchEvents` events and `maxBatchBytes` bytes
 * (`sizeOf` gives an event's framed size), with at most `concurrency` in flight. Retries with
 * full-jitter backoff; a partial answer resends only the items it names; 413 splits the group;
 * a `Retry-After` over MAX_IN_PROCESS_RETRY_AFTER_MS stops the delivery so the queue waits instead.
 */
export async function deliverInBatches(
  events: readonly OutboundEvent[],
  sizeOf: (event: OutboundEvent) => number,
  send: SendGroup,
  settings: BatchDeliverySettings,
  signal?: AbortSignal,
): Promise<SinkDelivery> {
  const run = new BatchRun(send, settings, signal);
  await Promise.all(planGroups(events, sizeOf, settings).map((group) => run.sendGroup(group)));
  return run.finish();
}

/** Groups of indices, in order, each within the count and byte limits (one oversized event goes alone). */
export function planGroups(events: readonly OutboundEvent[], sizeOf: (event: OutboundEvent) => number, limits: { maxBatchEvents: number; maxBatchBytes: number }): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  events.forEach((event, index) => {
    const size = sizeOf(event);
    if (current.length >= limits.maxBatchEvents || (current.length > 0 && bytes + size > limits.maxBatchBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) groups.push(current);
  return groups;
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

  finish(): SinkDelivery {
    this.result.retry.sort((a, b) => a - b);
    this.result.dropped.sort((a, b) => a.index - b.index);
    return this.result;
  }

  async sendGroup(group: number[]): Promise<void> {
    let pending = group;
    for (let attempt = 1; ; attempt += 1) {
      const current = pending;
      const outcome = await this.semaphore.run<RequestOutcome | typeof SKIPPED>(async () =>
        this.stopped || this.signal?.aborted ? SKIPPED : this.sendAndNote(current),
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
        const retryAfterMs = capRetryAfter(outcome.retryAfterMs);
        if (retryAfterMs !== undefined) this.result.retryAfterMs = Math.max(this.result.retryAfterMs ?? 0, retryAfterMs);
        return;
      }
      await this.settings.sleep(decision.delayMs, this.signal);
    }
  }

  /** Sends, records the error and latency, and notes a long Retry-After before the permit is released. */
  private async sendAndNote(indices: number[]): Promise<RequestOutcome> {
    const started = this.settings.clock.now();
    const outcome = await this.send(indices, this.signal);
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

