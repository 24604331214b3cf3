import { describe, expect, it } from 'vitest';
import { lazySink } from '../../../lib/sinks/lazy-sink.js';
import type { OutboundEvent, Sink, SinkDelivery } from '../../../lib/sinks/sink.js';

const EVENT: OutboundEvent = { key: 'k1', time: 0, realm: 'customers', stream: 'user', payload: '{}' };
const DELIVERED: SinkDelivery = { retry: [], dropped: [], errors: [], latenciesMs: [3] };

/** A sink that records what reached it. */
function recordingSink(): Sink & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'https',
    calls,
    deliver: async (events) => {
      calls.push(`deliver ${events.length}`);
      return DELIVERED;
    },
    healthcheck: async () => {
      calls.push('healthcheck');
      return { ok: true, detail: 'reachable' };
    },
    close: async () => {
      calls.push('close');
    },
  };
}

describe('lazySink', () => {
  it('builds nothing until its first use, then once for every call, concurrent ones included', async () => {
    const target = recordingSink();
    let builds = 0;
    const sink = lazySink('https', async () => {
      builds += 1;
      return target;
    });
    expect([sink.name, builds]).toEqual(['https', 0]);
    const deliveries = await Promise.all([sink.deliver([EVENT]), sink.deliver([EVENT, EVENT])]);
    expect(await sink.healthcheck()).toEqual({ ok: true, detail: 'reachable' });
    await sink.close();
    expect(deliveries).toEqual([DELIVERED, DELIVERED]);
    expect(builds).toBe(1);
    expect(target.calls).toEqual(['deliver 1', 'deliver 2', 'healthcheck', 'close']);
  });

  it('closes without building a sink that was never used', async () => {
    let builds = 0;
    const sink = lazySink('https', async () => {
      builds += 1;
      return recordingSink();
    });
    await sink.close();
    expect(builds).toBe(0);
  });

  it('fails the delivery with the build\'s error, reports it from the health check, and closes', async () => {
    const sink = lazySink('https', () => Promise.reject(new Error('the https sink\'s settings are invalid:\n  caFile: cannot read /x (ENOENT)')));
    await expect(sink.deliver([EVENT])).rejects.toThrow(/caFile: cannot read \/x/);
    expect(await sink.healthcheck()).toEqual({ ok: false, detail: expect.stringContaining('caFile: cannot read /x') });
    await expect(sink.close()).resolves.toBeUndefined();
  });
});
