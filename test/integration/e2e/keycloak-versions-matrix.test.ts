import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CursorStore } from '../../../lib/core/cursor/cursor-store.js';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import type { DeliveryRecordStore } from '../../../lib/core/poller/delivery-records.js';
import { DynamoDbDeliveryRecords } from '../../../lib/stores/delivery-records/dynamodb-delivery-records.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { createRandom, seedFrom } from '../../../devtools/generators/random.js';
import { FileDeliveryRecords } from '../../../lib/stores/delivery-records/file-delivery-records.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { AdminEvent, MpasEvent, Stream } from '../../../lib/core/events/event-schemas.js';
import { scrubCredentials } from '../../../lib/core/pipeline/credential-scrubber.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { cleanupAwsFixtures, createCursorTable, dynamoClient } from '../../support/aws-fixtures.js';
import { RecordingQueue } from '../../support/recording-queue.js';
import { simulatorClient } from '../../support/simulator-client.js';

// MATRIX_SEED=<n> replays a failing cell (each cell's own seed is printed with its failure).
const SEED = Number(process.env.MATRIX_SEED ?? 20_261_203);
// In the future: DynamoDB Local's TTL sweeper deletes delivery records whose expiry (this clock
// plus a day) has passed on the real clock.
const NOW = Date.parse('2030-11-30T21:47:13.000Z');
const REALM = 'acme';
const SETTLE_MS = 5_000;
const LOOKBACK_MS = 360_000;
const POLL_MS = 10_000;
const VERSIONS = ['24', '25', '26.0', '26.1', '26.2.0', '26.2'] as const;
// West of UTC, UTC, east, and a half-hour zone: minutes east of UTC.
const OFFSETS = [-300, 0, 120, 330] as const;

/** How the queue holds an event served without an id: its key is the hash of what was served. */
function servedWithoutId(stream: Stream, event: MpasEvent): string {
  const { id: _id, ...rest } = event;
  return eventKey(stream === 'admin' ? scrubCredentials(rest as AdminEvent) : (rest as MpasEvent));
}

interface Cell {
  version: (typeof VERSIONS)[number];
  offset: number;
  /** Upgraded in place to 26.2 halfway through the live polls. */
  upgrade?: boolean;
  /** The server's clock against the poller's, in ms. */
  skew?: number;
  /** Where the cursor and the delivery records rest: the AWS path's DynamoDB, or the local files. */
  store?: 'dynamodb';
}

const cells: Cell[] = [
  ...VERSIONS.flatMap((version) => OFFSETS.map((offset) => ({ version, offset }))),
  { version: '26.1', offset: 120, upgrade: true },
  { version: '25', offset: -300, upgrade: true },
  { version: '26.2', offset: 0, skew: -30_000 },
  { version: '24', offset: 330, skew: 20_000 },
  { version: '25', offset: 120, store: 'dynamodb' },
  { version: '26.1', offset: -300, upgrade: true, store: 'dynamodb' },
  { version: '26.2', offset: 330, store: 'dynamodb' },
];

describe('exactly once against every Keycloak version, server zone, tie order and late commit', () => {
  let simulator: MpasSimulator | undefined;
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'versions-matrix-'));
  });
  afterEach(async () => {
    await cleanupAwsFixtures();
    await simulator?.close();
    simulator = undefined;
    await rm(stateDir, { recursive: true, force: true });
  });

  it.each(cells)('Keycloak $version, server at UTC$offset min, upgraded: $upgrade, clock skew: $skew, store: $store', async (cell) => {
    const seed = seedFrom(SEED, cell.version, cell.offset, cell.upgrade ? 'upgrade' : 'stay', cell.skew ?? 0, cell.store ?? 'file');
    const context = `(cell seed ${seed}; replay with MATRIX_SEED=${SEED})`;
    const random = createRandom(seed);
    const clock = new ManualClock(NOW);
    const skew = cell.skew ?? 0;
    const sim = await startMpasSimulator({ clock, keycloakVersion: cell.version, serverUtcOffsetMinutes: cell.offset, tieOrder: 'shuffled', clockSkewMs: skew, realms: [REALM], seed });
    simulator = sim;
    const idOf = new Map<string, string>();
    const shown = new Map<string, string>();
    const expected = new Set<string>();
    const add = (events: { user: MpasEvent[]; admin: MpasEvent[] }, visibleAt?: number): void => {
      for (const stream of ['user', 'admin'] as const) {
        // Events equal in every field but their id are one event to a server without ids: not generated twice.
        const fresh: MpasEvent[] = [];
        for (const event of events[stream]) {
          if (idOf.has(servedWithoutId(stream, event))) continue;
          fresh.push(event);
          idOf.set(servedWithoutId(stream, event), event.id!);
          expected.add(`${stream}:${event.id}`);
          shown.set(`${stream}:${event.id}`, `${new Date(event.time).toISOString()} visible ${visibleAt === undefined ? 'at once' : `${visibleAt - event.time} ms late`}`);
        }
        sim.add(REALM, stream, fresh, visibleAt === undefined ? undefined : { visibleAt });
      }
    };
    // Three days of history across UTC midnights, with crowded milliseconds.
    add(generateEvents({ seed, realm: REALM, count: 400, startTime: NOW - 3 * 86_400_000, spacingMs: 600_000 }));
    add(generateEvents({ seed: seed + 1, realm: REALM, count: 120, startTime: NOW - 86_400_000 - 7, spacingMs: 0 }));
    add(generateEvents({ seed: seed + 2, realm: REALM, count: 200, startTime: NOW - 3_600_000, spacingMs: 3 }));

    const queue = new RecordingQueue();
    const tableName = cell.store === 'dynamodb' ? await createCursorTable() : undefined;
    const stores = (): { store: CursorStore; records: DeliveryRecordStore } =>
      tableName === undefined
        ? { store: new FileCursorStore({ stateDir, tenant: 't' }), records: new FileDeliveryRecords({ stateDir, tenant: 't' }) }
        : {
            store: new DynamoDbCursorStore({ client: dynamoClient(), tableName, tenant: 't' }),
            records: new DynamoDbDeliveryRecords({ client: dynamoClient(), tableName, tenant: 't' }),
          };
    const client = simulatorClient(sim, clock);
    const poll = async (): Promise<void> => {
      const { store, records } = stores();
      const outcome = await pollTenant({
        tenant: 't', owner: 'me', realms: [REALM], streams: ['user', 'admin'], source: client, queue, clock,
        store,
        settleMs: SETTLE_MS, pageSize: 50, leaseMs: 60_000, startFrom: NOW - 4 * 86_400_000,
        lookback: { windowMs: LOOKBACK_MS, records },
      });
      expect(outcome, context).toMatchObject({ status: 'complete', failures: [] });
    };

    // Live traffic: most events stored within 250 ms, one in eight up to four minutes late.
    for (let round = 0; round < 30; round += 1) {
      if (cell.upgrade && round === 15) sim.setKeycloakVersion('26.2');
      // Stamped by the server's clock, as Keycloak does.
      const batch = generateEvents({ seed: seed + 100 + round, realm: REALM, count: 12, startTime: clock.now() + skew - 2_000, spacingMs: 150 });
      for (const stream of ['user', 'admin'] as const) {
        for (const event of batch[stream]) {
          const late = random.chance(0.125) ? random.int(5_000, 240_000) : random.int(0, 250);
          add({ user: stream === 'user' ? [event] : [], admin: stream === 'admin' ? [event] : [] }, event.time + late);
        }
      }
      await poll();
      clock.advance(POLL_MS);
    }
    // Quiet until the look-back has passed the newest late commit.
    for (let round = 0; round < 3; round += 1) {
      clock.advance(LOOKBACK_MS / 2);
      await poll();
    }

    const counts = new Map<string, number>();
    for (const batch of queue.batches) {
      for (const event of batch.events) {
        const id = event.id ?? idOf.get(eventKey(event));
        const identity = `${batch.stream}:${id}`;
        counts.set(identity, (counts.get(identity) ?? 0) + 1);
      }
    }
    const missing = [...expected].filter((identity) => !counts.has(identity));
    const repeated = [...counts].filter(([, count]) => count > 1).map(([identity]) => identity);
    const unknown = [...counts.keys()].filter((identity) => !expected.has(identity));
    expect({ missing: missing.slice(0, 5).map((identity) => `${identity} ${shown.get(identity)}`), missingCount: missing.length, repeated: repeated.slice(0, 5).map((identity) => `${identity} ${shown.get(identity)}`), repeatedCount: repeated.length, unknown: unknown.slice(0, 5) }, context).toEqual({
      missing: [], missingCount: 0, repeated: [], repeatedCount: 0, unknown: [],
    });
  });
});
