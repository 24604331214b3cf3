import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { StreamKey } from '../../core/cursor/cursor-store.js';
import { cursorTable } from '../cursor/dynamodb-tables.js';
import { CursorError } from '../../core/cursor/errors.js';
import type { DeliveryRecord, DeliveryRecordStore } from '../../core/poller/delivery-records.js';

const itemSchema = z.object({
  stream: z.string().min(1),
  seq: z.number().int().nonnegative(),
  from: z.number(),
  to: z.number(),
  keys: z.string(),
  fence: z.number().int().nonnegative(),
});

// BatchGetItem's limit of keys per call.
const BATCH_GET_KEYS = 100;

/**
 * Delivery records on AWS: items of the cursor table (`pk = delivered#<tenant>#<stream>#<seq>`),
 * beside the tenant's cursor item so the table's retention and backups cover them, deleted by
 * the table's TTL (`expiration`, epoch seconds) once the look-back cannot need them any more.
 * The keys are one string (hashes joined with spaces): a record costs its size once, at its put.
 */
export class DynamoDbDeliveryRecords implements DeliveryRecordStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly options: { client: DynamoDBClient; tableName: string; tenant: string }) {
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async put(record: DeliveryRecord, expiresAt: number): Promise<void> {
    const { tableName } = this.options;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            [cursorTable.partitionKey.name]: this.pk(record.stream, record.seq),
            stream: record.stream,
            seq: record.seq,
            from: record.from,
            to: record.to,
            keys: record.keys.join(' '),
            fence: record.fence,
            [cursorTable.timeToLiveAttribute]: Math.ceil(expiresAt / 1000),
          },
          // A poller whose lease was taken over must not replace the successor's record.
          ConditionExpression: 'attribute_not_exists(#fence) OR #fence <= :fence',
          ExpressionAttributeNames: { '#fence': 'fence' },
          ExpressionAttributeValues: { ':fence': record.fence },
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
      throw new CursorError(`delivery record put on DynamoDB table ${tableName} failed: ${error instanceof Error ? error.name : typeof error}`, { cause: error });
    }
  }

  async get(stream: StreamKey, fromSeq: number, toSeq: number): Promise<DeliveryRecord[]> {
    const { tableName } = this.options;
    const records: DeliveryRecord[] = [];
    for (let start = fromSeq; start <= toSeq; start += BATCH_GET_KEYS) {
      let keys: Array<Record<string, string>> = [];
      for (let seq = start; seq <= Math.min(toSeq, start + BATCH_GET_KEYS - 1); seq += 1) keys.push({ [cursorTable.partitionKey.name]: this.pk(stream, seq) });
      // BatchGetItem may hand back some keys unprocessed under load: ask again for those.
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt >= 8) throw new CursorError(`delivery record read on DynamoDB table ${tableName} left keys unprocessed after ${attempt} attempts`);
        let output;
        try {
          output = await this.documents.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
        } catch (error) {
          throw new CursorError(`delivery record read on DynamoDB table ${tableName} failed: ${error instanceof Error ? error.name : typeof error}`, { cause: error });
        }
        for (const item of output.Responses?.[tableName] ?? []) {
          const parsed = itemSchema.safeParse(item);
          if (!parsed.success) throw new CursorError(`a delivery record in table ${tableName} is malformed at ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
          const { keys: joined, ...rest } = parsed.data;
          records.push({ ...rest, stream: rest.stream as StreamKey, keys: joined.length === 0 ? [] : joined.split(' ') });
        }
        keys = (output.UnprocessedKeys?.[tableName]?.Keys as Array<Record<string, string>> | undefined) ?? [];
      }
    }
    return records.sort((a, b) => a.seq - b.seq);
  }

  async prune(): Promise<void> {
    // The table's TTL deletes them: a delete per record would cost as much as its put.
  }

  private pk(stream: StreamKey, seq: number): string {
    return `delivered#${this.options.tenant}#${stream}#${seq}`;
  }
}
