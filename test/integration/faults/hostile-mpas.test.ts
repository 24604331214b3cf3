import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { MpasPageTooLargeError, MpasPagingError } from '../../../lib/sources/mpas/errors.js';
import type { AdminEvent } from '../../../lib/core/events/event-schemas.js';
import { MpasClient } from '../../../lib/sources/mpas/mpas-client.js';
import type { MpasClientOptions } from '../../../lib/sources/mpas/mpas-client.js';
import { MAX_EVENT_DEPTH } from '../../../lib/sources/mpas/page-limits.js';
import { pollTenant } from '../../../lib/core/poller/poll-tenant.js';
import type { PollOutcome, PollTenantOptions } from '../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { killAllCli, runCli, startCli } from '../../support/cli-process.js';
import { startHostileMpas } from '../../support/hostile-mpas.js';
import type { HostileMpas } from '../../support/hostile-mpas.js';
import { RecordingQueue } from '../../support/recording-queue.js';
import { selfSignedCertificate } from '../../support/self-signed-certificate.js';
import { simulatorClient } from '../../support/simulator-client.js';

const REALM = 'acme';
const PASSWORD = 'hostile-mpas-Pw-4711';

function failuresOf(outcome: PollOutcome): Array<{ stream: string; error: Error }> {
  if (!('failures' in outcome)) throw new Error(`poll ended ${outcome.status}`);
  return outcome.failures;
}

describe('a hostile MPAS, read by the poller in process', () => {
  const NOW = Date.parse('2025-02-12T19:30:00.000Z');
  let clock: ManualClock;
  let simulator: MpasSimulator;
  let hostile: HostileMpas;
  let stateDir: string;

  async function world(keycloakVersion: string): Promise<void> {
    clock = new ManualClock(NOW);
    stateDir = mkdtempSync(join(tmpdir(), 'hostile-mpas-'));
    simulator = await startMpasSimulator({ clock, realms: [REALM], keycloakVersion, seed: 5 });
    hostile = await startHostileMpas({ upstream: simulator.url });
    const events = generateEvents({ seed: 7, realm: REALM, count: 300, startTime: NOW - 3_000_000, spacingMs: 5_000, adminShare: 0.3, withIds: keycloakVersion === '26.2' });
    simulator.add(REALM, 'user', events.user);
    simulator.add(REALM, 'admin', events.admin);
  }

  afterEach(async () => {
    await hostile?.close();
    await simulator?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function poll(client: Partial<MpasClientOptions>, queue = new RecordingQueue()): Promise<PollOutcome> {
    const source = simulatorClient(hostile, clock, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, ...client });
    const options: PollTenantOptions = {
      tenant: 'test',
      owner: 'poller-1',
      realms: [REALM],
      streams: ['user', 'admin'],
      source,
      store: new FileCursorStore({ stateDir, tenant: 'test' }),
      queue,
      clock,
      settleMs: 5_000,
      pageSize: 50,
      leaseMs: 60_000,
      startFrom: NOW - 3_600_000,
    };
    return pollTenant(options);
  }

  it('fails a stream whose server ignores first (Keycloak 26.1) within a bounded number of requests, naming it', async () => {
    await world('26.1');
    hostile.behave({ query: (params) => params.delete('first') });
    const failures = failuresOf(await poll({}));
    expect(failures.map(({ stream }) => stream).sort()).toEqual(['admin', 'user']);
    for (const { error } of failures) {
      expect(error).toBeInstanceOf(MpasPagingError);
      expect(error.message).toMatch(/^MPAS (events|admin-events) endpoint of realm acme cannot be paged through: no event older than the cursor .* below offset 2147483647 .*: the server ignores first$/);
    }
    // Without the bound the offset search doubled for ever; now 32 probes a stream, and the mode probe.
    expect(hostile.stats().eventsRequests).toBeLessThanOrEqual(2 * 33 + 2);
  });

  it('fails a stream whose server ignores max, after one page', async () => {
    await world('26.2');
    hostile.behave({ query: (params) => params.delete('max') });
    const failures = failuresOf(await poll({}));
    expect(failures).toHaveLength(2);
    for (const { error } of failures) {
      expect(error).toBeInstanceOf(MpasPagingError);
      expect(error.message).toMatch(/it sent \d+ events when asked for at most 51 \(first=0, max=51\): the server ignores max$/);
    }
    expect(hostile.stats().eventsRequests).toBeLessThanOrEqual(4);
  });

  it('reads a page holding a bad event once more: a passing corruption is delivered, not dead-lettered', async () => {
    await world('26.2');
    const queue = new RecordingQueue();
    let corrupted = 0;
    hostile.behave({
      rewrite: (event) => {
        if (corrupted > 0 || event['type'] === undefined) return undefined;
        corrupted += 1;
        return JSON.stringify({ ...event, time: new Date(event['time'] as number).toISOString() });
      },
    });
    expect(failuresOf(await poll({}, queue))).toEqual([]);
    expect(corrupted).toBe(1);
    expect(queue.batches.flatMap((batch) => batch.events).filter((event) => 'rejected' in event)).toEqual([]);
    expect(new Set(queue.keys()).size).toBe(300);
  });

  it('reads smaller pages when a page passes MPAS_MAX_PAGE_BYTES, delivering everything once; one event above the limit fails its stream, naming the setting', async () => {
    await world('26.2');
    const queue = new RecordingQueue();
    // About 20 events of the generator weigh 8 KB: pages of 51 are cut and read again with 25, then 13.
    const outcome = await poll({ maxPageBytes: 8_192 }, queue);
    expect(failuresOf(outcome).map(({ error }) => error.message)).toEqual([]);
    expect(outcome.status).toBe('complete');
    const keys = queue.keys();
    expect(new Set(keys).size, 'nothing twice').toBe(keys.length);
    expect(keys.length, 'everything').toBe(300);
    const asked = hostile.stats().queries.map((query) => Number(query.get('max')));
    expect(asked).toContain(51);
    expect(Math.min(...asked.filter((max) => max > 1))).toBeLessThan(51);

    // One admin event alone heavier than the limit: no page holding it can be read.
    const [big] = generateEvents({ seed: 8, realm: REALM, count: 40, startTime: NOW + 1_000, spacingMs: 1, adminShare: 1 }).admin;
    simulator.add(REALM, 'admin', [{ ...(big as AdminEvent), representation: JSON.stringify({ description: 'z'.repeat(20_000) }) }]);
    clock.advance(60_000);
    const failures = failuresOf(await poll({ maxPageBytes: 8_192 }, queue));
    expect(failures.map(({ stream }) => stream)).toEqual(['admin']);
    expect(failures[0]?.error).toBeInstanceOf(MpasPageTooLargeError);
    expect(failures[0]?.error.message).toMatch(/admin-events endpoint of realm acme sent more than 8192 bytes \(\d+ events asked for\), the limit MPAS_MAX_PAGE_BYTES/);
  });

  it('reads smaller slices on a legacy server (Keycloak 26.1) too, delivering everything once', async () => {
    await world('26.1');
    const queue = new RecordingQueue();
    expect(failuresOf(await poll({ maxPageBytes: 8_192 }, queue)).map(({ error }) => error.message)).toEqual([]);
    const keys = queue.keys();
    expect(new Set(keys).size, 'nothing twice').toBe(keys.length);
    expect(keys.length, 'everything').toBe(300);
    // Slices (not the offset probes of one event) cut and read again smaller.
    const slices = hostile.stats().queries.map((query) => Number(query.get('max'))).filter((max) => max > 1);
    expect(Math.min(...slices)).toBeLessThan(Math.max(...slices) / 2);
  });
});

describe('a hostile MPAS, read by the real run process', () => {
  let simulator: MpasSimulator;
  let hostile: HostileMpas;
  let receiver: SiemReceiver;
  let dir: string;
  let stateDir: string;
  let caFile: string;
  let tls: { key: string; cert: string };
  const startFrom = Date.now() - 3_600_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostile-mpas-run-'));
    stateDir = join(dir, 'state');
    // A self-signed certificate is its own private CA.
    const certificate = selfSignedCertificate(dir, 'mpas-log-sync test MPAS');
    caFile = certificate.certFile;
    tls = { key: certificate.key, cert: certificate.cert };
    simulator = await startMpasSimulator({ realms: [REALM, 'huge', 'announced', 'endless'], users: [{ username: 'sync', password: PASSWORD, roles: ['view-events'] }] });
    receiver = await startSiemReceiver();
  });

  afterEach(async () => {
    await killAllCli();
    await hostile?.close();
  });

  afterAll(async () => {
    await receiver.close();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    MPAS_BASE_URL: hostile.url,
    MPAS_REALMS: REALM,
    MPAS_AUTH_REALM: 'master',
    MPAS_USERNAME: 'sync',
    MPAS_PASSWORD: PASSWORD,
    MPAS_START_FROM: new Date(startFrom).toISOString(),
    MPAS_SETTLE_MS: '1000',
    MPAS_REQUEST_TIMEOUT_MS: '5000',
    SIEM_URL: `${receiver.url}/ingest`,
    SIEM_BATCH: 'array',
    STATE_DIR: stateDir,
    ...extra,
  });

  const deadLetters = async (): Promise<Array<{ reason: string; detail: string; events: unknown[] }>> => {
    const text = await readFile(join(stateDir, 'default.dead-letters.ndjson'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { reason: string; detail: string; events: unknown[] });
  };

  it('over TLS with MPAS_CA_FILE: dead-letters a deep, a malformed and a deep-representation event with their reasons, delivers their neighbours, goes on after a restart without repeating either; without the CA it fails naming the certificate', async () => {
    hostile = await startHostileMpas({ upstream: simulator.url, tls });
    const events = generateEvents({ seed: 21, realm: REALM, count: 60, startTime: startFrom + 60_000, spacingMs: 30_000, adminShare: 0.25 });
    const [deepRepresentation, ...admins] = events.admin;
    const nested = '['.repeat(5_000) + ']'.repeat(5_000);
    simulator.add(REALM, 'admin', [{ ...(deepRepresentation as AdminEvent), representation: `{"credentials":[{"type":"password","value":"${PASSWORD}"}],"x":${nested}}` }, ...admins]);
    simulator.add(REALM, 'user', events.user);
    const malformedId = events.user[3]!.id!;
    const deepId = events.user[7]!.id!;
    hostile.behave({
      rewrite: (event) => {
        if (event['id'] === malformedId) return JSON.stringify({ ...event, type: 42 });
        if (event['id'] === deepId) return JSON.stringify({ ...event, details: 'placeholder' }).replace('"placeholder"', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
        return undefined;
      },
    });

    // Without the CA: the certificate is refused (the MPAS client trusts only what it is told).
    const credentials = { grant: 'password', clientId: 'admin-cli', username: 'sync', password: PASSWORD } as const;
    const untrusted = new MpasClient({ baseUrl: hostile.url, authRealm: 'master', credentials, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await expect(untrusted.getEvents({ realm: REALM, stream: 'user', first: 0, max: 1 })).rejects.toThrow(/token endpoint unavailable after 1 attempts?, last with a connection failure \(.*(SELF_SIGNED|certificate).*\)/i);
    const trusted = new MpasClient({ baseUrl: hostile.url, authRealm: 'master', credentials, caFile });
    expect(await trusted.getEvents({ realm: REALM, stream: 'user', first: 0, max: 1 })).toHaveLength(1);

    const first = await runCli(['run', '--once'], env({ MPAS_CA_FILE: caFile }));
    expect(first.code, 'dead letters make run --once exit 1').toBe(1);
    const delivered = receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
    expect(new Set(delivered).size, 'nothing twice').toBe(delivered.length);
    expect(delivered.sort()).toEqual([...events.user, ...admins].map((event) => event.id).filter((id) => id !== malformedId && id !== deepId).sort());
    const letters = await deadLetters();
    const details = letters.map((letter) => letter.detail);
    expect(details, first.stdout).toHaveLength(3);
    for (const pattern of [
      new RegExp(`the event ${deepRepresentation!.id} at \\S+ has a representation that nests 5001 levels, more than the limit ${MAX_EVENT_DEPTH}$`),
      new RegExp(`the event ${deepId} at \\S+ nests 100001 levels, more than the limit ${MAX_EVENT_DEPTH}$`),
      new RegExp(`the event ${malformedId} at \\S+ does not match the user event schema: type: `),
    ]) {
      expect(details.some((detail) => pattern.test(detail)), `${pattern.source} in ${details.join(' | ')}`).toBe(true);
    }
    expect(letters.every((letter) => letter.reason === 'invalid-event')).toBe(true);
    expect(JSON.stringify(letters), 'the credential inside the deep representation never rests').not.toContain(PASSWORD);

    // A restart reads on from the cursor: it does not stop at the bad events, nor files them again.
    const again = await runCli(['run', '--once'], env({ MPAS_CA_FILE: caFile }));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(receiver.received()).toHaveLength(delivered.length);
    expect(await deadLetters()).toHaveLength(3);

    const inspect = await runCli(['dlq', 'inspect', '--state', stateDir], {});
    expect(inspect.stdout).toContain('3 dead-letter record(s)');
    expect(inspect.stdout).toContain(`more than the limit ${MAX_EVENT_DEPTH}`);
  });

  it('cuts a 200 MB page (announced by its content-length or not) and an endless body at MPAS_MAX_PAGE_BYTES: bounded memory, the limit named for each stream, exit 1', async () => {
    hostile = await startHostileMpas({ upstream: simulator.url });
    hostile.behave({ body: { kind: 'huge', bytes: 200 * 1024 * 1024, announce: false } }, 'huge');
    hostile.behave({ body: { kind: 'huge', bytes: 200 * 1024 * 1024, announce: true } }, 'announced');
    hostile.behave({ body: { kind: 'endless' } }, 'endless');
    const realms = ['huge', 'announced', 'endless'];
    const child = startCli(['run', '--once'], env({ MPAS_REALMS: realms.join(','), MPAS_MAX_PAGE_BYTES: String(1024 * 1024) }));
    // Peak resident memory, sampled until it exits (VmHWM is the kernel's own high-water mark).
    let peakKb = 0;
    const sample = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // Gone: it exited between two samples.
      }
    }, 20);
    const exit = await child.exited;
    clearInterval(sample);
    const output = exit.stdout + exit.stderr;
    expect(exit.code, output).toBe(1);
    for (const realm of realms) expect(output).toContain(`endpoint of realm ${realm} sent more than 1048576 bytes`);
    expect(output).toContain('the limit MPAS_MAX_PAGE_BYTES');
    expect(peakKb / 1024, 'peak RSS in MB').toBeLessThan(300);
    // The client stopped reading at the limit: of 3 x 200 MB and an endless body, little was ever sent.
    expect(hostile.stats().generatedBytes).toBeLessThan(60 * 1024 * 1024);
  });
});
