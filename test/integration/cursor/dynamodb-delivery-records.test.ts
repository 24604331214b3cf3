import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamKey } from '../../../lib/core/cursor/cursor-store.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import type { DeliveryRecord } from '../../../lib/core/poller/delivery-records.js';
import { deliveredKeyHash } from '../../../lib/core/poller/delivery-records.js';
import { DynamoDbDeliveryRecords } from '../../../lib/stores/delivery-records/dynamodb-delivery-records.js';
import { cleanupAwsFixtures, createCursorTable, dynamoClient } from '../../support/aws-fixtures.js';

const user = streamKey('acme', 'user');
// Far ahead: DynamoDB Local's TTL sweeper deletes items whose expiration has passed.
const EXPIRES = Date.UTC(2099, 0, 1);

function record(seq: number, fence: number, keys: string[]): DeliveryRecord {
  return { stream: user, seq, from: 1_000 * seq, to: 1_000 * seq + 999, keys: keys.map(deliveredKeyHash), fence };
}

describe('DynamoDbDeliveryRecords', () => {
  let tableName: string;
  const records = (tenant = 'acme'): DynamoDbDeliveryRecords => new DynamoDbDeliveryRecords({ client: dynamoClient(), tableName, tenant });

  beforeEach(async () => {
    tableName = await createCursorTable();
  });
  afterEach(cleanupAwsFixtures);

  it('keeps records by stream and chunk number, beside the cursor item, with the TTL the table deletes them by', async () => {
    await records().put(record(1, 3, ['a', 'b']), EXPIRES);
    await records().put(record(3, 3, ['c']), EXPIRES);
    await records('globex').put(record(2, 3, ['z']), EXPIRES);
    expect(await records().get(user, 1, 5)).toEqual([record(1, 3, ['a', 'b']), record(3, 3, ['c'])]);
    expect(await records().get(user, 2, 2)).toEqual([]);
    const raw = await dynamoClient().send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `delivered#acme#${user}#1` } } }));
    expect(raw.Item?.expiration?.N).toBe(String((EXPIRES) / 1000));
  });

  it('never lets a poller whose lease was taken over replace its successor\'s record', async () => {
    await records().put(record(7, 5, ['new']), EXPIRES);
    await records().put(record(7, 4, ['stale']), EXPIRES);
    expect((await records().get(user, 7, 7))[0]!.keys).toEqual([deliveredKeyHash('new')]);
    await records().put(record(7, 6, ['newer']), EXPIRES);
    expect((await records().get(user, 7, 7))[0]!.keys).toEqual([deliveredKeyHash('newer')]);
  });

  it('reads more than one BatchGetItem holds, and a chunk of no events', async () => {
    for (let seq = 1; seq <= 230; seq += 7) await records().put(record(seq, 1, [`k${seq}`]), EXPIRES);
    await records().put(record(231, 1, []), EXPIRES);
    const found = await records().get(user, 1, 231);
    expect(found.map(({ seq }) => seq)).toEqual([...Array.from({ length: 33 }, (_, index) => 1 + 7 * index), 231]);
    expect(found.at(-1)!.keys).toEqual([]);
  });

  it('leaves the tenant cursor item alone', async () => {
    const store = new DynamoDbCursorStore({ client: dynamoClient(), tableName, tenant: 'acme' });
    const { lease } = await store.acquire({ owner: 'p', now: Date.now(), leaseMs: 60_000 });
    await records().put(record(1, lease.fence, ['a']), EXPIRES);
    expect((await store.read()).lease?.owner).toBe('p');
  });
});
