import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { EventBatch } from '../queue/event-batch.js';
import { messageBody } from '../queue/message-body.js';
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

/** {@link ForwarderQueuePorts} on SQS; SDK errors become {@link ForwarderQueueError}s naming the action. */
export class SqsForwarderPorts implements ForwarderQueuePorts {
  constructor(private readonly options: { client: SQSClient; queueUrl: string; deadLetterQueueUrl: string }) {}

  async deadLetter(message: DeadLetterMessage): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      reason: text(message.reason),
      detail: text(message.detail.length > MAX_DETAIL_CHARS ? `${message.detail.slice(0, MAX_DETAIL_CHARS)}...` : message.detail),
      sourceMessageId: text(message.sourceMessageId),
    };
    if (message.batchId) attributes['batchId'] = text(message.batchId);
    await this.send('SendMessage to the dead-letter queue', new SendMessageCommand({
      QueueUrl: this.options.deadLetterQueueUrl,
      MessageBody: message.body,
      MessageAttributes: attributes,
    }));
  }

  async requeue(batch: EventBatch, delaySeconds: number): Promise<void> {
    await this.send('SendMessage of the undelivered rest', new SendMessageCommand({
      QueueUrl: this.options.queueUrl,
      MessageBody: messageBody(batch),
      DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      MessageAttributes: { batchId: text(batch.batchId), realm: text(batch.realm), stream: text(batch.stream) },
    }));
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

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}
