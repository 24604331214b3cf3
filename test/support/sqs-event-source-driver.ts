import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { fakeLambdaContext } from './lambda-context.js';

/** A handler as Lambda's SQS event source mapping calls it. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Options of {@link SqsEventSourceDriver}. */
export interface SqsEventSourceDriverOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  /** Messages per invocation (the mapping's BatchSize). @default 10 */
  batchSize?: number;
  /** Long-poll wait of each ReceiveMessage. @default 1 */
  waitTimeSeconds?: number;
  /** The function's timeout, for the context's remaining time. @default 60000 */
  functionTimeoutMs?: number;
}

/** What one receive-invoke-delete round did. */
export interface DriverRound {
  received: number;
  /** Message ids the handler reported failed (left on the queue). */
  failed: string[];
  /** The handler threw: the whole batch stays on the queue, as Lambda does. */
  threw?: unknown;
}

/**
 * Plays Lambda's SQS event source mapping against a real queue (fauxqs): receive a batch (all
 * attributes), hand the handler real `SQSRecord`s and a Lambda context, then delete exactly the
 * messages not listed in `batchItemFailures` (none when the handler throws). Failed messages
 * are left alone: the queue makes them visible again after their visibility timeout and
 * redrives them to the DLQ after maxReceiveCount; the driver keeps no retry bookkeeping.
 */
export class SqsEventSourceDriver {
  private readonly options: Required<SqsEventSourceDriverOptions>;
  /** Every round so far, oldest first. */
  readonly rounds: DriverRound[] = [];

  constructor(options: SqsEventSourceDriverOptions) {
    this.options = { batchSize: 10, waitTimeSeconds: 1, functionTimeoutMs: 60_000, ...options };
  }

  /** One receive, invoke and delete. Resolves with what happened (nothing received: no invocation). */
  async pollOnce(): Promise<DriverRound> {
    const { client, queueUrl } = this.options;
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: this.options.batchSize,
        WaitTimeSeconds: this.options.waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    const round: DriverRound = { received: messages.length, failed: [] };
    if (messages.length === 0) return round;
    const event: SQSEvent = { Records: messages.map((message) => this.toRecord(message)) };
    try {
      const response = await this.options.handler(event, fakeLambdaContext({ functionName: 'forwarder', timeoutMs: this.options.functionTimeoutMs }));
      round.failed = (response?.batchItemFailures ?? []).map(({ itemIdentifier }) => itemIdentifier);
    } catch (error) {
      round.threw = error;
      round.failed = messages.map(({ MessageId }) => MessageId ?? '');
    }
    const failed = new Set(round.failed);
    const toDelete = messages.filter(({ MessageId }) => !failed.has(MessageId ?? ''));
    for (let start = 0; start < toDelete.length; start += 10) {
      const entries = toDelete.slice(start, start + 10).map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
      const output = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if ((output.Failed ?? []).length > 0) throw new Error(`DeleteMessageBatch failed for ${JSON.stringify(output.Failed)}`);
    }
    this.rounds.push(round);
    return round;
  }

  /**
   * Polls until `predicate` holds (checked after every round, and before the first), or
   * rejects after `timeoutMs` saying how many rounds ran. Empty receives long-poll, so an idle
   * queue costs no busy loop.
   */
  async runUntil(predicate: () => boolean | Promise<boolean>, options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutAt = Date.now() + (options.timeoutMs ?? 30_000);
    while (!(await predicate())) {
      if (Date.now() >= timeoutAt) {
        const received = this.rounds.reduce((sum, round) => sum + round.received, 0);
        throw new Error(`runUntil: condition not met within ${options.timeoutMs ?? 30_000} ms (${this.rounds.length} rounds, ${received} messages received)`);
      }
      await this.pollOnce();
    }
  }

  private toRecord(message: Message): SQSRecord {
    const system = message.Attributes ?? {};
    const attributes: SQSRecordAttributes = {
      ApproximateReceiveCount: system['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: system['SentTimestamp'] ?? String(Date.now()),
      SenderId: system['SenderId'] ?? 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: system['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
    };
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        dataType: (value.DataType ?? 'String') as SQSMessageAttributes[string]['dataType'],
        stringValue: value.StringValue,
        stringListValues: [],
        binaryListValues: [],
      };
    }
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes,
      messageAttributes,
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.queueArn.split(':')[3] ?? 'us-east-1',
    };
  }
}
