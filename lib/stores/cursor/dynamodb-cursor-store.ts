import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../../core/cursor/cursor-store.js';
import { cursorPartitionKey, cursorTable, historyPartitionKey } from './dynamodb-tables.js';
import { CursorError, CursorMissingError, LeaseHeldError, LeaseLostError } from '../../core/cursor/errors.js';

/** Options of {@link DynamoDbCursorStore}. */
export interface DynamoDbCursorStoreOptions {
  /** A low-level client; the store wraps it in a document client and never destroys it. */
  client: DynamoDBClient;
  tableName: string;
  tenant: string;
}

const positionSchema = z.object({
  time: z.number(),
  boundary: z.array(z.string()),
  mode: z.enum(['modern', 'legacy']).optional(),
  updatedAt: z.number(),
  read: z.object({ windowEnd: z.number(), pageSize: z.number().int().positive() }).optional(),
  seq: z.number().int().nonnegative().optional(),
  lookback: z.object({ time: z.number(), boundary: z.array(z.string()), seq: z.number().int().nonnegative(), mode: z.enum(['modern', 'legacy']).optional(), late: z.number().int().nonnegative().optional() }).optional(),
});

// What the item holds; anything else on it (added by a later version) is left alone.
const itemSchema = z.object({
  owner: z.string().optional(),
  leaseUntil: z.number().optional(),
  fence: z.number().optional(),
  positions: z.record(z.string(), positionSchema).optional(),
});
type CursorItem = z.infer<typeof itemSchema>;

// Attribute names go through placeholders: `owner` is not reserved today, but stream keys
// (`realm#user`) can hold any character a realm name can.
const names = { '#owner': 'owner', '#leaseUntil': 'leaseUntil', '#fence': 'fence', '#positions': 'positions' };

/**
 * The tenant's cursor in DynamoDB: one item (`pk = cursor#<tenant>`) holding the lease and every
 * stream's position, each operation a single conditional write. SDK errors never reach callers:
 * a failed condition becomes {@link LeaseHeldError} or {@link LeaseLostError}, anything else a
 * {@link CursorError} with the SDK error as `cause`.
 */
export class DynamoDbCursorStore implements CursorStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly key: Record<string, string>;
  private readonly historyKey: Record<string, string>;
  private historyRecorded = false;

  constructor(options: DynamoDbCursorStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.key = { [cursorTable.partitionKey.name]: cursorPartitionKey(options.tenant) };
    this.historyKey = { [cursorTable.partitionKey.name]: historyPartitionKey(options.tenant) };
  }

  /**
   * Takes the lease of a cursor that holds positions; a cursor without any (gone, or never
   * committed to) is taken only while the tenant has no history item.
   * @throws CursorMissingError when the history item shows earlier runs but the cursor holds no position.
   */
  async acquire(request: { owner: string; now: number; leaseMs: number }): Promise<AcquiredCursor> {
    try {
      return await this.takeLease(request, { requirePositions: true });
    } catch (error) {
      if (!(error instanceof NoPositionsError)) throw error;
    }
    await this.refuseWithHistory();
    return this.takeLease(request, { requirePositions: false });
  }

  private async takeLease(request: { owner: string; now: number; leaseMs: number }, options: { requirePositions: boolean }): Promise<AcquiredCursor> {
    const { owner, now, leaseMs } = request;
    // Two pollers racing (A, B at t0 on an expired lease): DynamoDB serialises the writes; A's
    //   wins and sets leaseUntil > t0, so B's `leaseUntil < :now` is now false: B is refused.
    // An expired poller waking up (A held until t1, B took over at t2 > t1): A's next acquire is
    //   refused while B's lease is live; A's commits are refused by the fence (see commit).
    // A restarted process with the same owner name: `owner = :me` lets it back in at once, and
    //   the fence still grows, so the dead incarnation's in-flight commit cannot land.
    const input = {
      TableName: this.tableName,
      Key: this.key,
      UpdateExpression:
        'SET #owner = :me, #leaseUntil = :until, #fence = if_not_exists(#fence, :zero) + :one, ' +
        '#positions = if_not_exists(#positions, :empty)',
      // The first try asks for positions too: one write in the usual case, and a cursor item that
      // vanished is never silently made anew (size() of a missing attribute fails the condition).
      ConditionExpression: `${options.requirePositions ? 'size(#positions) > :zero AND ' : ''}(attribute_not_exists(#owner) OR #leaseUntil < :now OR #owner = :me)`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':me': owner, ':until': now + leaseMs, ':now': now, ':zero': 0, ':one': 1, ':empty': {} },
      ReturnValues: 'ALL_NEW' as const,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    try {
      const output = await this.documents.send(new UpdateCommand(input));
      const item = this.parse(output.Attributes);
      const lease = leaseOf(item);
      if (!lease) throw new CursorError(`acquire of the cursor in table ${this.tableName} returned no lease`);
      return { lease, positions: positionsOf(item) };
    } catch (error) {
      if (isConditionFailed(error) && options.requirePositions && Object.keys(error.Item?.positions?.M ?? {}).length === 0) throw new NoPositionsError();
      if (isConditionFailed(error)) throw new LeaseHeldError(holderOf(error.Item), { cause: error });
      throw this.wrap('acquire', error);
    }
  }

  private async refuseWithHistory(): Promise<void> {
    let history: Record<string, unknown> | undefined;
    try {
      history = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.historyKey, ConsistentRead: true }))).Item;
    } catch (error) {
      throw this.wrap('read of the history item', error);
    }
    if (history === undefined) return;
    const pk = cursorTable.partitionKey.name;
    const first = typeof history['firstCommitAt'] === 'number' ? new Date(history['firstCommitAt']).toISOString() : 'an unknown time';
    throw new CursorMissingError(
      `item ${this.key[pk]} in DynamoDB table ${this.tableName}`,
      `the history item ${this.historyKey[pk]} says a position was first committed at ${first}`,
      `delete the history item (aws dynamodb delete-item --table-name ${this.tableName} --key '{"${pk}":{"S":"${this.historyKey[pk]}"}}'); ` +
        'the next poll starts each stream at mpas.startFrom and writes the history anew',
    );
  }

  /** Once per store (a Lambda container): the history item exists from the first commit on. */
  private async recordHistory(now: number): Promise<void> {
    if (this.historyRecorded) return;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.historyKey,
          UpdateExpression: 'SET #first = if_not_exists(#first, :now)',
          ExpressionAttributeNames: { '#first': 'firstCommitAt' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
    } catch (error) {
      throw this.wrap('write of the history item', error);
    }
    this.historyRecorded = true;
  }

  async commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease> {
    const { lease, key, position, now, leaseMs } = request;
    const leaseUntil = now + leaseMs;
    // An expired poller waking up (A fence 4, lease ran out, B acquired: fence 5): A's commit
    //   fails on `#fence = :fence` even if B has since released, so A's page is never recorded
    //   over B's progress. Same owner restarted (fence 4 -> 5): the old incarnation fails alike.
    // A lease that ran out with nobody taking it: owner and fence still match, nobody else can
    //   have moved the cursor, so the commit is safe and re-extends the lease.
    const input = {
      TableName: this.tableName,
      Key: this.key,
      UpdateExpression: 'SET #positions.#key = :position, #leaseUntil = :until',
      ConditionExpression: '#owner = :me AND #fence = :fence',
      ExpressionAttributeNames: { ...names, '#key': key },
      ExpressionAttributeValues: { ':position': toStored(position), ':until': leaseUntil, ':me': lease.owner, ':fence': lease.fence },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    try {
      await this.documents.send(new UpdateCommand(input));
    } catch (error) {
      if (isConditionFailed(error)) throw new LeaseLostError(lease, { cause: error, found: this.foundInstead(error.Item) });
      throw this.wrap(`commit of ${key}`, error);
    }
    // After the position, so that a history never exists for a cursor that committed nothing.
    await this.recordHistory(now);
    return { owner: lease.owner, fence: lease.fence, leaseUntil };
  }

  /** What a refused commit found in place of its lease. */
  private foundInstead(item: Record<string, AttributeValue> | undefined): string {
    const where = `the cursor item ${this.key[cursorTable.partitionKey.name]} in table ${this.tableName}`;
    if (item === undefined) return `${where} is gone (deleted while this poller held its lease)`;
    const owner = item['owner']?.S;
    return owner === undefined ? `${where} holds no lease` : `${where} names the lease of ${owner} (fence ${item['fence']?.N ?? '?'})`;
  }

  async release(lease: Lease): Promise<void> {
    // A release racing a takeover (B acquired after A's lease ran out): the fence no longer
    //   matches, so A's late release leaves B's lease alone. The fence itself stays, so the
    //   next acquisition still gets a higher one.
    const input = {
      TableName: this.tableName,
      Key: this.key,
      UpdateExpression: 'REMOVE #owner SET #leaseUntil = :zero',
      ConditionExpression: '#owner = :me AND #fence = :fence',
      ExpressionAttributeNames: { '#owner': names['#owner'], '#leaseUntil': names['#leaseUntil'], '#fence': names['#fence'] },
      ExpressionAttributeValues: { ':me': lease.owner, ':fence': lease.fence, ':zero': 0 },
    };
    try {
      await this.documents.send(new UpdateCommand(input));
    } catch (error) {
      // Already lost or released: nothing of ours is left to give up.
      if (isConditionFailed(error)) return;
      throw this.wrap('release', error);
    }
  }

  async read(): Promise<CursorSnapshot> {
    try {
      const output = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }));
      const item = this.parse(output.Item);
      const lease = leaseOf(item);
      return lease ? { lease, positions: positionsOf(item) } : { positions: positionsOf(item) };
    } catch (error) {
      throw this.wrap('read', error);
    }
  }

  private parse(raw: Record<string, unknown> | undefined): CursorItem {
    const parsed = itemSchema.safeParse(raw ?? {});
    if (parsed.success) return parsed.data;
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(item)').join(', ');
    throw new CursorError(`the cursor item in table ${this.tableName} is malformed at ${where}`, { cause: parsed.error });
  }

  private wrap(operation: string, error: unknown): CursorError {
    if (error instanceof CursorError) return error;
    const name = error instanceof Error ? error.name : typeof error;
    return new CursorError(`cursor ${operation} on DynamoDB table ${this.tableName} failed: ${name}`, { cause: error });
  }
}

function leaseOf(item: CursorItem): Lease | undefined {
  if (item.owner === undefined) return undefined;
  return { owner: item.owner, fence: item.fence ?? 0, leaseUntil: item.leaseUntil ?? 0 };
}

function positionsOf(item: CursorItem): Partial<Record<StreamKey, StreamPosition>> {
  return (item.positions ?? {}) as Partial<Record<StreamKey, StreamPosition>>;
}

function toStored(position: StreamPosition): Record<string, unknown> {
  const { time, boundary, mode, updatedAt, read, seq, lookback } = position;
  return {
    time,
    boundary: [...boundary],
    ...(mode === undefined ? {} : { mode }),
    updatedAt,
    ...(read === undefined ? {} : { read: { windowEnd: read.windowEnd, pageSize: read.pageSize } }),
    ...(seq === undefined ? {} : { seq }),
    ...(lookback === undefined ? {} : { lookback: { time: lookback.time, boundary: [...lookback.boundary], seq: lookback.seq, ...(lookback.mode === undefined ? {} : { mode: lookback.mode }), ...(lookback.late === undefined ? {} : { late: lookback.late }) } }),
  };
}

/** The first acquire attempt found no position: whether that is allowed is the history's to say. */
class NoPositionsError extends Error {}

interface ConditionFailed extends Error {
  /** The item before the write, raw (the document client does not unmarshall errors). */
  Item?: Record<string, AttributeValue>;
}

function isConditionFailed(error: unknown): error is ConditionFailed {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function holderOf(item: Record<string, AttributeValue> | undefined): { owner: string; leaseUntil?: number } {
  const owner = item?.owner?.S;
  const leaseUntil = item?.leaseUntil?.N === undefined ? undefined : Number(item.leaseUntil.N);
  return leaseUntil === undefined ? { owner: owner ?? 'another owner' } : { owner: owner ?? 'another owner', leaseUntil };
}
