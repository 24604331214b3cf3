import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { InvalidPointerError, payloadPointerOf } from '../core/queue/claim-check.js';
import type { MessageAttributes } from '../core/queue/claim-check.js';

/** Base error of the DLQ tools; `cause` holds the SDK error. */
export class DlqToolError extends Error {
  constructor(
    message: string,
    readonly action: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One dead-lettered message, as `dlq inspect` lists it. */
export interface DeadLetteredMessage {
  messageId: string;
  /** Why the forwarder dead-lettered it (`invalid-message`, `rejected-by-siem`, ...); null when SQS moved it (maxReceiveCount). */
  reason: string | null;
  detail: string | null;
  batchId: string | null;
  sourceMessageId: string | null;
  realm: string | null;
  stream: string | null;
  /** Events in the batch; null when the body is not a batch (or is a pointer: its events are in S3). */
  events: number | null;
  /**
   * The fingerprint of the redaction the events rest under (a dead letter the forwarder wrote);
   * null when they are as queued: credentials scrubbed, not redacted (SQS moved the message, or
   * an older version wrote it), or the body is no batch.
   */
  redaction: string | null;
  /**
   * Where the batch rests when the message is a pointer (an event over SQS's size limit,
   * lib/core/queue/claim-check.ts): the object stays until the message is done or the bucket's
   * lifecycle rule expires it, so a redrive within that time delivers it. Null for an ordinary message.
   */
  payload: { bucket: string; key: string; bytes: number } | { invalid: string } | null;
  sentAt: string | null;
  bodyBytes: number;
}

// The attributes the forwarder adds when it dead-letters: they describe that hop, not the batch.
const DEAD_LETTER_ATTRIBUTES = new Set(['reason', 'detail', 'sourceMessageId']);

function attribute(message: Message, name: string): string | null {
  return message.MessageAttributes?.[name]?.StringValue ?? null;
}

function describeMessage(message: Message): DeadLetteredMessage {
  const body = message.Body ?? '';
  let batch: { realm?: unknown; stream?: unknown; batchId?: unknown; redaction?: unknown; events?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object') batch = parsed as typeof batch;
  } catch {
    // An invalid message is dead-lettered as it came: show its size and reason only.
  }
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId: message.MessageId ?? '',
    reason: attribute(message, 'reason'),
    detail: attribute(message, 'detail'),
    batchId: attribute(message, 'batchId') ?? text(batch.batchId),
    sourceMessageId: attribute(message, 'sourceMessageId'),
    // A pointer's body names no batch: the producer copied these into its attributes.
    realm: text(batch.realm) ?? attribute(message, 'realm'),
    stream: text(batch.stream) ?? attribute(message, 'stream'),
    events: Array.isArray(batch.events) ? batch.events.length : null,
    redaction: text(batch.redaction),
    payload: payloadOf(message),
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : null,
    bodyBytes: Buffer.byteLength(body),
  };
}

function payloadOf(message: Message): DeadLetteredMessage['payload'] {
  const attributes: MessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.DataType !== undefined) attributes[name] = { DataType: value.DataType, StringValue: value.StringValue };
  }
  try {
    const pointer = payloadPointerOf(message.Body ?? '', attributes);
    return pointer === undefined ? null : { bucket: pointer.bucket, key: pointer.key, bytes: pointer.bytes };
  } catch (error) {
    if (error instanceof InvalidPointerError) return { invalid: error.message };
    throw error;
  }
}

async function send<T>(action: string, queueUrl: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new DlqToolError(`${action} on ${queueUrl} failed: ${reason}`, action, { cause: error });
  }
}

async function receive(client: SQSClient, queueUrl: string, count: number, visibilitySeconds: number): Promise<Message[]> {
  const output = await send('ReceiveMessage', queueUrl, () =>
    client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count),
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    ),
  );
  return output.Messages ?? [];
}

/**
 * Lists up to `max` dead-lettered messages without removing them: each is received with a short
 * visibility timeout, so the listing does not see one twice, and never deleted; once listed,
 * they are made visible again at once, so a redrive right after finds them all. Stops at an
 * empty receive or when a receive brings nothing new.
 */
export async function inspectDeadLetters(client: SQSClient, options: { queueUrl: string; max: number; visibilitySeconds?: number }): Promise<DeadLetteredMessage[]> {
  const seen = new Map<string, DeadLetteredMessage>();
  const receipts: string[] = [];
  try {
    while (seen.size < options.max) {
      const messages = await receive(client, options.queueUrl, options.max - seen.size, options.visibilitySeconds ?? 30);
      const fresh = messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
      for (const message of messages) if (message.ReceiptHandle) receipts.push(message.ReceiptHandle);
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.MessageId!, describeMessage(message));
    }
  } finally {
    // Best effort: a message not made visible here returns by itself when its timeout ends.
    await Promise.all(
      receipts.map((handle) =>
        client.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 })).catch(() => undefined),
      ),
    );
  }
  return [...seen.values()];
}

/**
 * How many messages the queue holds, in flight included, as SQS counts them: approximately (its
 * figures lag by up to a minute), so that a listing of the first `max` can say of how many.
 */
export async function countDeadLetters(client: SQSClient, queueUrl: string): Promise<number> {
  const output = await send('GetQueueAttributes', queueUrl, () =>
    client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
  );
  return Number(output.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** How a redrive went. */
export type RedriveResult =
  | { method: 'move-task'; taskHandle: string }
  | { method: 'resend'; moved: number; batchIds: string[]; fallbackReason?: string };

/** True for the ARN of a queue in a real AWS account (emulators use the all-zero account). */
export function isRealAwsQueueArn(arn: string): boolean {
  const match = /^arn:aws(?:-[a-z]+)*:sqs:[a-z]{2}(?:-[a-z]+)+-\d:(\d{12}):[\w-]+(?:\.fifo)?$/.exec(arn);
  return match !== null && match[1] !== '000000000000';
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const output = await send('GetQueueAttributes', queueUrl, () => client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })));
  const arn = output.Attributes?.QueueArn;
  if (!arn) throw new DlqToolError(`GetQueueAttributes on ${queueUrl} returned no QueueArn`, 'GetQueueAttributes');
  return arn;
}

function isUnsupported(error: unknown): boolean {
  const cause = error instanceof DlqToolError ? error.cause : error;
  const text = cause instanceof Error ? `${cause.name} ${cause.message}` : String(cause);
  return /unsupported|not supported|not implemented|unknown operation|invalidaction|unknownoperation/i.test(text);
}

/**
 * Moves dead-lettered messages back to the event queue. On real AWS, without `max`, SQS's own
 * `StartMessageMoveTask` does it (all messages, server-side). Otherwise, and when the endpoint
 * answers that it does not support move tasks (emulators), each message is re-sent to the queue
 * with its body and batch attributes and deleted from the DLQ only after the send succeeded, so
 * a failure midway can duplicate a message (the forwarder's idempotency drops it) but never lose one.
 */
export async function redriveDeadLetters(
  client: SQSClient,
  options: { deadLetterQueueUrl: string; queueUrl: string; max?: number; visibilitySeconds?: number },
): Promise<RedriveResult> {
  let fallbackReason: string | undefined;
  if (options.max === undefined) {
    const sourceArn = await queueArn(client, options.deadLetterQueueUrl);
    if (isRealAwsQueueArn(sourceArn)) {
      const destinationArn = await queueArn(client, options.queueUrl);
      try {
        const output = await send('StartMessageMoveTask', options.deadLetterQueueUrl, () =>
          client.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn })),
        );
        return { method: 'move-task', taskHandle: output.TaskHandle ?? '' };
      } catch (error) {
        if (!isUnsupported(error)) throw error;
        fallbackReason = 'the endpoint does not support StartMessageMoveTask';
      }
    } else {
      fallbackReason = `${sourceArn} is not a queue of a real AWS account`;
    }
  }
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const batchIds: string[] = [];
  let moved = 0;
  while (moved < max) {
    const messages = await receive(client, options.deadLetterQueueUrl, Math.min(10, max - moved), options.visibilitySeconds ?? 60);
    if (messages.length === 0) break;
    for (const message of messages) {
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        if (!DEAD_LETTER_ATTRIBUTES.has(name)) attributes[name] = value;
      }
      await send('SendMessage', options.queueUrl, () =>
        client.send(new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: message.Body ?? '', MessageAttributes: attributes })),
      );
      await send('DeleteMessage', options.deadLetterQueueUrl, () =>
        client.send(new DeleteMessageCommand({ QueueUrl: options.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle })),
      );
      moved += 1;
      const batchId = describeMessage(message).batchId;
      if (batchId) batchIds.push(batchId);
    }
  }
  return { method: 'resend', moved, batchIds, ...(fallbackReason ? { fallbackReason } : {}) };
}
