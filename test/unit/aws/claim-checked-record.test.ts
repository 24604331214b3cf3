import { describe, expect, it } from 'vitest';
import { forwardClaimChecked } from '../../../lib/aws/claim-checked-record.js';
import type { BatchSummary, OncePerBatch, QueueRecord } from '../../../lib/aws/forward-record.js';
import { idempotencyKeyOf } from '../../../lib/aws/idempotent-batches.js';
import type { DeadLetterMessage, ForwarderQueuePorts } from '../../../lib/aws/sqs-forwarder-ports.js';
import { routesFromConfig } from '../../../lib/runtime/routes-from-config.js';
import { EXTENDED_PAYLOAD_SIZE_ATTRIBUTE, PAYLOAD_POINTER_CLASS, offloadPayload, payloadPointerOf } from '../../../lib/core/queue/claim-check.js';
import type { OutgoingMessage, PayloadLocation, PayloadStore } from '../../../lib/core/queue/claim-check.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import { messageBody } from '../../../lib/core/queue/message-body.js';
import { batchOf, twoRouteConfig, userEvent } from '../../support/route-fixtures.js';
import { ScriptedSink } from '../../support/scripted-sink.js';

/** Objects in memory, as S3 would hold them. */
class MemoryStore implements PayloadStore {
  readonly objects = new Map<string, string>();
  constructor(readonly bucket: string) {}
  async put(key: string, body: string): Promise<void> {
    this.objects.set(key, body);
  }
  async get(location: PayloadLocation): Promise<string | undefined> {
    return location.bucket === this.bucket ? this.objects.get(location.key) : undefined;
  }
  async delete(location: PayloadLocation): Promise<void> {
    this.objects.delete(location.key);
  }
}

class RecordingQueues implements ForwarderQueuePorts {
  readonly deadLetters: DeadLetterMessage[] = [];
  readonly retriedLater: number[] = [];
  async deadLetter(message: DeadLetterMessage): Promise<void> {
    this.deadLetters.push(message);
  }
  async requeue(): Promise<void> {
    throw new Error('not expected');
  }
  async retryLater(_receiptHandle: string, seconds: number): Promise<void> {
    this.retriedLater.push(seconds);
  }
}

/** The idempotency store in memory: `done` keys answer from their record; `busy` keys are in progress elsewhere. */
function onceWith(done: Set<string>, busy = new Set<string>()): OncePerBatch {
  return async (batch: EventBatch, work: () => Promise<BatchSummary>) => {
    const key = idempotencyKeyOf(batch);
    if (busy.has(key)) return { status: 'in-progress' };
    if (done.has(key)) return { status: 'done', summary: { batchId: batch.batchId, delivered: 1, filtered: 0, deadLettered: 0, requeued: 0 } };
    const summary = await work();
    done.add(key);
    return { status: 'done', summary };
  };
}

const batch = batchOf('user', [userEvent('a', 'LOGIN', 1_000)]);

async function pointerRecord(store: MemoryStore): Promise<{ record: QueueRecord; pointer: OutgoingMessage }> {
  const pointer = await offloadPayload(
    { body: messageBody(batch), attributes: { batchId: { DataType: 'String', StringValue: batch.batchId } } },
    store,
    { keyPrefix: 'large-payloads/', name: batch.batchId },
  );
  return { record: { messageId: 'm-1', body: pointer.body, receiptHandle: 'rh', receiveCount: 1, attributes: pointer.attributes }, pointer };
}

function deps(store: MemoryStore, oncePerBatch: OncePerBatch) {
  const qradar = new ScriptedSink('qradar');
  const webhook = new ScriptedSink('webhook');
  const queues = new RecordingQueues();
  const routes = routesFromConfig(twoRouteConfig(), { version: '1.0.0', sinks: { qradar, webhook } });
  return { routes, queues, oncePerBatch, backoff: { baseSeconds: 30, maxSeconds: 43_200 }, random: () => 0, payloads: store, qradar };
}

describe('the claim check', () => {
  it('writes the pointer of the SQS extended client libraries and reads it back', async () => {
    const store = new MemoryStore('payloads');
    const { pointer } = await pointerRecord(store);
    const [className, target] = JSON.parse(pointer.body) as [string, { s3BucketName: string; s3Key: string }];
    expect(className).toBe(PAYLOAD_POINTER_CLASS);
    expect(target.s3BucketName).toBe('payloads');
    expect(pointer.attributes[EXTENDED_PAYLOAD_SIZE_ATTRIBUTE]).toEqual({ DataType: 'Number', StringValue: String(Buffer.byteLength(messageBody(batch))) });
    expect(payloadPointerOf(pointer.body, pointer.attributes)).toMatchObject({ bucket: 'payloads', key: target.s3Key });
    // Without the attribute a body is an ordinary message, whatever it looks like.
    expect(payloadPointerOf(pointer.body, {})).toBeUndefined();
  });
});

describe('forwardClaimChecked', () => {
  it('drops a second delivery whose object is gone when every route has delivered its batch', async () => {
    const store = new MemoryStore('payloads');
    const { record } = await pointerRecord(store);
    store.objects.clear();
    const done = new Set([`${batch.batchId}#qradar`, `${batch.batchId}#webhook`]);
    const wiring = deps(store, onceWith(done));
    expect(await forwardClaimChecked(record, wiring)).toEqual({ status: 'done' });
    expect(wiring.queues.deadLetters).toEqual([]);
    expect(wiring.qradar.calls).toBe(0);
  });

  it('dead-letters a pointer whose object is gone and whose batch a route never took as payload-missing, keeping its attributes', async () => {
    const store = new MemoryStore('payloads');
    const { record } = await pointerRecord(store);
    store.objects.clear();
    const wiring = deps(store, onceWith(new Set([`${batch.batchId}#qradar`])));
    expect(await forwardClaimChecked(record, wiring)).toMatchObject({ status: 'done', invalid: expect.stringMatching(/was not delivered to route webhook/) });
    expect(wiring.queues.deadLetters).toEqual([
      expect.objectContaining({ reason: 'payload-missing', body: record.body, batchId: batch.batchId, attributes: record.attributes }),
    ]);
  });

  it('waits while another invocation holds the batch', async () => {
    const store = new MemoryStore('payloads');
    const { record } = await pointerRecord(store);
    store.objects.clear();
    const wiring = deps(store, onceWith(new Set([`${batch.batchId}#qradar`]), new Set([`${batch.batchId}#webhook`])));
    expect(await forwardClaimChecked(record, wiring)).toEqual({ status: 'retry', reason: 'in-progress', visibilitySeconds: 15 });
    expect(wiring.queues.retriedLater).toEqual([15]);
  });

  it('dead-letters, and never reads, a pointer to another bucket or a body that is not a pointer', async () => {
    const store = new MemoryStore('payloads');
    const { record } = await pointerRecord(store);
    const elsewhere = { ...record, body: record.body.replace('"payloads"', '"someone-elses"') };
    const broken = { ...record, body: '{"not":"a pointer"}' };
    const wiring = deps(store, onceWith(new Set()));
    expect(await forwardClaimChecked(elsewhere, wiring)).toMatchObject({ status: 'done', invalid: expect.stringMatching(/names bucket someone-elses, not the tenant's payload bucket payloads/) });
    expect(await forwardClaimChecked(broken, wiring)).toMatchObject({ status: 'done', invalid: expect.stringMatching(/is not \["software/) });
    expect(wiring.queues.deadLetters.map(({ reason }) => reason)).toEqual(['invalid-message', 'invalid-message']);
    expect(store.objects.size).toBe(1);
    expect(wiring.qradar.calls).toBe(0);
  });
});
