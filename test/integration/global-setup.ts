import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../support/dynamodb-local.js';
import { startSqsEmulator } from '../support/sqs-emulator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sqsEndpoint: string;
  }
}

/**
 * Starts the real parts every integration test talks to (DynamoDB Local, the fauxqs SQS
 * emulator) once per run, hands their endpoints to the tests through `inject`, and stops them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamodb, sqs] = await Promise.allSettled([startDynamoDbLocal(), startSqsEmulator()]);
  if (dynamodb.status === 'rejected' || sqs.status === 'rejected') {
    // Do not leave the part that did start running behind the failure.
    if (dynamodb.status === 'fulfilled') await dynamodb.value.stop();
    if (sqs.status === 'fulfilled') await sqs.value.stop();
    throw dynamodb.status === 'rejected' ? dynamodb.reason : (sqs as PromiseRejectedResult).reason;
  }
  project.provide('dynamodbEndpoint', dynamodb.value.endpoint);
  project.provide('sqsEndpoint', sqs.value.endpoint);
  return async () => {
    await Promise.all([dynamodb.value.stop(), sqs.value.stop()]);
  };
}
