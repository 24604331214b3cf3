import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** SQS bills each 64 KiB chunk of a request's payload as one request. */
export const SQS_BILLING_CHUNK_BYTES = 64 * 1024;

/** What one kind of AWS request added up to. */
export interface RequestTally {
  requests: number;
  /** SQS: 64 KiB billing units. DynamoDB: consumed capacity units (read or write request units). */
  billedUnits: number;
  /** SQS: payload bytes sent or received. */
  payloadBytes: number;
}

/** Every AWS request the clients made, by service and operation. */
export type RequestCounts = Record<string, RequestTally>;

type Message = { Body?: string; MessageBody?: string; MessageAttributes?: Record<string, { DataType?: string; StringValue?: string }> };

// The payload SQS bills: message bodies and message attributes (names, types and values).
function messageBytes(message: Message): number {
  let bytes = Buffer.byteLength(message.Body ?? message.MessageBody ?? '', 'utf8');
  for (const [name, attribute] of Object.entries(message.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? '') + Buffer.byteLength(attribute.StringValue ?? '');
  }
  return bytes;
}

function sqsPayloadBytes(command: string, input: { Entries?: Message[] } & Message, output: { Messages?: Message[] }): number {
  let bytes = 0;
  if (command === 'SendMessageBatchCommand') bytes = (input.Entries ?? []).reduce((sum, entry) => sum + messageBytes(entry), 0);
  else if (command === 'SendMessageCommand') bytes = messageBytes(input);
  else if (command === 'ReceiveMessageCommand') bytes = (output.Messages ?? []).reduce((sum, message) => sum + messageBytes(message), 0);
  return bytes;
}

function add(counts: RequestCounts, key: string, units: number, payloadBytes = 0): void {
  const tally = (counts[key] ??= { requests: 0, billedUnits: 0, payloadBytes: 0 });
  tally.requests += 1;
  tally.billedUnits += units;
  tally.payloadBytes += payloadBytes;
}

/**
 * Counts every request an SQS client sends, by operation, with its 64 KiB billing units
 * (sends by the bodies and attributes sent, receives by those received), through the SDK's own
 * middleware stack: the requests still go to the emulator unchanged.
 */
export function countSqsRequests(client: SQSClient, counts: RequestCounts): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = context.commandName ?? 'unknown';
      const bytes = sqsPayloadBytes(command, args.input as Message, result.output as { Messages?: Message[] });
      add(counts, `SQS ${command.replace(/Command$/, '')}`, Math.max(1, Math.ceil(bytes / SQS_BILLING_CHUNK_BYTES)), bytes);
      return result;
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
}

/**
 * Counts every request a DynamoDB client sends, by operation, with the capacity units DynamoDB
 * Local reports as consumed (asked for with ReturnConsumedCapacity, which changes no result).
 */
export function countDynamoDbRequests(client: DynamoDBClient, counts: RequestCounts): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      if (input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits;
        add(counts, `DynamoDB ${command}`, consumed ?? 1);
        return result;
      } catch (error) {
        // A failed conditional write is billed too (one write unit at least).
        add(counts, `DynamoDB ${command}`, 1);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
}
