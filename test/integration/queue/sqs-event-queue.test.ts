import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { UserEvent } from '../../../lib/core/events/event-schemas.js';
import { EnqueueFailedError, EventTooLargeError, InvalidBatchError, QueueError, QueueSendError } from '../../../lib/core/queue/errors.js';
import { batchIdFor } from '../../../lib/core/queue/event-batch.js';
import type { EventBatch } from '../../../lib/core/queue/event-batch.js';
import { parseBatchMessage } from '../../../lib/core/queue/parse-batch-message.js';
import { SqsEventQueue } from '../../../lib/stores/queue/sqs-event-queue.js';
import type { Sleep } from '../../../lib/core/time/sleep.js';
import { cleanupAwsFixtures, createQueuePair, sqsClient } from '../../support/aws-fixtures.js';

const MiB = 1_048_576;

function userEvent(index: number, padding = 0): UserEvent {
  return { id: `ev-${index}`, time: 1_700_000_000_000 + index, type: 'LOGIN', realmId: 'master', details: { note: 'x'.repeat(padding) } };
}

function batchOf(events: UserEvent[], realm = 'master'): EventBatch {
  const batchId = batchIdFor('acme', realm, 'user', events.map(eventKey));
  return { v: 1, tenant: 'acme', realm, stream: 'user', batchId, events };
}

/** Records every SendMessageBatch input the client sends: a real middleware, the call still goes out. */
function recordSends(client: SQSClient): SendMessageBatchCommandInput[] {
  const sent: SendMessageBatchCommandInput[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      if ('Entries' in args.input) sent.push(structuredClone(args.input as SendMessageBatchCommandInput));
      return next(args);
    },
    { step: 'initialize', name: 'recordSends', priority: 'low' },
  );
  return sent;
}

/**
 * Fault injection at the server: on the calls `shouldCorrupt` picks, the entry with the given id
 * gets a character SQS refuses, so the emulator itself reports that entry in `Failed`.
 */
function corruptEntry(client: SQSClient, entryId: string, shouldCorrupt: (call: number) => boolean): void {
  let call = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as SendMessageBatchCommandInput;
      if (!('Entries' in args.input) || !shouldCorrupt(++call)) return next(args);
      const Entries = input.Entries?.map((entry) => (entry.Id === entryId ? { ...entry, MessageBody: entry.MessageBody + '\uFFFF' } : entry));
      return next({ ...args, input: { ...input, Entries } });
    },
    { step: 'initialize', name: 'corruptEntry', priority: 'high' },
  );
}

/** Receives until the queue has nothing visible left (the emulator holds sent messages at once). */
async function drain(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const received: Message[] = [];
  for (;;) {
    const output = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (!output.Messages || output.Messages.length === 0) return received;
    received.push(...output.Messages);
  }
}

function bodyOf(message: Message): EventBatch {
  const parsed = parseBatchMessage(message.Body ?? '');
  if (!parsed.ok) throw new Error(`received an invalid body: ${parsed.reason}`);
  return parsed.batch;
}

const messageBytes = (entry: NonNullable<SendMessageBatchCommandInput['Entries']>[number]): number =>
  Buffer.byteLength(entry.MessageBody ?? '') +
  Object.entries(entry.MessageAttributes ?? {}).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? ''),
    0,
  );

describe('SqsEventQueue', () => {
  let client: SQSClient;
  let queueUrl: string;
  let sent: SendMessageBatchCommandInput[];
  let sleeps: number[];
  const sleep: Sleep = async (ms) => {
    sleeps.push(ms);
  };

  beforeEach(async () => {
    ({ queueUrl } = await createQueuePair('sqs-event-queue'));
    client = sqsClient();
    sent = recordSends(client);
    sleeps = [];
  });
  afterEach(cleanupAwsFixtures);

  it('sends a batch under the limit as one message, with its attributes and a valid body', async () => {
    const batch = batchOf([userEvent(1), userEvent(2)]);
    await new SqsEventQueue({ client, queueUrl, sleep }).enqueue([batch]);

    const messages = await drain(client, queueUrl);
    expect(messages).toHaveLength(1);
    const [message] = messages as [Message];
    expect(bodyOf(message)).toEqual(batch);
    expect(message.MessageAttributes).toEqual({
      batchId: { DataType: 'String', StringValue: batch.batchId },
      realm: { DataType: 'String', StringValue: 'master' },
      stream: { DataType: 'String', StringValue: 'user' },
    });
    expect(sent).toHaveLength(1);
  });

  it('sends nothing before its after resolves, and nothing at all when it rejects, rejecting with its reason', async () => {
    const queue = new SqsEventQueue({ client, queueUrl, sleep });
    let release!: () => void;
    const released = queue.enqueue([batchOf([userEvent(1)])], { after: new Promise<void>((resolve) => (release = resolve)) });
    const lost = new Error('the commit before found the lease taken');
    const refused = queue.enqueue([batchOf([userEvent(2)])], { after: Promise.reject(lost) });
    await expect(refused).rejects.toBe(lost);
    expect(sent, 'nothing sent while the first waits for its release').toHaveLength(0);
    release();
    await released;
    const messages = await drain(client, queueUrl);
    expect(messages.map((message) => bodyOf(message).events.map(eventKey))).toEqual([[eventKey(userEvent(1))]]);
  });

  it('splits a 3 MB batch into parts under 1 MiB whose events are the input, in order', async () => {
    const events = Array.from({ length: 300 }, (_, index) => userEvent(index, 10_000));
    const batch = batchOf(events);
    expect(JSON.stringify(batch).length).toBeGreaterThan(3_000_000);
    await new SqsEventQueue({ client, queueUrl, sleep }).enqueue([batch]);

    const parts = (await drain(client, queueUrl)).map((message) => ({ message, batch: bodyOf(message) }));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const { message, batch: part } of parts) {
      expect(Buffer.byteLength(message.Body ?? '')).toBeLessThan(MiB);
      expect(part.batchId).toBe(batchIdFor('acme', 'master', 'user', part.events.map(eventKey)));
      expect(message.MessageAttributes?.batchId?.StringValue).toBe(part.batchId);
    }
    // The queue does not keep order; each part is consecutive, so its first event places it.
    const ordered = parts.map((part) => part.batch).sort((a, b) => (a.events[0] as UserEvent).time - (b.events[0] as UserEvent).time);
    expect(ordered.flatMap((part) => part.events)).toEqual(events);
    // No call carried more than SQS allows in total, and one part per call is all that fits.
    for (const call of sent) expect((call.Entries ?? []).reduce((sum, entry) => sum + messageBytes(entry), 0)).toBeLessThanOrEqual(MiB);
    expect(sent).toHaveLength(parts.length);
  });

  it('splits the same page the same way when it is enqueued again, so the batch ids repeat', async () => {
    const page = (): EventBatch => batchOf(Array.from({ length: 250 }, (_, index) => userEvent(index, 9_000 + index)));
    const queue = new SqsEventQueue({ client, queueUrl, sleep });
    await queue.enqueue([page()]);
    const first = (await drain(client, queueUrl)).map((message) => bodyOf(message).batchId).sort();
    await queue.enqueue([page()]);
    const second = (await drain(client, queueUrl)).map((message) => bodyOf(message).batchId).sort();
    expect(first.length).toBeGreaterThan(1);
    expect(second).toEqual(first);
  });

  it('sends more than 10 messages in several SendMessageBatch calls of at most 10 entries', async () => {
    const batches = Array.from({ length: 23 }, (_, index) => batchOf([userEvent(index)], `realm-${index}`));
    await new SqsEventQueue({ client, queueUrl, sleep }).enqueue(batches);

    expect(sent.map((call) => call.Entries?.length)).toEqual([10, 10, 3]);
    expect(sent.flatMap((call) => call.Entries?.map((entry) => entry.Id))).toEqual([
      ...Array.from({ length: 10 }, (_, index) => String(index)),
      ...Array.from({ length: 10 }, (_, index) => String(index)),
      '0',
      '1',
      '2',
    ]);
    const received = (await drain(client, queueUrl)).map(bodyOf);
    expect(received.map((batch) => batch.batchId).sort()).toEqual(batches.map((batch) => batch.batchId).sort());
  });

  it('bounds a call by its total bytes as well as by its count', async () => {
    // Four ~300 kB batches: three fit in one call's 1 MiB, the fourth needs another.
    const batches = Array.from({ length: 4 }, (_, index) => batchOf([userEvent(index, 300_000)], `realm-${index}`));
    await new SqsEventQueue({ client, queueUrl, sleep }).enqueue(batches);
    expect(sent.map((call) => call.Entries?.length)).toEqual([3, 1]);
    expect(await drain(client, queueUrl)).toHaveLength(4);
  });

  it('re-sends exactly the entries SQS reported failed, after a backoff', async () => {
    corruptEntry(client, '1', (call) => call === 1);
    const batches = Array.from({ length: 3 }, (_, index) => batchOf([userEvent(index)], `realm-${index}`));
    // The draw of lib/net's full jitter fixed at half: half of each ceiling (100 ms, doubling).
    await new SqsEventQueue({ client, queueUrl, sleep, random: () => 0.5 }).enqueue(batches);

    expect(sent.map((call) => call.Entries?.map((entry) => entry.Id))).toEqual([['0', '1', '2'], ['1']]);
    expect(sleeps).toEqual([50]);
    const received = (await drain(client, queueUrl)).map(bodyOf);
    expect(received.map((batch) => batch.realm).sort()).toEqual(['realm-0', 'realm-1', 'realm-2']);
  });

  it('gives up after maxAttempts with the refused batches, backing off between attempts', async () => {
    corruptEntry(client, '0', () => true);
    const batch = batchOf([userEvent(1)]);
    const failure = await new SqsEventQueue({ client, queueUrl, sleep, maxAttempts: 4, random: () => 0.5 }).enqueue([batch]).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(EnqueueFailedError);
    expect(failure).toBeInstanceOf(QueueError);
    expect((failure as EnqueueFailedError).attempts).toBe(4);
    expect((failure as EnqueueFailedError).failures).toEqual([{ batchId: batch.batchId, code: 'InvalidMessageContents', senderFault: true }]);
    expect(sleeps).toEqual([50, 100, 200]);
    expect(sent).toHaveLength(4);
  });

  it('throws EventTooLargeError for an event that cannot fit in any message, and sends nothing', async () => {
    const batch = batchOf([userEvent(1), userEvent(2, MiB), userEvent(3)]);
    const failure = await new SqsEventQueue({ client, queueUrl, sleep }).enqueue([batch]).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(EventTooLargeError);
    expect(failure).toBeInstanceOf(QueueError);
    expect((failure as EventTooLargeError).eventKey).toBe('ev-2');
    expect((failure as EventTooLargeError).bytes).toBeGreaterThan(MiB);
    expect(sent).toHaveLength(0);
    expect(await drain(client, queueUrl)).toHaveLength(0);
  });

  it('refuses a batch the forwarder would dead-letter, naming the field, and sends nothing', async () => {
    const invalid = { ...batchOf([userEvent(1)]), tenant: '' };
    const failure = await new SqsEventQueue({ client, queueUrl, sleep }).enqueue([batchOf([userEvent(0)]), invalid]).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidBatchError);
    expect((failure as InvalidBatchError).batchId).toBe(invalid.batchId);
    expect((failure as InvalidBatchError).message).toContain('tenant');
    expect(sent).toHaveLength(0);
  });

  it('escapes characters SQS refuses, so an event holding one is still delivered intact', async () => {
    const odd = { ...userEvent(1), details: { username: 'bob\uFFFE\uFFFF' } };
    const batch = batchOf([odd]);
    await new SqsEventQueue({ client, queueUrl, sleep }).enqueue([batch]);
    const [message] = await drain(client, queueUrl);
    expect(bodyOf(message as Message).events).toEqual([odd]);
    expect(sleeps).toEqual([]);
  });

  it('turns an SDK error into a QueueSendError naming the queue, with the SDK error as cause', async () => {
    const missingUrl = queueUrl.replace(/[^/]+$/, 'no-such-queue');
    const failure = await new SqsEventQueue({ client, queueUrl: missingUrl, sleep }).enqueue([batchOf([userEvent(1)])]).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(QueueSendError);
    expect((failure as QueueSendError).message).toContain('no-such-queue');
    expect(((failure as QueueSendError).cause as Error).name).toMatch(/QueueDoesNotExist|NonExistentQueue/);
  });
});
