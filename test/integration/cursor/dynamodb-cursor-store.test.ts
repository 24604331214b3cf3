import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamPosition } from '../../../lib/core/cursor/cursor-store.js';
import { streamKey } from '../../../lib/core/cursor/cursor-store.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { cursorPartitionKey } from '../../../lib/stores/cursor/dynamodb-tables.js';
import { CursorError, LeaseHeldError, LeaseLostError } from '../../../lib/core/cursor/errors.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createCursorTable, dynamoClient } from '../../support/aws-fixtures.js';

const LEASE_MS = 60_000;
const userKey = streamKey('master', 'user');
const adminKey = streamKey('master', 'admin');

function position(time: number, boundary: string[] = [], updatedAt = time): StreamPosition {
  return { time, boundary, mode: 'modern', updatedAt };
}

describe('DynamoDbCursorStore', () => {
  let tableName: string;
  let clock: ManualClock;
  const storeFor = (tenant = 'acme'): DynamoDbCursorStore => new DynamoDbCursorStore({ client: dynamoClient(), tableName, tenant });

  beforeEach(async () => {
    tableName = await createCursorTable();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
  });
  afterEach(cleanupAwsFixtures);

  it('acquires the lease on an empty table with fence 1 and no positions', async () => {
    const cursor = await storeFor().acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS });
    expect(cursor).toEqual({ lease: { owner: 'poller-a', fence: 1, leaseUntil: clock.now() + LEASE_MS }, positions: {} });
  });

  it('keeps the item under pk = cursor#<tenant>, one per tenant', async () => {
    await storeFor('acme').acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS });
    await storeFor('globex').acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS });
    const raw = await dynamoClient().send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: cursorPartitionKey('acme') } }, ConsistentRead: true }),
    );
    expect(raw.Item?.owner).toEqual({ S: 'poller-a' });
    expect(raw.Item?.fence).toEqual({ N: '1' });
  });

  it('refuses a second owner while the lease is live, naming the holder and its expiry', async () => {
    const store = storeFor();
    await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS });
    clock.advance(LEASE_MS - 1);
    const refused = await store.acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect((refused as LeaseHeldError).holder).toEqual({ owner: 'poller-a', leaseUntil: clock.now() + 1 });
    expect((refused as LeaseHeldError).message).toContain('poller-a');
    expect((await store.read()).lease).toEqual({ owner: 'poller-a', fence: 1, leaseUntil: clock.now() + 1 });
  });

  it('lets another owner take over after expiry, with a higher fence and the positions kept', async () => {
    const store = storeFor();
    const first = await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS });
    await store.commit({ lease: first.lease, key: userKey, position: position(100, ['e1']), now: clock.now(), leaseMs: LEASE_MS });
    clock.advance(LEASE_MS + 1);
    const second = await store.acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS });
    expect(second.lease).toEqual({ owner: 'poller-b', fence: 2, leaseUntil: clock.now() + LEASE_MS });
    expect(second.positions).toEqual({ [userKey]: position(100, ['e1']) });
  });

  it('refuses a commit after the lease was taken over, and changes nothing', async () => {
    const store = storeFor();
    const stale = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    clock.advance(LEASE_MS + 1);
    const current = (await store.acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS })).lease;
    const before = await store.read();

    const lost = await store
      .commit({ lease: stale, key: userKey, position: position(500), now: clock.now(), leaseMs: LEASE_MS })
      .catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect((lost as LeaseLostError).lease).toEqual(stale);
    expect(await store.read()).toEqual(before);
    expect(before.lease).toEqual(current);
  });

  it('gives the same owner a new fence on re-acquiring, so its old fence can no longer commit', async () => {
    const store = storeFor();
    const old = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    clock.advance(1_000);
    const restarted = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    expect(restarted.fence).toBe(old.fence + 1);

    await expect(
      store.commit({ lease: old, key: userKey, position: position(10), now: clock.now(), leaseMs: LEASE_MS }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await store.commit({ lease: restarted, key: userKey, position: position(20), now: clock.now(), leaseMs: LEASE_MS });
    expect((await store.read()).positions).toEqual({ [userKey]: position(20) });
  });

  it('lets exactly one of two racing acquires win', async () => {
    // Separate stores and clients: two pollers, not two calls on one connection.
    const [a, b] = await Promise.allSettled([
      storeFor().acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS }),
      storeFor().acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS }),
    ]);
    const outcomes = [a, b];
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(LeaseHeldError);
    const winner = (won[0] as PromiseFulfilledResult<{ lease: { owner: string } }>).value.lease.owner;
    expect((lost[0]?.reason as LeaseHeldError).holder.owner).toBe(winner);
    expect((await storeFor().read()).lease).toMatchObject({ owner: winner, fence: 1 });
  });

  it('moves only its own stream position on commit and extends the lease', async () => {
    const store = storeFor();
    const lease = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    const admin: StreamPosition = { ...position(7, ['a1']), read: { windowEnd: 1_739_388_463_633, pageSize: 250 } };
    await store.commit({ lease, key: adminKey, position: admin, now: clock.now(), leaseMs: LEASE_MS });
    clock.advance(5_000);
    const extended = await store.commit({
      lease,
      key: userKey,
      position: { time: 42, boundary: ['u1', 'u2'], updatedAt: clock.now() },
      now: clock.now(),
      leaseMs: LEASE_MS,
    });
    expect(extended).toEqual({ owner: 'poller-a', fence: 1, leaseUntil: clock.now() + LEASE_MS });
    expect(await store.read()).toEqual({
      lease: extended,
      positions: { [adminKey]: admin, [userKey]: { time: 42, boundary: ['u1', 'u2'], updatedAt: clock.now() } },
    });
  });

  it('commits while the lease has run out but nobody took it over', async () => {
    const store = storeFor();
    const lease = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    clock.advance(LEASE_MS * 3);
    const extended = await store.commit({ lease, key: userKey, position: position(9), now: clock.now(), leaseMs: LEASE_MS });
    expect(extended.leaseUntil).toBe(clock.now() + LEASE_MS);
  });

  it('lets another owner acquire at once after a release, with a higher fence', async () => {
    const store = storeFor();
    const lease = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    await store.release(lease);
    expect((await store.read()).lease).toBeUndefined();
    const next = await store.acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS });
    expect(next.lease).toEqual({ owner: 'poller-b', fence: 2, leaseUntil: clock.now() + LEASE_MS });
    await expect(
      store.commit({ lease, key: userKey, position: position(1), now: clock.now(), leaseMs: LEASE_MS }),
    ).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('ignores a late release of a lease that was taken over', async () => {
    const store = storeFor();
    const stale = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    clock.advance(LEASE_MS + 1);
    const current = (await store.acquire({ owner: 'poller-b', now: clock.now(), leaseMs: LEASE_MS })).lease;
    await store.release(stale);
    await store.release(stale);
    expect((await store.read()).lease).toEqual(current);
  });

  it('reads an empty snapshot for a tenant that never polled, and positions without a lease after release', async () => {
    const store = storeFor();
    expect(await store.read()).toEqual({ positions: {} });
    const lease = (await store.acquire({ owner: 'poller-a', now: clock.now(), leaseMs: LEASE_MS })).lease;
    await store.commit({ lease, key: userKey, position: position(3, ['x']), now: clock.now(), leaseMs: LEASE_MS });
    await store.release(lease);
    expect(await store.read()).toEqual({ positions: { [userKey]: position(3, ['x']) } });
  });

  it('turns an SDK error into a CursorError naming the table, with the SDK error as cause', async () => {
    const missing = new DynamoDbCursorStore({ client: dynamoClient(), tableName: 'no-such-table', tenant: 'acme' });
    const failure = await missing.read().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CursorError);
    expect(failure).not.toBeInstanceOf(LeaseHeldError);
    expect((failure as CursorError).message).toContain('no-such-table');
    expect(((failure as CursorError).cause as Error).name).toBe('ResourceNotFoundException');
  });
});
