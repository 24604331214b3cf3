import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createTableInput, cursorTable, idempotencyTable } from '../../lib/stores/cursor/dynamodb-tables.js';
import { startDynamoDbLocal } from '../../test/support/dynamodb-local.js';
import { startSqsEmulator } from '../../test/support/sqs-emulator.js';

/** Credentials and region of the emulator clients: accepted by both, real AWS is never reached. */
export const EMULATOR_AWS_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } } as const;

/** DynamoDB Local and the SQS emulator, with the tables and queues of one tenant stack. */
export interface AwsWorld {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  cursorTableName: string;
  idempotencyTableName: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  dynamodb(): DynamoDBClient;
  sqs(): SQSClient;
  close(): Promise<void>;
}

/** Starts both emulators on free loopback ports and creates what the stateful stack holds. */
export async function startAwsWorld(): Promise<AwsWorld> {
  const dynamo = await startDynamoDbLocal();
  const sqsEmulator = await startSqsEmulator().catch(async (error: unknown) => {
    await dynamo.stop();
    throw error;
  });
  const clients: Array<{ destroy(): void }> = [];
  const dynamodb = (): DynamoDBClient => {
    const client = new DynamoDBClient({ ...EMULATOR_AWS_CONFIG, endpoint: dynamo.endpoint });
    clients.push(client);
    return client;
  };
  const sqs = (): SQSClient => {
    const client = new SQSClient({ ...EMULATOR_AWS_CONFIG, endpoint: sqsEmulator.endpoint });
    clients.push(client);
    return client;
  };
  const close = async (): Promise<void> => {
    for (const client of clients) client.destroy();
    await sqsEmulator.stop();
    await dynamo.stop();
  };
  try {
    const admin = dynamodb();
    await admin.send(new CreateTableCommand(createTableInput(cursorTable, 'bench-cursor')));
    await admin.send(new CreateTableCommand(createTableInput(idempotencyTable, 'bench-idempotency')));
    if (idempotencyTable.timeToLiveAttribute) {
      await admin.send(
        new UpdateTimeToLiveCommand({ TableName: 'bench-idempotency', TimeToLiveSpecification: { AttributeName: idempotencyTable.timeToLiveAttribute, Enabled: true } }),
      );
    }
    const queues = sqs();
    const dlq = await queues.send(new CreateQueueCommand({ QueueName: 'bench-events-dlq', Attributes: { MaximumMessageSize: '1048576' } }));
    const dlqArn = (await queues.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'];
    const queue = await queues.send(
      new CreateQueueCommand({
        QueueName: 'bench-events',
        Attributes: { MaximumMessageSize: '1048576', VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '5' }) },
      }),
    );
    const queueArn = (await queues.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'];
    if (!queue.QueueUrl || !queueArn || !dlq.QueueUrl) throw new Error('the SQS emulator did not return queue URLs and ARNs');
    return {
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqsEmulator.endpoint,
      cursorTableName: 'bench-cursor',
      idempotencyTableName: 'bench-idempotency',
      queueUrl: queue.QueueUrl,
      queueArn,
      deadLetterQueueUrl: dlq.QueueUrl,
      dynamodb,
      sqs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
