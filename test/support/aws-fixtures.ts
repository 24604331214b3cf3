import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { createTableInput, cursorTable, idempotencyTable } from '../../lib/stores/cursor/dynamodb-tables.js';
import type { TableKeySchema } from '../../lib/stores/cursor/dynamodb-tables.js';

/** Credentials and region of every test client: the emulators accept anything, real AWS is never reached. */
export const testAwsConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;

/** A queue with its own dead-letter queue. */
export interface QueuePair {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

const cleanups: Array<() => Promise<void>> = [];

/** A DynamoDB client for the DynamoDB Local that the global setup started; destroyed by cleanup. */
export function dynamoClient(): DynamoDBClient {
  const client = new DynamoDBClient({ ...testAwsConfig, endpoint: inject('dynamodbEndpoint') });
  cleanups.push(async () => client.destroy());
  return client;
}

/** An SQS client for the fauxqs emulator that the global setup started; destroyed by cleanup. */
export function sqsClient(): SQSClient {
  const client = new SQSClient({ ...testAwsConfig, endpoint: inject('sqsEndpoint') });
  cleanups.push(async () => client.destroy());
  return client;
}

/** A name no other test (or earlier run against the same emulator) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates a cursor table (key schema of lib/stores/cursor/dynamodb-tables.ts) and returns its name. */
export function createCursorTable(name = uniqueName('cursor')): Promise<string> {
  return createTable(cursorTable, name);
}

/** Creates an idempotency table in Powertools' layout, TTL on, and returns its name. */
export function createIdempotencyTable(name = uniqueName('idempotency')): Promise<string> {
  return createTable(idempotencyTable, name);
}

async function createTable(schema: TableKeySchema, name: string): Promise<string> {
  const client = dynamoClient();
  await client.send(new CreateTableCommand(createTableInput(schema, name)));
  cleanups.push(async () => {
    await client.send(new DeleteTableCommand({ TableName: name }));
  });
  if (schema.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return name;
}

/**
 * Creates a queue whose redrive policy sends messages to its own dead-letter queue after
 * `maxReceiveCount` receives, with SQS's largest message size (1 MiB), as the stack does.
 */
export async function createQueuePair(
  prefix = 'events',
  options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<QueuePair> {
  const client = sqsClient();
  const name = uniqueName(prefix);
  const dlq = await createQueue(client, `${name}-dlq`, { MaximumMessageSize: '1048576' });
  const queue = await createQueue(client, name, {
    MaximumMessageSize: '1048576',
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(options.maxReceiveCount ?? 3) }),
  });
  return { queueUrl: queue.url, queueArn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn };
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  cleanups.push(async () => {
    await client.send(new DeleteQueueCommand({ QueueUrl: url }));
  });
  const described = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = described.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${name} returned no QueueArn`);
  return { url, arn };
}

/**
 * How many messages a queue holds, visible, in flight or delayed (SQS's approximate counts): 0 once
 * everything sent to it was deleted.
 */
export async function queueMessageCount(client: SQSClient, url: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Object.values(Attributes).reduce((sum, count) => sum + Number(count), 0);
}

/** The Secrets Manager ARNs a Lambda test's settings name; lambdaSecrets answers for them. */
export const MPAS_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:mpas';
export const SIEM_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:siem';

/**
 * Secrets Manager's values by ARN, as loadLambdaConfig reads them: the MPAS simulator's default
 * user and the SIEM receiver's bearer token. A fresh map each call, so a test may change one.
 */
export function lambdaSecrets(siemToken: string): Record<string, string> {
  return {
    [MPAS_SECRET_ARN]: JSON.stringify({ username: 'mpas-log-sync', password: 'mpas-log-sync' }),
    [SIEM_SECRET_ARN]: JSON.stringify({ token: siemToken }),
  };
}

/** What the poller and forwarder Lambdas of one tenant are pointed at. */
export interface LambdaPipelineTargets {
  tenant: string;
  realm: string;
  mpasUrl: string;
  /** MPAS_START_FROM, epoch milliseconds. */
  startFrom: number;
  /** The SIEM receiver's ingest URL, sent JSON arrays, one attempt a request (the queue retries). */
  siemUrl: string;
  queues: QueuePair;
}

/**
 * The environment of both Lambdas (credentials through lambdaSecrets), with a fresh cursor and
 * idempotency table and a backoff of seconds; `extra` adds or overrides settings.
 */
export async function lambdaPipelineEnv(targets: LambdaPipelineTargets, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    TENANT: targets.tenant,
    MPAS_BASE_URL: targets.mpasUrl,
    MPAS_REALMS: targets.realm,
    MPAS_AUTH_REALM: 'master',
    MPAS_START_FROM: String(targets.startFrom),
    MPAS_PAGE_SIZE: '500',
    MPAS_SECRET_ARN,
    SIEM_URL: targets.siemUrl,
    SIEM_SECRET_ARN,
    SIEM_BATCH: 'array',
    SIEM_ATTEMPTS: '1',
    CURSOR_TABLE_NAME: await createCursorTable(),
    IDEMPOTENCY_TABLE_NAME: await createIdempotencyTable(),
    QUEUE_URL: targets.queues.queueUrl,
    DEAD_LETTER_QUEUE_URL: targets.queues.dlqUrl,
    RETRY_BASE_SECONDS: '1',
    RETRY_MAX_SECONDS: '2',
    ...extra,
  };
}

/**
 * Deletes every table and queue the helpers created and destroys their clients, newest first
 * (so a queue goes before the DLQ it points at). Call it in afterEach or afterAll.
 */
export async function cleanupAwsFixtures(): Promise<void> {
  const failures: unknown[] = [];
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    await cleanup().catch((error: unknown) => failures.push(error));
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} AWS fixture cleanups failed`);
}
