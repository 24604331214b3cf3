import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { messageBytes, offloadPayload } from '../core/queue/claim-check.js';
import type { MessageAttribute, MessageAttributes, OutgoingMessage, PayloadStore } from '../core/queue/claim-check.js';
import type { EventBatch } from '../core/queue/event-batch.js';
import { messageBody } from '../core/queue/message-body.js';
import { ForwarderQueueError } from './forwarder-errors.js';

/** A message for the dead-letter queue: its body, and why it is there. */
export interface DeadLetterMessage {
  body: string;
  /** A short label (`invalid-message`, `rejected-by-siem`, ...), fit for a metric dimension. */
  reason: string;
  /** What was wrong, for a human; never a secret. */
  detail: string;
  /** The id of the queue message it came from. */
  sourceMessageId: string;
  batchId?: string;
  /** Attributes the dead letter keeps from its message: a pointer's, so the DLQ holds a pointer that still reads. */
  attributes?: MessageAttributes;
}

/** A received message to put back as it came: its body and attributes. */
export interface UnprocessedMessage {
  body: string;
  attributes: MessageAttributes;
}

/** What the forwarder does to queues besides receiving: the three writes of its outcomes. */
export interface ForwarderQueuePorts {
  deadLetter(message: DeadLetterMessage): Promise<void>;
  /** Sends `batch` as a new message on the event queue, visible after `delaySeconds` (<= 900). */
  requeue(batch: EventBatch, delaySeconds: number): Promise<void>;
  /** Makes the received message visible again only after `seconds` (<= 43200). */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

// SQS's limit on one string attribute is the message's, but a detail is for a human to read.
const MAX_DETAIL_CHARS = 1_000;

/** Options of {@link SqsForwarderPorts}. */
export interface SqsForwarderPortsOptions {
  client: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /**
   * Where a body too large for a message goes (a large event requeued or dead-lettered): the
   * message then carries a pointer (lib/core/queue/claim-check.ts). Without it such a send fails.
   */
  largePayloads?: { store: PayloadStore; keyPrefix: string };
  /** Both queues' MaximumMessageSize. @default 1048576 */
  maxMessageBytes?: number;
}

/** {@link ForwarderQueuePorts} on SQS; SDK errors become {@link ForwarderQueueError}s naming the action. */
export class SqsForwarderPorts implements ForwarderQueuePorts {
  constructor(private readonly options: SqsForwarderPortsOptions) {}

  async deadLetter(message: DeadLetterMessage): Promise<void> {
    const attributes: MessageAttributes = {
      ...message.attributes,
      reason: text(message.reason),
      detail: text(message.detail.length > MAX_DETAIL_CHARS ? `${message.detail.slice(0, MAX_DETAIL_CHARS)}...` : message.detail),
      sourceMessageId: text(message.sourceMessageId),
    };
    if (message.batchId) attributes['batchId'] = text(message.batchId);
    const sent = await this.fitted({ body: message.body, attributes }, message.batchId);
    await this.send('SendMessage to the dead-letter queue', new SendMessageCommand({
      QueueUrl: this.options.deadLetterQueueUrl,
      MessageBody: sent.body,
      MessageAttributes: sent.attributes,
    }));
  }

  async requeue(batch: EventBatch, delaySeconds: number): Promise<void> {
    const attributes: MessageAttributes = { batchId: text(batch.batchId), realm: text(batch.realm), stream: text(batch.stream) };
    // A pointer whose payload is gone is settled by the idempotency record of each route it names.
    if (batch.route !== undefined) attributes['route'] = text(batch.route);
    const sent = await this.fitted({ body: messageBody(batch), attributes }, batch.batchId);
    await this.send('SendMessage of the undelivered rest', new SendMessageCommand({
      QueueUrl: this.options.queueUrl,
      MessageBody: sent.body,
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      MessageAttributes: sent.attributes,
    }));
  }

  /** Sends a received message, not processed, back to the event queue as a new message. */
  async sendBack(message: UnprocessedMessage): Promise<void> {
    // A standard queue: no message group or deduplication id to carry over. A pointer goes back
    // as the pointer, its object untouched.
    await this.send('SendMessage of a record left unprocessed', new SendMessageCommand({
      QueueUrl: this.options.queueUrl,
      MessageBody: message.body,
      MessageAttributes: message.attributes,
    }));
  }

  /** The message, or its pointer when it is too large to send (and a payload store is configured). */
  private async fitted(message: OutgoingMessage, name: string | undefined): Promise<OutgoingMessage> {
    const { largePayloads, maxMessageBytes = 1_048_576 } = this.options;
    if (largePayloads === undefined || messageBytes(message) <= maxMessageBytes) return message;
    return offloadPayload(message, largePayloads.store, { keyPrefix: largePayloads.keyPrefix, name: name ?? 'message' });
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    await this.send('ChangeMessageVisibility', new ChangeMessageVisibilityCommand({
      QueueUrl: this.options.queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
    }));
  }

  private async send(action: string, command: SendMessageCommand | ChangeMessageVisibilityCommand): Promise<void> {
    try {
      await this.options.client.send(command as SendMessageCommand);
    } catch (error) {
      throw new ForwarderQueueError(action, { cause: error });
    }
  }
}

function text(value: string): MessageAttribute {
  return { DataType: 'String', StringValue: value };
}
