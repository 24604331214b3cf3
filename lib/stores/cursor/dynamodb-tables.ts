import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The shape of a table's key, in terms both users understand: the CDK stack (whose
 * `AttributeType.STRING` is the string `'S'`) and the SDK (`ScalarAttributeType`).
 */
export interface TableKeySchema {
  partitionKey: { name: string; type: 'S' };
  /** The attribute holding an epoch-seconds expiry that DynamoDB's TTL deletes by. */
  timeToLiveAttribute?: string;
}

/**
 * The cursor table: one item per tenant (`pk = cursorPartitionKey(tenant)`), holding the lease
 * and every realm's and stream's position, its history item (`pk = historyPartitionKey(tenant)`),
 * and the look-back's delivery records
 * (`pk = delivered#...`). Only the records carry the TTL attribute: the cursor item has none,
 * so it outlives everything.
 */
export const cursorTable = {
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: 'expiration',
} as const satisfies TableKeySchema;

/**
 * The forwarder's idempotency table, in the layout Powertools' DynamoDB persistence layer
 * expects by default (key attribute `id`, expiry attribute `expiration`).
 */
export const idempotencyTable = {
  partitionKey: { name: 'id', type: 'S' },
  timeToLiveAttribute: 'expiration',
} as const satisfies TableKeySchema;

/** The partition key value of a tenant's cursor item. */
export function cursorPartitionKey(tenant: string): string {
  return `cursor#${tenant}`;
}

/**
 * The partition key value of a tenant's history item: written at the tenant's first commit and
 * never by anything else, so a cursor item that is gone while it exists was lost, not never made.
 */
export function historyPartitionKey(tenant: string): string {
  return `history#${tenant}`;
}

/**
 * A CreateTable request for `schema` (on-demand billing): for tests and local tooling; the CDK
 * stack declares the same key schema through its own constructs. TTL is a separate call
 * (UpdateTimeToLive) and is left to the caller.
 */
export function createTableInput(schema: TableKeySchema, tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: schema.partitionKey.name, AttributeType: schema.partitionKey.type }],
    KeySchema: [{ AttributeName: schema.partitionKey.name, KeyType: 'HASH' }],
  };
}
