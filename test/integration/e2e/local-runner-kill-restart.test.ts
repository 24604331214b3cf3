import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { ReceivedItem, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { killAllCli, startCli } from '../../support/cli-process.js';
import type { CliExit, CliProcess } from '../../support/cli-process.js';

// The seed of the generated events; FAULT_SEED=<n> replays a failing run.
const SEED = Number(process.env.FAULT_SEED ?? 20_250_212);
const REALM = 'acme';
const EVENTS = 10_000;
const PAGE_SIZE = 200;
const DEADLINE_MS = 150_000;
const PASSWORD = 'e2e-Secret-Pw-4711';
const LATENCY_MS = 20;
// Longer than the test: a request held this long is never answered (close() drops it).
const HOLD_MS = 600_000;

interface Envelope {
  eventType: 'user-event' | 'admin-event';
  event: Record<string, unknown> & { id?: string; details?: Record<string, unknown>; authDetails?: Record<string, unknown> };
}

function envelopeOf(item: ReceivedItem): Envelope {
  return item.json as Envelope;
}

/** The identity of a delivered event: its stream and MPAS id (modern Keycloak gives every event one). */
function keyOf(item: ReceivedItem): string {
  const { eventType, event } = envelopeOf(item);
  return `${eventType}:${String(event.id)}`;
}

function countByKey(items: readonly ReceivedItem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

describe('the run command, killed and restarted', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;
  let expected: Set<string>;
  let clearValues: Set<string>;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'kill-restart-'));
    simulator = await startMpasSimulator({
      realms: [REALM],
      mode: 'modern',
      seed: SEED,
      users: [{ username: 'mpas-log-sync', password: PASSWORD, roles: ['view-events'] }],
    });
    receiver = await startSiemReceiver();
    // A little latency per SIEM request keeps the run long enough that a stop lands mid-run.
    receiver.setLatency(LATENCY_MS);
    const startTime = Date.now() - 3 * 3_600_000;
    const generated = generateEvents({ seed: SEED, realm: REALM, count: EVENTS, startTime, spacingMs: 700, adminShare: 0.3 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    expected = new Set([...generated.user.map((event) => `user-event:${event.id}`), ...generated.admin.map((event) => `admin-event:${event.id}`)]);
    // Addresses must never reach the SIEM in clear. (Usernames cannot be checked this way: a
    // username may be an email address, which `details.email` legitimately carries.)
    clearValues = new Set(
      [...generated.user.map((event) => event.ipAddress), ...generated.admin.map((event) => event.authDetails?.ipAddress)].filter(
        (value): value is string => typeof value === 'string' && value.length > 0,
      ),
    );
    env = {
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: REALM,
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'mpas-log-sync',
      MPAS_PASSWORD: PASSWORD,
      MPAS_START_FROM: String(startTime - 1_000),
      MPAS_SETTLE_MS: '1000',
      MPAS_PAGE_SIZE: String(PAGE_SIZE),
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'ndjson',
      STATE_DIR: stateDir,
      POLL_INTERVAL_MS: '1000',
      TENANT: 'acme',
    };
  });

  let env: Record<string, string>;

  afterEach(async () => {
    await killAllCli();
    await receiver?.close();
    await simulator?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const context = (): string => `(seed ${SEED}; replay with FAULT_SEED=${SEED})`;

  /** Waits until the receiver holds what `predicate` asks for; fails at once, with its output, if the child exits first. */
  async function waitWhileRunning(child: CliProcess, predicate: (items: readonly ReceivedItem[]) => boolean, what: string): Promise<void> {
    const exitedEarly = child.exited.then((exit) => {
      throw new Error(`the child exited (${exit.code ?? exit.signal}) before ${what} ${context()}: ${exit.stderr.slice(-2_000)} ${exit.stdout.slice(-2_000)}`);
    });
    const reached = receiver.waitFor(predicate, { timeoutMs: DEADLINE_MS }).catch((error: unknown) => {
      const { stdout, stderr } = child.output();
      throw new Error(`${String(error)}: waiting for ${what} ${context()}; child output: ${stderr.slice(-2_000)} ${stdout.slice(-2_000)}`);
    });
    await Promise.race([reached, exitedEarly]);
    exitedEarly.catch(() => undefined);
  }

  const waitForCount = (child: CliProcess, atLeast: number): Promise<void> =>
    waitWhileRunning(child, (items) => items.length >= atLeast, `${atLeast} events arrived`);

  const waitForEveryEvent = (child: CliProcess): Promise<void> =>
    waitWhileRunning(child, (items) => items.length >= expected.size && countByKey(items).size >= expected.size, 'every event arrived');

  /** Checks the exactly-once promise and returns the duplicated keys with their counts. */
  function checkDelivery(): Map<string, number> {
    const counts = countByKey(receiver.received());
    const missing = [...expected].filter((key) => !counts.has(key));
    expect(missing, `events lost ${context()}`).toEqual([]);
    const unknown = [...counts.keys()].filter((key) => !expected.has(key));
    expect(unknown, `events never generated ${context()}`).toEqual([]);
    return new Map([...counts].filter(([, count]) => count > 1));
  }

  function checkRedaction(): void {
    for (const item of receiver.received()) {
      const { eventType, event } = envelopeOf(item);
      if (eventType === 'user-event') {
        if ('ipAddress' in event) expect(event.ipAddress, `ipAddress of ${keyOf(item)}`).toBe('<redacted>');
        if (event.details && 'username' in event.details) expect(event.details.username, `details.username of ${keyOf(item)}`).toBe('<redacted>');
      } else {
        if ('representation' in event) expect(event.representation, `representation of ${keyOf(item)}`).toBe('<redacted>');
        if (event.authDetails && 'ipAddress' in event.authDetails) expect(event.authDetails.ipAddress).toBe('<redacted>');
      }
    }
    const leaked = receiver.received().find((item) => [...clearValues].some((value) => item.text.includes(`"${value}"`)));
    expect(leaked?.text, 'a clear IP address reached the SIEM').toBeUndefined();
  }

  async function stopGracefully(child: CliProcess): Promise<CliExit> {
    child.kill('SIGTERM');
    return child.exited;
  }

  it('loses nothing and repeats at most the page in flight when SIGKILLed mid-run, then refuses a second process', async () => {
    const first = startCli(['run'], env);
    await waitForCount(first, 2_000);
    // The first process delivers the rest in about a second, less than the second one may take
    // to start on a loaded machine: the SIEM holds its answers (the first process waits mid-run,
    // retrying after its timeouts) until the kill. Held requests are never answered or stored.
    receiver.setLatency(HOLD_MS);

    // A second process on the same state directory is refused while the first one runs.
    const second = await startCli(['run'], env).exited;
    expect(second.code, `second process: ${second.stderr}`).toBe(1);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr + second.stdout + first.output().stdout, 'the password in output').not.toContain(PASSWORD);

    first.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    receiver.setLatency(LATENCY_MS);
    const atKill = receiver.received().length;
    expect(atKill, `the kill must land mid-run ${context()}`).toBeLessThan(expected.size);

    const restarted = startCli(['run'], env);
    await waitForEveryEvent(restarted);
    const stopped = await stopGracefully(restarted);
    expect(stopped.code, stopped.stderr).toBe(0);

    const duplicated = checkDelivery();
    // Only the page in flight at the kill (delivered, not yet committed) may come again, once.
    expect([...duplicated.values()].every((count) => count === 2), `an event arrived more than twice ${context()}`).toBe(true);
    expect(duplicated.size, `duplicates beyond one page ${context()}`).toBeLessThanOrEqual(PAGE_SIZE);
    const streams = new Set([...duplicated.keys()].map((key) => key.split(':')[0]));
    expect(streams.size, `duplicates from more than one stream's page ${context()}`).toBeLessThanOrEqual(1);
    checkRedaction();
  }, 300_000);

  it('delivers every event exactly once across a SIGTERM and a restart', async () => {
    const first = startCli(['run'], env);
    await waitForCount(first, 2_000);
    const stopped = await stopGracefully(first);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(receiver.received().length, `the stop must land mid-run ${context()}`).toBeLessThan(expected.size);

    const restarted = startCli(['run'], env);
    await waitForEveryEvent(restarted);
    const last = await stopGracefully(restarted);
    expect(last.code, last.stderr).toBe(0);

    const duplicated = checkDelivery();
    expect([...duplicated.keys()], `duplicates after a graceful stop ${context()}`).toEqual([]);
    expect(receiver.received().length).toBe(expected.size);
    checkRedaction();
  }, 300_000);
});
