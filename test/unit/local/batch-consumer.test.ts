import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ArchiveWriter } from '../../../lib/archive/archive-writer.js';
import type { ArchiveStore } from '../../../lib/archive/archive-store.js';
import { routesFromConfig } from '../../../lib/runtime/routes-from-config.js';
import { consumeBatches } from '../../../lib/local/batch-consumer.js';
import type { SiemObserver } from '../../../lib/local/batch-consumer.js';
import { UndeliveredError } from '../../../lib/local/undelivered-error.js';
import { DeadLetterFile } from '../../../lib/local/dead-letter-file.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { InProcessQueue } from '../../../lib/stores/queue/in-process-queue.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import { adminEvent, batchOf, twoRouteConfig, userEvent } from '../../support/route-fixtures.js';
import { ScriptedSink } from '../../support/scripted-sink.js';

/** A sleep that returns after one turn of the event loop (counted), or rejects once aborted, as the real one does. */
function instantSleep(): Sleep & { calls: number } {
  const sleep = (async (_ms: number, signal?: AbortSignal) => {
    sleep.calls += 1;
    if (signal?.aborted) throw signal.reason;
    await nextTurn();
  }) as Sleep & { calls: number };
  sleep.calls = 0;
  return sleep;
}

function setup(options: { archive?: ArchiveWriter; deliveries?: number; siemObserver?: SiemObserver } = {}) {
  const qradar = new ScriptedSink('qradar');
  const webhook = new ScriptedSink('webhook');
  // Every event the routes format, by id: tells a batch prepared from a batch sent.
  const formatted = { count: 0, ids: new Set<string>() };
  const routes = routesFromConfig(twoRouteConfig(), { version: '1.0.0', sinks: { qradar, webhook } }).map(({ name, stages }) => ({
    name,
    stages: {
      ...stages,
      formatter: {
        format: stages.formatter.format,
        encode: (...args: Parameters<typeof stages.formatter.encode>) => {
          formatted.count += 1;
          formatted.ids.add(String(args[0].id));
          return stages.formatter.encode(...args);
        },
      },
    },
  }));
  const queue = new InProcessQueue({ maxBatches: 4 });
  const stop = new AbortController();
  const sleep = instantSleep();
  const consumer = consumeBatches({
    queue,
    routes,
    archive: options.archive,
    deadLetters: new DeadLetterFile('/nonexistent/never-written.ndjson'),
    clock: new ManualClock(0),
    sleep,
    retry: { baseDelayMs: 10, maxDelayMs: 100 },
    random: () => 0.5,
    stop: stop.signal,
    ...(options.deliveries === undefined ? {} : { deliveries: options.deliveries }),
    ...(options.siemObserver ? { siemObserver: options.siemObserver } : {}),
  });
  return { qradar, webhook, queue, stop, sleep, consumer, formatted };
}

describe('consumeBatches', () => {
  it('delivers to every route, each with its own filter', async () => {
    const { qradar, webhook, queue, consumer } = setup();
    await queue.enqueue([batchOf('user', [userEvent('a', 'LOGIN', 1), userEvent('b', 'LOGIN_ERROR', 2)]), batchOf('admin', [adminEvent('d', 'DELETE', 'USER', 3), adminEvent('e', 'CREATE', 'USER', 4)])]);
    queue.close();
    await consumer;
    expect(qradar.accepted).toHaveLength(4);
    expect(webhook.accepted.map(({ payload }) => (JSON.parse(payload) as { event: { id: string } }).event.id)).toEqual(['b', 'd']);
  });

  it('retries a failing route on its own while the other has delivered, sending nothing twice', async () => {
    const { qradar, webhook, queue, consumer, sleep } = setup();
    qradar.answer = 'retry-all';
    const delivered = queue.enqueue([batchOf('user', [userEvent('a', 'LOGIN_ERROR', 1)])]);
    await expect.poll(() => webhook.accepted.length).toBe(1);
    await expect.poll(() => sleep.calls).toBeGreaterThanOrEqual(2);
    qradar.answer = 'accept';
    await delivered;
    queue.close();
    await consumer;
    expect(webhook.accepted).toHaveLength(1);
    expect(qradar.accepted).toHaveLength(1);
  });

  it('gives up on a batch after its deliveries, naming every route that did not take it and why; reports each request and delivery by route', async () => {
    const seen: string[] = [];
    const siemObserver: SiemObserver = {
      requestFailed: (route, error) => seen.push(`${route} failed: ${error.reason}`),
      delivered: (route) => seen.push(`${route} delivered`),
    };
    const { qradar, webhook, queue, consumer, sleep } = setup({ deliveries: 2, siemObserver });
    qradar.answer = 'retry-all';
    webhook.answer = 'retry-all';
    const failed = await queue.enqueue([batchOf('user', [userEvent('a', 'LOGIN_ERROR', 1)])]).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UndeliveredError);
    expect((failed as UndeliveredError).routes.map(({ route, events, cause, stopping }) => ({ route, events, cause, stopping }))).toEqual([
      { route: 'qradar', events: 1, cause: 'unavailable', stopping: false },
      { route: 'webhook', events: 1, cause: 'unavailable', stopping: false },
    ]);
    expect(qradar.calls + webhook.calls, 'two deliveries per route').toBe(4);
    expect(sleep.calls, 'one backoff per route between them').toBe(2);
    qradar.answer = 'accept';
    webhook.answer = 'accept';
    await queue.enqueue([batchOf('user', [userEvent('b', 'LOGIN_ERROR', 2)])]);
    queue.close();
    await consumer;
    expect(seen.sort()).toEqual(['qradar delivered', ...Array(2).fill('qradar failed: unavailable'), 'webhook delivered', ...Array(2).fill('webhook failed: unavailable')]);
  });

  it('on a stop, fails a batch a route still cannot deliver, saying so with the last cause', async () => {
    const { qradar, queue, consumer, stop, sleep } = setup();
    qradar.answer = 'retry-all';
    const held = queue.enqueue([batchOf('user', [userEvent('a', 'LOGIN_ERROR', 1)])]).catch((error: unknown) => error);
    await expect.poll(() => sleep.calls).toBeGreaterThanOrEqual(1);
    stop.abort();
    const failed = await held;
    expect(failed).toBeInstanceOf(UndeliveredError);
    expect((failed as Error).message).toBe('stopping: the SIEM of route qradar did not accept 1 acme user events yet; last cause: unavailable');
    queue.close();
    await consumer;
  });

  it('prepares a batch while the one before is on its way, and sends it only once released', async () => {
    const { qradar, queue, consumer, formatted } = setup();
    // The SIEM does not take a yet: a stays on its way, retried.
    qradar.answer = 'retry-all';
    let release!: () => void;
    const after = new Promise<void>((resolve) => (release = resolve));
    const first = queue.enqueue([batchOf('user', [userEvent('a', 'LOGIN_ERROR', 1)])]);
    const second = queue.enqueue([batchOf('user', [userEvent('b', 'LOGIN_ERROR', 2)])], { after });
    await expect.poll(() => formatted.ids.has('b')).toBe(true);
    expect(qradar.keys(), 'b was prepared while a was still on its way').toEqual([]);
    qradar.answer = 'accept';
    await first;
    expect(qradar.keys(), 'b is not sent before its release').toEqual(['a']);
    release();
    await second;
    expect(qradar.keys()).toEqual(['a', 'b']);
    queue.close();
    await consumer;
  });

  it('never sends, files nor archives a batch whose release is refused, and fails it with the reason', async () => {
    const writes: unknown[] = [];
    const store: ArchiveStore = { write: async (records) => void writes.push(...records), deleteOlderThan: async () => 0, close: async () => {} };
    const archive = new ArchiveWriter({ store, redact: createRedactor({ mode: 'mask', userFields: [], adminFields: [] }), maxRecords: 100, retentionDays: 1, clock: new ManualClock(0) });
    const { qradar, webhook, queue, consumer, formatted } = setup({ archive });
    let refuse!: (error: Error) => void;
    const after = new Promise<void>((_resolve, reject) => (refuse = reject));
    const held = queue.enqueue([batchOf('user', [userEvent('b', 'LOGIN_ERROR', 2), { time: -1 } as never])], { after });
    await expect.poll(() => formatted.count).toBe(2);
    const lost = new Error('the commit before found the lease taken');
    refuse(lost);
    await expect(held).rejects.toBe(lost);
    queue.close();
    await consumer;
    expect(qradar.calls + webhook.calls, 'nothing sent').toBe(0);
    expect(archive.pending + writes.length, 'nothing archived').toBe(0);
  });

  it('delivers while the archive store hangs', async () => {
    const hanging: ArchiveStore = { write: () => new Promise(() => {}), deleteOlderThan: async () => 0, close: async () => {} };
    const archive = new ArchiveWriter({ store: hanging, redact: createRedactor({ mode: 'mask', userFields: [], adminFields: [] }), maxRecords: 1, retentionDays: 1, clock: new ManualClock(0) });
    const { qradar, queue, consumer } = setup({ archive });
    await queue.enqueue([batchOf('user', [userEvent('a', 'LOGIN', 1)]), batchOf('user', [userEvent('b', 'LOGIN', 2), userEvent('c', 'LOGIN', 3)])]);
    queue.close();
    await consumer;
    expect(qradar.accepted).toHaveLength(3);
    expect(archive.pending).toBe(1);
  });
});
