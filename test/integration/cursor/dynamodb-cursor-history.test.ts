import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPollerHandler } from '../../../functions/poller.js';
import { loadLambdaConfig } from '../../../lib/config/lambda-config.js';
import { streamKey } from '../../../lib/core/cursor/cursor-store.js';
import type { StreamPosition } from '../../../lib/core/cursor/cursor-store.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { cursorPartitionKey, historyPartitionKey } from '../../../lib/stores/cursor/dynamodb-tables.js';
import { CursorMissingError, LeaseLostError } from '../../../lib/core/cursor/errors.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createCursorTable, createQueuePair, dynamoClient, sqsClient } from '../../support/aws-fixtures.js';
import { fakeLambdaContext } from '../../support/lambda-context.js';

const LEASE_MS = 60_000;
const NOW = Date.parse('2026-03-04T10:00:00.000Z');
const key = streamKey('acme', 'user');
const position = (time: number): StreamPosition => ({ time, boundary: [], mode: 'modern', updatedAt: time });

describe('DynamoDbCursorStore: a cursor item that vanishes or changes is never a silent restart (DynamoDB Local)', () => {
  let tableName: string;
  let clock: ManualClock;
  const store = (): DynamoDbCursorStore => new DynamoDbCursorStore({ client: dynamoClient(), tableName, tenant: 'acme' });
  const item = async (pk: string) => (await dynamoClient().send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
  const remove = (pk: string) => dynamoClient().send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: pk } } }));

  beforeEach(async () => {
    tableName = await createCursorTable();
    clock = new ManualClock(NOW);
  });
  afterEach(cleanupAwsFixtures);

  it('writes the history at the first commit; an item deleted under its holder is a lost lease saying so; the next start refuses until the history is deleted', async () => {
    const held = await store().acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS });
    expect(await item(historyPartitionKey('acme'))).toBeUndefined();
    const committer = store();
    const lease = await committer.commit({ lease: held.lease, key, position: position(NOW - 1_000), now: clock.now(), leaseMs: LEASE_MS });
    expect(await item(historyPartitionKey('acme'))).toEqual({ pk: { S: 'history#acme' }, firstCommitAt: { N: String(NOW) } });

    await remove(cursorPartitionKey('acme'));
    const lost = await committer.commit({ lease, key, position: position(NOW), now: clock.now(), leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect((lost as LeaseLostError).message).toBe(
      `the cursor lease of poller-a (fence 1) was lost: the cursor item cursor#acme in table ${tableName} is gone (deleted while this poller held its lease)`,
    );
    expect(await item(cursorPartitionKey('acme'))).toBeUndefined();

    const refused = await store().acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CursorMissingError);
    expect((refused as Error).message).toContain(`the cursor item cursor#acme in DynamoDB table ${tableName} is missing or holds no position, but the history item history#acme says a position was first committed at 2026-03-04T10:00:00.000Z`);
    expect((refused as Error).message).toContain(`aws dynamodb delete-item --table-name ${tableName} --key '{"pk":{"S":"history#acme"}}'`);
    expect(await item(cursorPartitionKey('acme'))).toBeUndefined();

    // Starting over on purpose: the operator deletes the history item.
    await remove(historyPartitionKey('acme'));
    expect(await store().acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS })).toEqual({ lease: { owner: 'poller-b', fence: 1, leaseUntil: NOW + LEASE_MS }, positions: {} });
  });

  it('an item rewritten under its holder (restored from a backup, another lease) is a lost lease naming what it holds', async () => {
    const writer = store();
    const held = await writer.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS });
    await writer.commit({ lease: held.lease, key, position: position(NOW - 1_000), now: clock.now(), leaseMs: LEASE_MS });
    await dynamoClient().send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: cursorPartitionKey('acme') }, owner: { S: 'restored-owner' }, fence: { N: '7' }, leaseUntil: { N: String(NOW + LEASE_MS) }, positions: { M: {} } } }),
    );
    const lost = await writer.commit({ lease: held.lease, key, position: position(NOW), now: clock.now(), leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect((lost as LeaseLostError).found).toBe(`the cursor item cursor#acme in table ${tableName} names the lease of restored-owner (fence 7)`);
  });
});

describe('the poller Lambda with its cursor item gone (DynamoDB Local, fauxqs, the MPAS simulator)', () => {
  let simulator: MpasSimulator;
  afterEach(async () => {
    await simulator?.close();
    await cleanupAwsFixtures();
  });

  it('fails the invocation with the refusal and logs it at error; a first start of a new tenant just works', async () => {
    const clock = new ManualClock(NOW);
    simulator = await startMpasSimulator({ clock, realms: ['acme'], seed: 4 });
    simulator.add('acme', 'user', generateEvents({ seed: 6, realm: 'acme', count: 20, startTime: NOW - 600_000, spacingMs: 1_000, adminShare: 0 }).user);
    const table = await createCursorTable();
    const queues = await createQueuePair('history');
    const env = {
      TENANT: 'acme',
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: 'acme',
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'mpas-log-sync',
      MPAS_PASSWORD: 'mpas-log-sync',
      MPAS_STREAMS: 'user',
      MPAS_START_FROM: String(NOW - 3_600_000),
      CURSOR_TABLE_NAME: table,
      QUEUE_URL: queues.queueUrl,
    };
    const errors: string[] = [];
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    logger.error = (...[input]: Parameters<Logger['error']>) => void errors.push(typeof input === 'string' ? input : input.message);
    const poller = createPollerHandler({ load: () => loadLambdaConfig({ env, secrets: async () => undefined, role: 'poller' }), dynamodb: dynamoClient(), sqs: sqsClient(), clock, logger });

    expect(await poller(undefined, fakeLambdaContext({ functionName: 'poller' }))).toMatchObject({ status: 'complete', events: 20 });
    await dynamoClient().send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: cursorPartitionKey('acme') } } }));
    const failed = await poller(undefined, fakeLambdaContext({ functionName: 'poller' })).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(CursorMissingError);
    expect(errors).toEqual(['the cursor is missing but the tenant ran before: not starting again from mpas.startFrom']);
  });
});
