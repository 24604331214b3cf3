import type { FormatName } from '../../lib/core/formats/format-registry.js';
import { BodyBufferPool } from '../../lib/sinks/body-buffer-pool.js';
import { frameBodyBytes, planRequestBodies } from '../../lib/sinks/http-framing.js';
import type { BatchLimits } from '../../lib/sinks/http-framing.js';
import type { OutboundEvent, Sink, SinkDelivery } from '../../lib/sinks/sink.js';

/**
 * A sink that does everything the HTTPS sink does to a batch before the network: plans the
 * requests and frames each body into UTF-8 bytes (`frameBodyBytes`, into the same kind of buffer
 * pool, given back as the HTTPS sink gives it back on a 2xx), then reports every event accepted.
 * The byte count is kept so the work cannot be optimised away.
 */
export function encodingSink(limits: BatchLimits, format: FormatName, concurrency = 4): Sink & { bytes: () => number } {
  let bytes = 0;
  const bodyBuffers = new BodyBufferPool(concurrency, limits.maxBatchBytes + 4);
  return {
    name: 'encoding-only',
    bytes: () => bytes,
    deliver(events: readonly OutboundEvent[]): Promise<SinkDelivery> {
      const payloads = events.map(({ payload }) => payload);
      for (const request of planRequestBodies(payloads, limits, format)) {
        const { body } = frameBodyBytes(
          request.indices.map((index) => payloads[index]!),
          limits.batch,
          format,
          request.maxBytes,
          bodyBuffers,
        );
        bytes += body.length;
        bodyBuffers.giveBack(body);
      }
      return Promise.resolve({ retry: [], dropped: [], errors: [], latenciesMs: [] });
    },
    healthcheck: () => Promise.resolve({ ok: true, detail: 'ok: encodes only, sends nothing' }),
    close: () => Promise.resolve(),
  };
}
