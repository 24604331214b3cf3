import { frameBodyBytes, planRequestBodies } from '../../lib/sinks/http-framing.js';
import type { BatchLimits } from '../../lib/sinks/http-framing.js';
import type { OutboundEvent, Sink, SinkDelivery } from '../../lib/sinks/sink.js';

/**
 * A sink that does everything the HTTPS sink does to a batch before the network: plans the
 * requests and frames each body into UTF-8 bytes (`frameBodyBytes`, as the HTTPS sink does), then reports every event accepted.
 * The byte count is kept so the work cannot be optimised away.
 */
export function encodingSink(limits: BatchLimits, format: 'json' | 'cef'): Sink & { bytes: () => number } {
  let bytes = 0;
  return {
    name: 'encoding-only',
    bytes: () => bytes,
    deliver(events: readonly OutboundEvent[]): Promise<SinkDelivery> {
      const payloads = events.map(({ payload }) => payload);
      for (const request of planRequestBodies(payloads, limits, format)) {
        bytes += frameBodyBytes(request.indices.map((index) => payloads[index]!), limits.batch, format, request.maxBytes).body.length;
      }
      return Promise.resolve({ retry: [], dropped: [], errors: [], latenciesMs: [] });
    },
    close: () => Promise.resolve(),
  };
}
