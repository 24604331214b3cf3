import type { OutboundEvent, Sink, SinkDelivery, SinkHealth } from '../../lib/sinks/sink.js';

/** How a {@link ScriptedSink} answers: take everything, or ask for all of it again later. */
export type ScriptedAnswer = 'accept' | 'retry-all';

/**
 * A sink for routing tests: records every event it accepted (payload by key) and answers as told,
 * so a test can make one route's SIEM fail while another's works.
 */
export class ScriptedSink implements Sink {
  readonly accepted: OutboundEvent[] = [];
  calls = 0;
  constructor(
    readonly name: string,
    public answer: ScriptedAnswer = 'accept',
  ) {}

  async deliver(events: readonly OutboundEvent[]): Promise<SinkDelivery> {
    this.calls += 1;
    if (this.answer === 'retry-all') {
      return { retry: events.map((_, index) => index), dropped: [], retryAfterMs: 2_000, errors: [{ status: 503, reason: 'unavailable', auth: false }], latenciesMs: [1] };
    }
    this.accepted.push(...events);
    return { retry: [], dropped: [], errors: [], latenciesMs: [1] };
  }

  /** Healthy while it accepts, as a SIEM that takes events would be. */
  async healthcheck(): Promise<SinkHealth> {
    return this.answer === 'accept' ? { ok: true, detail: `ok: ${this.name} accepts` } : { ok: false, detail: `${this.name} asks to retry` };
  }

  async close(): Promise<void> {}

  /** The keys accepted, in order. */
  keys(): string[] {
    return this.accepted.map(({ key }) => key);
  }
}
