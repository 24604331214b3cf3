import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { RetryPolicy } from '../../net/retry-policy.js';
import { realSleep } from '../../core/time/sleep.js';
import type { Sleep } from '../../core/time/sleep.js';
import { messageBytes, offloadPayload } from '../../core/queue/claim-check.js';
import type { MessageAttributes, PayloadStore } from '../../core/queue/claim-check.js';
import { batchIdFor } from '../../core/queue/event-batch.js';
import type { EventBatch } from '../../core/queue/event-batch.js';
import type { EnqueueOptions, EventQueue } from '../../core/queue/event-queue.js';
import { EnqueueFailedError, InvalidBatchError, QueueSendError } from '../../core/queue/errors.js';
import type { FailedEntry } from '../../core/queue/errors.js';
import { attributeBytes, messageBody, utf8Bytes } from '../../core/queue/message-body.js';
import { parseBatchMessage } from '../../core/queue/parse-batch-message.js';
import { splitToFit } from '../../core/queue/split-batch.js';

/** Options of {@link SqsEventQueue}. */
export interface SqsEventQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /** The queue's MaximumMessageSize, which also bounds one SendMessageBatch call. @default 1048576 */
  maxMessageBytes?: number;
  /** How backoff between attempts waits. @default realSleep */
  sleep?: Sleep;
  /** Attempts per entry, the first included, before enqueue gives up. @default 8 */
  maxAttempts?: number;
  /** Uniform in [0, 1), for the backoff's jitter. @default Math.random */
  random?: () => number;
  /**
   * Where an event too large for any message goes (claim-check.ts): its message then carries a
   * pointer to it. Without it, such an event is refused with `EventTooLargeError`.
   */
  largePayloads?: { store: PayloadStore; keyPrefix: string };
}

/** SQS's limit on entries per SendMessageBatch call. */
const MAX_ENTRIES_PER_CALL = 10;
// Entries SQS refused (throttling, a partial outage) are sent again after 100 ms, then up to 5 s.
const BACKOFF = { baseMs: 100, maxMs: 5_000 };
// The length of every id batchIdFor makes, which split parts get.
const PART_ID_LENGTH = batchIdFor('', '', 'user', []).length;

type StringAttributes = Record<string, { DataType: 'String'; StringValue: string }>;

interface Message {
  batchId: string;
  body: string;
  attributes: MessageAttributes;
  /** What SQS counts: body plus attributes. */
  bytes: number;
  /** Over the limit: its body travels through the payload store. */
  offload: boolean;
}

/**
 * The poller's queue on SQS. Each batch becomes one message, or several when its body is larger
 * than a message may be (see `splitToFit`); messages go out in SendMessageBatch calls bounded by
 * count and total bytes. Entries SQS reports failed are sent again, with backoff, and `enqueue`
 * resolves only once every message was accepted, because the cursor commit that follows
 * declares those events safe.
 */
export class SqsEventQueue implements EventQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly maxMessageBytes: number;
  private readonly sleep: Sleep;
  private readonly maxAttempts: number;
  private readonly retry: RetryPolicy;
  private readonly largePayloads: SqsEventQueueOptions['largePayloads'];

  constructor(options: SqsEventQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.maxMessageBytes = options.maxMessageBytes ?? 1_048_576;
    this.sleep = options.sleep ?? realSleep;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.largePayloads = options.largePayloads;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`SqsEventQueue maxAttempts must be a positive integer, got ${this.maxAttempts}`);
    }
    this.retry = new RetryPolicy({ attempts: this.maxAttempts, backoff: BACKOFF, random: options.random });
  }

  async enqueue(batches: readonly EventBatch[], options?: EnqueueOptions): Promise<void> {
    const prepared = batches.flatMap((batch) => this.toMessages(batch));
    if (options?.after) await options.after;
    // Stored only now: nothing of a chunk leaves the process before the chunk before is committed.
    const messages = await Promise.all(prepared.map((message) => this.offloaded(message)));
    for (const group of groupForCalls(messages, this.maxMessageBytes)) await this.sendAll(group);
  }

  private toMessages(batch: EventBatch): Message[] {
    // Room for the attributes, whichever id the message ends up with: the batch's own or a part's.
    const idBytes = Math.max(utf8Bytes(batch.batchId), PART_ID_LENGTH);
    const reserved = attributeBytes(attributesOf({ ...batch, batchId: 'x'.repeat(idBytes) }));
    return splitToFit(batch, this.maxMessageBytes - reserved, { oversizeAlone: this.largePayloads !== undefined }).map((part) => {
      const body = messageBody(part);
      // The forwarder reads the body with this parser: refuse here what it would dead-letter.
      const parsed = parseBatchMessage(body);
      if (!parsed.ok) throw new InvalidBatchError(part.batchId, parsed.reason);
      const attributes = attributesOf(part);
      const bytes = utf8Bytes(body) + attributeBytes(attributes);
      return { batchId: part.batchId, body, attributes, bytes, offload: bytes > this.maxMessageBytes };
    });
  }

  /** The message itself, or its pointer once its body is stored (only events alone over the limit are). */
  private async offloaded(message: Message): Promise<Message> {
    if (!message.offload || this.largePayloads === undefined) return message;
    const pointer = await offloadPayload(message, this.largePayloads.store, { keyPrefix: this.largePayloads.keyPrefix, name: message.batchId });
    return { ...message, body: pointer.body, attributes: pointer.attributes, bytes: messageBytes(pointer), offload: false };
  }

  /** Sends one call's messages; entry ids are their indexes, so a retry's failures map back. */
  private async sendAll(group: readonly Message[]): Promise<void> {
    let pending = group.map((message, index) => ({ id: String(index), message }));
    for (let attempt = 1; ; attempt++) {
      const command = new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: pending.map(({ id, message }) => ({ Id: id, MessageBody: message.body, MessageAttributes: message.attributes })),
      });
      const output = await this.client.send(command).catch((error: unknown) => {
        throw new QueueSendError(queueNameOf(this.queueUrl), { cause: error });
      });
      const accepted = new Set((output.Successful ?? []).map((entry) => entry.Id));
      const failures = new Map((output.Failed ?? []).map((entry) => [entry.Id, entry]));
      // An entry reported neither way was not acknowledged: it counts as failed.
      pending = pending.filter(({ id }) => failures.has(id) || !accepted.has(id));
      if (pending.length === 0) return;
      const decision = this.retry.decide({ attemptsMade: attempt });
      if (!decision.retry) {
        const failed: FailedEntry[] = pending.map(({ id, message }) => ({
          batchId: message.batchId,
          code: failures.get(id)?.Code ?? 'NotAcknowledged',
          senderFault: failures.get(id)?.SenderFault ?? false,
        }));
        throw new EnqueueFailedError(failed, attempt);
      }
      await this.sleep(decision.delayMs);
    }
  }
}

/** Attributes for inspection tools (the console, `receive-message`): never needed to process. */
function attributesOf(batch: Pick<EventBatch, 'batchId' | 'realm' | 'stream'>): StringAttributes {
  return {
    batchId: { DataType: 'String', StringValue: batch.batchId },
    realm: { DataType: 'String', StringValue: batch.realm },
    stream: { DataType: 'String', StringValue: batch.stream },
  };
}

/** Consecutive groups of at most 10 messages whose sizes sum to at most `maxBytes` (SQS counts the sum). */
function groupForCalls(messages: readonly Message[], maxBytes: number): Message[][] {
  const groups: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + message.bytes > maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The queue's name, for messages: the URL's last segment. */
function queueNameOf(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1) || queueUrl;
}
