import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { createRandom, seedFrom } from '../../../devtools/generators/random.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { ReceivedItem, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { AdminEvent, MpasEvent, Stream } from '../../../lib/core/events/event-schemas.js';
import { scrubCredentials } from '../../../lib/core/pipeline/credential-scrubber.js';
import { killAllCli, startCli } from '../../support/cli-process.js';
import type { CliProcess } from '../../support/cli-process.js';

// FAULT_SEED=<n> replays a failing cell (its own seed is printed with the failure).
const SEED = Number(process.env.FAULT_SEED ?? 20_261_203);
const REALM = 'acme';
const PAGE_SIZE = 100;
const LOOKBACK_MS = 8_000;
const PASSWORD = 'versions-e2e-Pw-0815';
const DEADLINE_MS = 120_000;

interface Cell {
  version: string;
  /** Minutes east of UTC. */
  offset: number;
  /** Upgraded in place to this version while the first process runs. */
  upgradeTo?: string;
  /**
   * The backlog's events, over 25 hours: a legacy server answers newest first, so its walk
   * reads each day's slices again as it goes (about 15 ms of test time per event against 3 on
   * a modern server); its cell is sized down to keep the suite within its budget.
   */
  backlog: number;
}

/** The key the event has as served without an id (and scrubbed, for admin events): how the SIEM then sees it. */
function servedWithoutId(stream: Stream, event: MpasEvent): string {
  const { id: _id, ...rest } = event;
  return eventKey(stream === 'admin' ? scrubCredentials(rest as AdminEvent) : (rest as MpasEvent));
}

describe('the run command against real Keycloak versions, killed and restarted', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'versions-kill-'));
    receiver = await startSiemReceiver();
  });
  afterEach(async () => {
    await killAllCli();
    await receiver?.close();
    await simulator?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it.each<Cell>([
    { version: '24', offset: 330, backlog: 1_500 },
    { version: '26.1', offset: -300, upgradeTo: '26.2', backlog: 3_000 },
    { version: '26.2', offset: 120, backlog: 3_000 },
  ])('Keycloak $version at UTC$offset min (upgraded to $upgradeTo): nothing lost, at most the page in flight twice', async (cell) => {
    const seed = seedFrom(SEED, cell.version, cell.offset);
    const context = `(cell seed ${seed}; replay with FAULT_SEED=${SEED})`;
    const random = createRandom(seed);
    simulator = await startMpasSimulator({
      realms: [REALM],
      keycloakVersion: cell.version,
      serverUtcOffsetMinutes: cell.offset,
      tieOrder: 'shuffled',
      seed,
      users: [{ username: 'mpas-log-sync', password: PASSWORD, roles: ['view-events'] }],
    });
    simulator.faults.setFailRate(0.05, () => random.next());
    const idOf = new Map<string, string>();
    const expected = new Set<string>();
    const add = (events: { user: MpasEvent[]; admin: MpasEvent[] }, lateMs = 0): void => {
      for (const stream of ['user', 'admin'] as const) {
        const fresh: MpasEvent[] = [];
        for (const event of events[stream]) {
          // Equal in every field but the id, two events are one to a server that sends no id.
          if (idOf.has(servedWithoutId(stream, event))) continue;
          idOf.set(servedWithoutId(stream, event), event.id!);
          expected.add(`${stream}:${event.id}`);
          fresh.push(event);
        }
        simulator.add(REALM, stream, fresh, lateMs > 0 ? { visibleAt: Date.now() + lateMs } : undefined);
      }
    };
    const startTime = Date.now() - 30 * 3_600_000;
    add(generateEvents({ seed, realm: REALM, count: cell.backlog, startTime, spacingMs: Math.floor((25 * 3_600_000) / cell.backlog), adminShare: 0.3 }));
    add(generateEvents({ seed: seed + 1, realm: REALM, count: 250, startTime: Date.now() - 7 * 3_600_000 + 3, spacingMs: 0, adminShare: 0.3 }));

    const env = {
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: REALM,
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'mpas-log-sync',
      MPAS_PASSWORD: PASSWORD,
      MPAS_START_FROM: String(startTime - 1_000),
      MPAS_SETTLE_MS: '1000',
      MPAS_LOOKBACK_MS: String(LOOKBACK_MS),
      MPAS_PAGE_SIZE: String(PAGE_SIZE),
      // Nothing redacted: the SIEM then gets each event as MPAS served it, which identifies it.
      REDACT_USER_FIELDS: '',
      REDACT_ADMIN_FIELDS: '',
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'ndjson',
      STATE_DIR: stateDir,
      POLL_INTERVAL_MS: '1000',
      TENANT: 'acme',
    };
    const identity = (item: ReceivedItem): string => {
      const { eventType, event } = item.json as { eventType: string; event: MpasEvent };
      const stream = eventType === 'user-event' ? 'user' : 'admin';
      return `${stream}:${event.id ?? idOf.get(eventKey(event))}`;
    };
    const waitFor = async (child: CliProcess, what: string, predicate: (items: readonly ReceivedItem[]) => boolean): Promise<void> => {
      const exited = child.exited.then((exit) => {
        throw new Error(`the child exited (${exit.code ?? exit.signal}) before ${what} ${context}: ${exit.stderr.slice(-2_000)}`);
      });
      exited.catch(() => undefined);
      await Promise.race([receiver.waitFor(predicate, { timeoutMs: DEADLINE_MS }), exited]).catch((error: unknown) => {
        throw new Error(`${String(error)}: waiting for ${what} ${context}; ${child.output().stderr.slice(-2_000)}`);
      });
    };

    // A little latency per SIEM request keeps the run going long enough for the kill.
    receiver.setLatency(15);
    const first = startCli(['run'], env);
    const beforeKill = Math.floor(cell.backlog / 3);
    await waitFor(first, `${beforeKill} events`, (items) => items.length >= beforeKill);
    // Live traffic now, some of it committed seconds late, while the first process runs.
    add(generateEvents({ seed: seed + 2, realm: REALM, count: 40, startTime: Date.now() - 500, spacingMs: 10, adminShare: 0.3 }));
    add(generateEvents({ seed: seed + 3, realm: REALM, count: 20, startTime: Date.now() - 2_000, spacingMs: 50, adminShare: 0.3 }), 4_000);
    if (cell.upgradeTo) simulator.setKeycloakVersion(cell.upgradeTo);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(receiver.received().length, `the kill must land mid-run ${context}`).toBeLessThan(expected.size);

    add(generateEvents({ seed: seed + 4, realm: REALM, count: 20, startTime: Date.now() - 1_500, spacingMs: 20, adminShare: 0.3 }), 3_000);
    receiver.setLatency(0);
    const restarted = startCli(['run'], env);
    await waitFor(restarted, 'every event', (items) => new Set(items.map(identity)).size >= expected.size);
    restarted.kill('SIGTERM');
    const stopped = await restarted.exited;
    expect(stopped.code, stopped.stderr).toBe(0);

    const counts = new Map<string, number>();
    for (const item of receiver.received()) counts.set(identity(item), (counts.get(identity(item)) ?? 0) + 1);
    expect([...expected].filter((key) => !counts.has(key)), `lost ${context}`).toEqual([]);
    expect([...counts.keys()].filter((key) => !expected.has(key)), `never generated ${context}`).toEqual([]);
    const repeated = [...counts].filter(([, count]) => count > 1);
    // Only the page in flight at the kill (delivered, not yet committed) may come again, once.
    expect(repeated.every(([, count]) => count === 2), `an event arrived more than twice ${context}`).toBe(true);
    expect(repeated.length, `duplicates beyond one page ${context}`).toBeLessThanOrEqual(PAGE_SIZE);
  }, 300_000);
});
