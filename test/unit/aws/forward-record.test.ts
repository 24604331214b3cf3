import { describe, expect, it } from 'vitest';
import { forwardRecord, singleRoute } from '../../../lib/aws/forward-record.js';
import type { BatchSummary, OncePerBatch, QueueRecord } from '../../../lib/aws/forward-record.js';
import { idempotencyKeyOf } from '../../../lib/aws/idempotent-batches.js';
import type { DeadLetterMessage, ForwarderQueuePorts } from '../../../lib/aws/sqs-forwarder-ports.js';
import { routesFromConfig } from '../../../lib/runtime/routes-from-config.js';
import type { Route } from '../../../lib/runtime/routes-from-config.js';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../../lib/config/app-config-schema.js';
import { redactionFingerprint } from '../../../lib/core/pipeline/redaction-at-rest.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import type { Sink } from '../../../lib/sinks/sink.js';
import { jsonEnvelopeFormatter } from '../../../lib/core/formats/json-envelope.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import { messageBody } from '../../../lib/core/queue/message-body.js';
import { adminEvent, batchOf, twoRouteConfig, userEvent } from '../../support/route-fixtures.js';
import { ScriptedSink } from '../../support/scripted-sink.js';

/** The idempotency store in memory, keyed as the DynamoDB one is; a failed run leaves nothing. */
function memoryOncePerBatch(): OncePerBatch & { keys: Set<string> } {
  const done = new Map<string, BatchSummary>();
  const once = (async (batch: EventBatch, work: () => Promise<BatchSummary>) => {
    const key = idempotencyKeyOf(batch);
    const summary = done.get(key) ?? (await work());
    done.set(key, summary);
    return { status: 'done' as const, summary };
  }) as OncePerBatch & { keys: Set<string> };
  Object.defineProperty(once, 'keys', { get: () => new Set(done.keys()) });
  return once;
}

class RecordingQueues implements ForwarderQueuePorts {
  readonly deadLetters: DeadLetterMessage[] = [];
  readonly requeued: Array<{ batch: EventBatch; delaySeconds: number }> = [];
  readonly retriedLater: number[] = [];
  async deadLetter(message: DeadLetterMessage): Promise<void> {
    this.deadLetters.push(message);
  }
  async requeue(batch: EventBatch, delaySeconds: number): Promise<void> {
    this.requeued.push({ batch, delaySeconds });
  }
  async retryLater(_receiptHandle: string, seconds: number): Promise<void> {
    this.retriedLater.push(seconds);
  }
}

function recordOf(batch: EventBatch, receiveCount = 1): QueueRecord {
  return { messageId: `m-${batch.batchId.slice(0, 6)}-${receiveCount}`, body: messageBody(batch), receiptHandle: 'rh', receiveCount };
}

function twoRoutes(): { routes: Route[]; qradar: ScriptedSink; webhook: ScriptedSink } {
  const qradar = new ScriptedSink('qradar');
  const webhook = new ScriptedSink('webhook');
  return { routes: routesFromConfig(twoRouteConfig(), { version: '1.0.0', sinks: { qradar, webhook } }), qradar, webhook };
}

const mixed = batchOf('user', [userEvent('a', 'LOGIN', 1_000), userEvent('b', 'LOGIN_ERROR', 1_001), userEvent('c', 'LOGOUT', 1_002)]);

describe('forwardRecord', () => {
  it('sends each event to every route whose filter keeps it, in that route\'s format', async () => {
    const { routes, qradar, webhook } = twoRoutes();
    const queues = new RecordingQueues();
    const outcome = await forwardRecord(recordOf(mixed), { routes, queues, oncePerBatch: memoryOncePerBatch(), backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 });
    expect(outcome.status).toBe('done');
    expect(qradar.accepted.map(({ payload }) => payload.slice(0, 6))).toEqual(['CEF:0|', 'CEF:0|', 'CEF:0|']);
    expect(webhook.accepted).toHaveLength(1);
    expect(JSON.parse(webhook.accepted[0]!.payload)).toMatchObject({ eventType: 'user-event', event: { id: 'b', type: 'LOGIN_ERROR' } });
    expect(queues.requeued).toEqual([]);
  });

  it('delivers to the working route while the failing one gets the batch back for it alone', async () => {
    const { routes, qradar, webhook } = twoRoutes();
    qradar.answer = 'retry-all';
    const queues = new RecordingQueues();
    const deps = { routes, queues, oncePerBatch: memoryOncePerBatch(), backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 };

    const outcome = await forwardRecord(recordOf(mixed), deps);
    expect(outcome).toMatchObject({ status: 'done', summary: { delivered: 1, requeued: 3 } });
    expect(webhook.keys()).toHaveLength(1);
    expect(queues.requeued).toHaveLength(1);
    const handOff = queues.requeued[0]!;
    expect(handOff.batch).toMatchObject({ route: 'qradar', batchId: mixed.batchId, events: mixed.events });
    // The SIEM's Retry-After (2 s) is the floor of the delay.
    expect(handOff.delaySeconds).toBeGreaterThanOrEqual(2);

    // The hand-off, while QRadar is still down, waits on the queue instead of multiplying.
    const waiting = await forwardRecord(recordOf(handOff.batch), deps);
    expect(waiting).toMatchObject({ status: 'retry', reason: 'nothing-delivered' });
    expect(queues.requeued).toHaveLength(1);

    qradar.answer = 'accept';
    expect((await forwardRecord(recordOf(handOff.batch, 2), deps)).status).toBe('done');
    expect(qradar.keys()).toHaveLength(3);
    expect(webhook.keys()).toHaveLength(1);
  });

  it('delivers a batch once per route when the same message comes twice, and the hand-off too', async () => {
    const { routes, qradar, webhook } = twoRoutes();
    qradar.answer = 'retry-all';
    const queues = new RecordingQueues();
    const oncePerBatch = memoryOncePerBatch();
    const deps = { routes, queues, oncePerBatch, backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 };

    await forwardRecord(recordOf(mixed), deps);
    qradar.answer = 'accept';
    // The original message again (a poller crash before commit): the webhook has it already.
    await forwardRecord(recordOf(mixed, 2), deps);
    // And the hand-off of the first try: QRadar has it already.
    await forwardRecord(recordOf(queues.requeued[0]!.batch), deps);

    expect(webhook.keys()).toHaveLength(1);
    expect(qradar.keys()).toHaveLength(3);
    expect(new Set(qradar.keys()).size).toBe(3);
    expect(oncePerBatch.keys).toEqual(new Set([`${mixed.batchId}#qradar`, `${mixed.batchId}#webhook`]));
  });

  it('dead-letters an invalid event once, not once per route', async () => {
    const { routes } = twoRoutes();
    const queues = new RecordingQueues();
    const bad = { ...mixed, events: [...mixed.events, { id: 'x', type: 'LOGIN' } as never] };
    await forwardRecord(recordOf(bad), { routes, queues, oncePerBatch: memoryOncePerBatch(), backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 });
    expect(queues.deadLetters.map(({ reason }) => reason)).toEqual(['invalid-event']);
    expect(queues.deadLetters[0]!.detail).toContain('events.3.time');
  });

  it('dead-letters what the SIEM refuses redacted and marked, under its own batch id and route, and a redrive delivers it hashed once', async () => {
    const hashKey = 'dead-letter-hash-key-0123456789';
    const config = appConfigSchema.parse({
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { username: 'sync', password: 'pw' } },
      siem: { url: 'https://siem.example.com/ingest' },
      redaction: { mode: 'hash', hashKey, userFields: ['ipAddress', 'details.username'] },
    }) as AppConfig;
    const refused = new Set(['b']);
    const delivered: Array<{ key: string; payload: string }> = [];
    const sink: Sink = {
      name: 'siem',
      close: async () => undefined,
      healthcheck: async () => ({ ok: true, detail: 'ok' }),
      deliver: async (events) => {
        const dropped = events.flatMap((event, index) => (refused.has(event.key) ? [{ index, reason: 'bad field', status: 400 }] : []));
        for (const event of events) if (!refused.has(event.key)) delivered.push({ key: event.key, payload: String(event.payload) });
        return { retry: [], dropped, errors: [], latenciesMs: [1] };
      },
    };
    const routes = routesFromConfig(config, { version: '1.0.0', sinks: { default: sink } });
    const queues = new RecordingQueues();
    const deps = { routes, queues, oncePerBatch: memoryOncePerBatch(), backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 };
    await forwardRecord(recordOf(mixed), deps);

    const [dead, ...more] = queues.deadLetters;
    expect(more).toEqual([]);
    const resting = JSON.parse(dead!.body) as EventBatch;
    const fingerprint = redactionFingerprint(config.redaction);
    expect(resting).toMatchObject({ route: 'default', redaction: fingerprint, events: [{ id: 'b' }] });
    expect(dead!.body, 'no personal data in clear in the DLQ').not.toMatch(/alice|192\.0\.2\.10/);
    expect(fingerprint, 'the fingerprint does not show the key').not.toContain(hashKey);
    expect(resting.batchId).not.toBe(mixed.batchId);
    expect(dead!.batchId).toBe(resting.batchId);

    // Redriven (the DLQ message back on the queue, as dlq redrive moves it): the SIEM now takes it,
    // with the values hashed as in the other events, not hashed again.
    refused.clear();
    await forwardRecord({ messageId: 'redriven-1', body: dead!.body, receiptHandle: 'rh', receiveCount: 1 }, deps);
    const hashedUser = (key: string) => JSON.parse(delivered.find((event) => event.key === key)!.payload).event.details.username as string;
    expect(delivered.map(({ key }) => key)).toEqual(['a', 'c', 'b']);
    expect(hashedUser('b')).toBe(hashedUser('a'));
    expect(hashedUser('b')).toMatch(/^hmac-sha256:/);

    // A dead letter of an older version (unmarked, in clear) is redacted on its redrive.
    const older = { ...mixed, batchId: 'older-version-dead-letter', route: 'default', events: [mixed.events[2]!] };
    await forwardRecord(recordOf(older), deps);
    expect(hashedUser('c')).toBe(JSON.parse(delivered.at(-1)!.payload).event.details.username);
    expect(delivered.at(-1)!.payload).not.toMatch(/alice|192\.0\.2\.10/);
  });

  it('dead-letters a batch for a route that is no longer configured, naming it', async () => {
    const { routes } = twoRoutes();
    const queues = new RecordingQueues();
    const outcome = await forwardRecord(recordOf({ ...mixed, route: 'splunk' }), { routes, queues, oncePerBatch: memoryOncePerBatch(), backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 });
    expect(outcome).toEqual({ status: 'done', invalid: 'route: "splunk" is not configured' });
    expect(queues.deadLetters[0]).toMatchObject({ reason: 'invalid-message', detail: 'route: "splunk" is not configured' });
  });

  it('keys the one default route by the batch id alone and sends its undelivered rest back for it', async () => {
    const sink = new ScriptedSink('siem', 'retry-all');
    const routes = singleRoute({ redact: createRedactor({ mode: 'mask', userFields: [], adminFields: [] }), formatter: jsonEnvelopeFormatter, sink });
    const queues = new RecordingQueues();
    const oncePerBatch = memoryOncePerBatch();
    const outcome = await forwardRecord(recordOf(mixed), { routes, queues, oncePerBatch, backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 });
    expect(outcome).toMatchObject({ status: 'retry', reason: 'nothing-delivered' });
    sink.answer = 'accept';
    await forwardRecord(recordOf(mixed, 2), { routes, queues, oncePerBatch, backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5 });
    expect(oncePerBatch.keys).toEqual(new Set([mixed.batchId]));
    expect(sink.keys()).toHaveLength(3);
  });

  it('offers a batch to the archive when it first arrives, not its retried remainders', async () => {
    const { routes } = twoRoutes();
    const offered: string[] = [];
    const deps = { routes, queues: new RecordingQueues(), oncePerBatch: memoryOncePerBatch(), backoff: { baseSeconds: 1, maxSeconds: 60 }, random: () => 0.5, archive: { offer: (batch: EventBatch) => offered.push(batch.batchId) } };
    const admin = batchOf('admin', [adminEvent('d', 'DELETE', 'USER', 2_000)]);
    await forwardRecord(recordOf(admin), deps);
    await forwardRecord(recordOf({ ...admin, route: 'qradar' }), deps);
    expect(offered).toEqual([admin.batchId]);
  });
});
