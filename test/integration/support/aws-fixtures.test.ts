import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { cursorTable, idempotencyTable } from '../../../lib/stores/cursor/dynamodb-tables.js';
import { cleanupAwsFixtures, createCursorTable, createIdempotencyTable, createQueuePair, dynamoClient, sqsClient } from '../../support/aws-fixtures.js';

describe('AWS fixtures', () => {
  afterEach(cleanupAwsFixtures);

  it('creates the cursor table with the key schema the store and the stack share', async () => {
    const name = await createCursorTable();
    const { Table } = await dynamoClient().send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: cursorTable.partitionKey.name, KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
  });

  it('creates the idempotency table in the Powertools layout, TTL on expiration', async () => {
    const name = await createIdempotencyTable();
    const client = dynamoClient();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: idempotencyTable.partitionKey.name, KeyType: 'HASH' }]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiration', TimeToLiveStatus: 'ENABLED' });
  });

  it('gives every table a name of its own', async () => {
    const names = await Promise.all([createCursorTable(), createCursorTable(), createIdempotencyTable()]);
    expect(new Set(names).size).toBe(3);
  });

  it('creates a queue with 1 MiB messages that dead-letters after maxReceiveCount receives', async () => {
    const pair = await createQueuePair('fixture', { maxReceiveCount: 2, visibilityTimeoutSeconds: 45 });
    const client = sqsClient();
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: pair.queueUrl, AttributeNames: ['All'] }));
    expect(Attributes?.MaximumMessageSize).toBe('1048576');
    expect(Attributes?.VisibilityTimeout).toBe('45');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ deadLetterTargetArn: pair.dlqArn });

    await client.send(new SendMessageCommand({ QueueUrl: pair.queueUrl, MessageBody: 'poison' }));
    // Visibility 0 on each receive hands the message straight back: two receives use up maxReceiveCount.
    for (let receive = 1; receive <= 2; receive++) {
      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: pair.queueUrl, VisibilityTimeout: 0 }));
      expect(Messages?.map((message) => message.Body)).toEqual(['poison']);
    }
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: pair.queueUrl, VisibilityTimeout: 0 }));
    expect(again.Messages ?? []).toEqual([]);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: pair.dlqUrl }));
    expect(dead.Messages?.map((message) => message.Body)).toEqual(['poison']);
  });

  it('deletes what it created on cleanup', async () => {
    const table = await createCursorTable();
    const pair = await createQueuePair('cleanup');
    await cleanupAwsFixtures();
    const tables = await dynamoClient().send(new ListTablesCommand({}));
    expect(tables.TableNames).not.toContain(table);
    const queues = await sqsClient().send(new ListQueuesCommand({ QueueNamePrefix: 'cleanup' }));
    expect(queues.QueueUrls ?? []).not.toContain(pair.queueUrl);
    expect(queues.QueueUrls ?? []).not.toContain(pair.dlqUrl);
  });
});
