import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { streamKey } from '../../../lib/core/cursor/cursor-store.js';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { MpasResponseError } from '../../../lib/sources/mpas/errors.js';
import type { MpasClient } from '../../../lib/sources/mpas/mpas-client.js';
import type { EventSource } from '../../../lib/core/poller/event-source.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { killAllCli, runCli } from '../../support/cli-process.js';
import { RecordingQueue } from '../../support/recording-queue.js';
import { simulatorClient } from '../../support/simulator-client.js';

const NOW = Date.parse('2025-02-12T19:30:00.000Z');
const REALM = 'acme';
const PASSWORD = 'bad-input-Secret-Pw-0815';
const SIEM_TOKEN = 'siem-token-9b7e1f0c2d';

describe('a malformed MPAS page', () => {
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let stateDir: string;
  let queue: RecordingQueue;
  let store: FileCursorStore;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    stateDir = await mkdtemp(join(tmpdir(), 'bad-input-'));
    simulator = await startMpasSimulator({ clock, realms: [REALM], seed: 3 });
    queue = new RecordingQueue();
    store = new FileCursorStore({ stateDir, tenant: 'test' });
  });

  afterEach(async () => {
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  function options(source: MpasClient): PollTenantOptions {
    return {
      tenant: 'test',
      owner: 'poller-1',
      realms: [REALM],
      streams: ['user', 'admin'],
      source,
      store,
      queue,
      clock,
      settleMs: 5_000,
      pageSize: 100,
      leaseMs: 60_000,
      startFrom: NOW - 3_600_000,
    };
  }

  function add(seed: number, startTime: number): number {
    const events = generateEvents({ seed, realm: REALM, count: 300, startTime, spacingMs: 1_000, adminShare: 0.3 });
    simulator.add(REALM, 'user', events.user);
    simulator.add(REALM, 'admin', events.admin);
    return events.user.length + events.admin.length;
  }

  it('is reported as an MpasResponseError in the outcome and moves no cursor of its stream', async () => {
    const source = simulatorClient(simulator, clock);
    const firstCount = add(1, NOW - 3_000_000);
    expect(await pollTenant(options(source))).toMatchObject({ status: 'complete', failures: [] });

    clock.advance(600_000);
    const secondCount = add(2, NOW + 1_000);
    const before = await store.read();
    // Two bad answers in a row: a page with one bad event is read once more before that event is
    // dead-lettered (a passing corruption is not), and the second read is not an array at all.
    simulator.faults.setMalformedNext(2);
    // The mode known from the first poll, so the bad answer is a page's, not the per-poll probe's.
    const remembering: EventSource = { apiMode: (realm) => source.apiMode(realm), getEvents: (query, signal) => source.getEvents(query, signal) };
    const outcome = await pollTenant({ ...options(source), source: remembering });
    const after = await store.read();

    expect(outcome.status).toBe('partial');
    if (outcome.status !== 'partial') return;
    expect(outcome.failures).toHaveLength(1);
    const [failure] = outcome.failures;
    expect(failure?.error).toBeInstanceOf(MpasResponseError);
    expect(failure?.error.message).toMatch(/realm acme returned an invalid body: .+/);
    const failed = streamKey(REALM, failure?.stream ?? 'user');
    const other = streamKey(REALM, failure?.stream === 'user' ? 'admin' : 'user');
    expect(after.positions[failed], 'the failed stream keeps its position').toEqual(before.positions[failed]);
    expect(after.positions[other]?.time, 'the other stream went on').toBeGreaterThan(before.positions[other]?.time ?? Infinity);

    // The next poll reads what the bad page held: nothing lost, nothing repeated.
    expect(await pollTenant(options(source))).toMatchObject({ status: 'complete', failures: [] });
    const keys = queue.keys();
    expect(new Set(keys).size, 'no event enqueued twice').toBe(keys.length);
    expect(keys.length, 'every event enqueued').toBe(firstCount + secondCount);
  });
});

describe('the run command with a bad setting', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'bad-config-'));
  });

  afterEach(killAllCli);

  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  // Everything valid but the one bad variable; the MPAS and SIEM behind these URLs are never reached.
  const goodEnv = (): Record<string, string> => ({
    MPAS_BASE_URL: 'http://127.0.0.1:9/',
    MPAS_REALMS: REALM,
    MPAS_AUTH_REALM: 'master',
    MPAS_USERNAME: 'mpas-log-sync',
    MPAS_PASSWORD: PASSWORD,
    SIEM_URL: 'http://127.0.0.1:9/ingest',
    SIEM_TOKEN,
    STATE_DIR: stateDir,
  });

  it.each([
    { name: 'MPAS_PAGE_SIZE', value: 'abc' },
    { name: 'SIEM_URL', value: 'ftp://x' },
    { name: 'MPAS_SETTLE_MS', value: '-5' },
    { name: 'SIEM_BATCH', value: 'xml' },
    { name: 'MPAS_BASE_URL', value: `ftp://svc:${PASSWORD}@mpas.example.com` },
  ])('stops with exit code 2 naming $name, with no secret in the output', async ({ name, value }) => {
    const exit = await runCli(['run', '--once'], { ...goodEnv(), [name]: value });
    const output = exit.stdout + exit.stderr;
    expect(exit.code, output).toBe(2);
    expect(exit.stderr).toMatch(new RegExp(`^${name}: `, 'm'));
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(SIEM_TOKEN);
  });

  it('names every bad variable at once', async () => {
    const exit = await runCli(['run', '--once'], { ...goodEnv(), MPAS_PAGE_SIZE: 'abc', SIEM_URL: 'ftp://x', MPAS_REALMS: '' });
    expect(exit.code, exit.stderr).toBe(2);
    for (const name of ['MPAS_PAGE_SIZE', 'SIEM_URL', 'MPAS_REALMS']) expect(exit.stderr).toContain(name);
    expect(exit.stdout + exit.stderr).not.toContain(PASSWORD);
  });
});
