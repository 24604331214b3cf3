import { Aws } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * The DynamoDB actions each function calls, read from the code: CDK's grantReadWriteData would
 * add Scan, Query, DeleteItem, BatchWriteItem, the streams and more, which none of them use.
 */
export const TABLE_ACTIONS = {
  /** lib/stores/cursor/dynamodb-cursor-store.ts (Get, Update) and lib/stores/delivery-records/dynamodb-delivery-records.ts (Put, BatchGet). */
  pollerCursor: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** Powertools Idempotency's DynamoDBPersistenceLayer: a failed batch's record is deleted, so its next delivery runs it again. */
  forwarderIdempotency: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** The verifier reads the cursor (DynamoDbCursorStore.read) to know whether the day was read to its end. */
  verifierCursor: ['dynamodb:GetItem'],
} as const;

// What CDK's own table grants give on the table's key, known to be what DynamoDB needs of the
// caller with a customer-managed key: DescribeKey and Decrypt to read; to write, also a data key.
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = [...KEY_READ_ACTIONS, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
const READ_ACTIONS = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem']);

/** Lets `grantee` call exactly `actions` on the table, and use its key as DynamoDB needs for them. */
export function grantTable(table: ITable, grantee: IGrantable, actions: readonly string[]): void {
  table.grant(grantee, ...actions);
  const writes = actions.some((action) => !READ_ACTIONS.has(action));
  table.encryptionKey?.grant(grantee, ...(writes ? KEY_WRITE_ACTIONS : KEY_READ_ACTIONS));
}

/**
 * Lets `grantee` send to the queue (SendMessage, which also covers SendMessageBatch), and nothing
 * else: no GetQueueAttributes or GetQueueUrl, which CDK's grantSendMessages adds and the code
 * never calls (it is given the queue's URL). SSE-KMS: a producer needs a data key and to decrypt it.
 */
export function grantSend(queue: IQueue, grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  queue.encryptionMasterKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
}

/**
 * Lets `grantee` decrypt with the tenant's retired key (`deployment.retiredKeyArn`): what it encrypted before
 * the tenant switched to the shared key (queued messages, large payloads, archived records) stays readable.
 * Nothing new is encrypted with it, so Decrypt alone.
 */
export function grantRetiredKeyDecrypt(retiredKeyArn: string, grantee: IGrantable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [retiredKeyArn] }));
}

/** A Security Lake bucket whose custom sources' files the compactor writes (lib/sinks/security-lake). */
export interface SecurityLakeWrite {
  readonly bucket: string;
  /** The custom sources' names: the compactor writes under `ext/<source>/` only. */
  readonly sources: readonly string[];
  /** The bucket's customer-managed key, when it has one. */
  readonly kmsKeyArn?: string | undefined;
}

/**
 * Lets `grantee` (the lake compactor) put objects in the custom sources' prefixes of a Security
 * Lake bucket, and nothing else: no read, list or delete (a compaction that runs again writes
 * the same object again). With the bucket's key, a data key to encrypt each object (a
 * single-part PUT needs no kms:Decrypt).
 */
export function grantSecurityLakeWrite(grantee: IGrantable, lake: SecurityLakeWrite): void {
  const resources = lake.sources.map((source) => `arn:${Aws.PARTITION}:s3:::${lake.bucket}/ext/${source}/*`);
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources }));
  if (lake.kmsKeyArn !== undefined) grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [lake.kmsKeyArn] }));
}
