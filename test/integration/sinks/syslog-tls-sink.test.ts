import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../devtools/generators/random.js';
import type { SyslogRecord, SyslogTlsReceiver } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import { startSyslogTlsReceiver } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import type { OutboundEvent, Sink } from '../../../lib/sinks/sink.js';
import { catalogSeverity, syslogSeverity } from '../../../lib/sinks/syslog/syslog-framing.js';
import { createSyslogTlsSink } from '../../../lib/sinks/syslog/syslog-tls-sink.js';
import type { SyslogTlsSinkOptions } from '../../../lib/sinks/syslog/syslog-tls-sink.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { keyedEnvelopeEvents, recordingSleep, seedSampleOutbound, sortedKeys } from '../../support/seed-sample-events.js';
import { closedPort } from '../../support/closed-port.js';

let dir: string;
let tls: { key: string; cert: string };
let caFile: string;
let receiver: SyslogTlsReceiver | undefined;
const sinks: Sink[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syslog-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=mpas-log-sync test syslog', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  caFile = join(dir, 'cert.pem');
  tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(caFile, 'utf8') };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  await receiver?.close();
  receiver = undefined;
});

async function startReceiver(): Promise<SyslogTlsReceiver> {
  receiver = await startSyslogTlsReceiver({ tls });
  return receiver;
}

function syslogSink(url: string, overrides: Partial<SyslogTlsSinkOptions> = {}) {
  const sleep = recordingSleep();
  const sink = createSyslogTlsSink({
    url,
    format: 'cef',
    caFile,
    hostname: 'sync-acme',
    timeoutMs: 5_000,
    maxBatchEvents: 100,
    maxBatchBytes: 1_000_000,
    attempts: 3,
    sleep,
    random: () => 0.5,
    clock: new ManualClock(1_739_388_500_000),
    ...overrides,
  });
  sinks.push(sink);
  return { sink, sleep };
}

const idOf = (record: SyslogRecord) => (record.json as { event: { id: string } }).event.id;

describe('SyslogTlsSink', () => {
  it('delivers the seed samples, redacted, as RFC 5424 messages with the CEF line as MSG', async () => {
    const syslog = await startReceiver();
    const { events } = seedSampleOutbound('cef');
    const { sink } = syslogSink(syslog.url);
    expect(await sink.deliver(events)).toMatchObject({ retry: [], dropped: [], errors: [] });
    const records = await syslog.waitFor((items) => items.length === 2);
    expect(records.map((record) => record.msg)).toEqual(events.map((event) => event.payload));
    expect(records.map((record) => [record.facility, record.hostname, record.appName, record.procId, record.msgId, record.structuredData])).toEqual([
      [10, 'sync-acme', 'mpas-log-sync', '-', 'admin-event', '-'],
      [10, 'sync-acme', 'mpas-log-sync', '-', 'user-event', '-'],
    ]);
    expect(records.map((record) => record.timestamp)).toEqual(['2025-02-12T19:27:48.633Z', '2025-02-12T19:27:50.156Z']);
    // The catalog's severity, read back from each CEF header, inverted onto syslog's scale.
    expect(records.map((record) => record.severity)).toEqual(events.map((event) => syslogSeverity(catalogSeverity(event, 'cef'))));
    expect(records.map((record) => record.severity)).toEqual([5, 6]);
    expect(JSON.stringify(records)).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
    expect(syslog.stats()).toEqual({ connections: 1, drops: 0, framingErrors: 0 });
  });

  it('sends the JSON envelope as MSG with format json, and the facility chosen', async () => {
    const syslog = await startReceiver();
    const { events, envelopes } = seedSampleOutbound('json');
    const { sink } = syslogSink(syslog.url, { format: 'json', facility: 13, appName: 'mpas' });
    expect((await sink.deliver(events)).errors).toEqual([]);
    const records = await syslog.waitFor((items) => items.length === 2);
    expect(records.map((record) => record.json)).toEqual(envelopes);
    expect(records.map((record) => [record.pri, record.appName])).toEqual([[13 * 8 + 5, 'mpas'], [13 * 8 + 6, 'mpas']]);
  });

  it('sends LEEF lines as MSG, the PRI from their sev, redacted fields still redacted', async () => {
    const syslog = await startReceiver();
    const { events } = seedSampleOutbound('leef');
    const { sink } = syslogSink(syslog.url, { format: 'leef' });
    expect((await sink.deliver(events)).errors).toEqual([]);
    const records = await syslog.waitFor((items) => items.length === 2);
    expect(records.map((record) => [record.format, record.msg])).toEqual(events.map((event) => ['leef', event.payload]));
    expect(records.map((record) => record.msg.slice(0, record.msg.indexOf('|x09|')))).toEqual(['LEEF:2.0|Kelvin Zero|MPAS|0.1.0|admin_user_session_delete', 'LEEF:2.0|Kelvin Zero|MPAS|0.1.0|user_login']);
    expect(records.map((record) => record.severity)).toEqual([5, 6]);
    expect(JSON.stringify(records)).not.toMatch(/198\.51\.100\.23|203\.0\.113\.7|alice@|hunter2/);
  });

  it('keeps one connection for many deliveries', async () => {
    const syslog = await startReceiver();
    const { sink } = syslogSink(syslog.url, { format: 'json', maxBatchEvents: 7 });
    for (let round = 0; round < 5; round += 1) expect((await sink.deliver(keyedEnvelopeEvents(20, `r${round}-`))).errors).toEqual([]);
    await syslog.waitFor((items) => items.length === 100);
    expect(syslog.stats().connections).toBe(1);
  });

  it('refuses a server whose certificate it cannot verify: no CA, or a host name the certificate does not name', async () => {
    const syslog = await startReceiver();
    const untrusted = await syslogSink(syslog.url, { caFile: undefined, attempts: 1 }).sink.deliver(keyedEnvelopeEvents(2));
    expect(untrusted.retry).toEqual([0, 1]);
    expect(untrusted.errors[0]?.reason).toMatch(/connection error.*(SELF_SIGNED|CERT|certificate)/i);
    const wrongName = await syslogSink(`syslog+tls://localhost:${syslog.port}`, { attempts: 1 }).sink.deliver(keyedEnvelopeEvents(1));
    expect(wrongName.retry).toEqual([0]);
    expect(wrongName.errors[0]?.reason).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|localhost/);
    expect(syslog.received()).toEqual([]);
  });

  it('retries a server that is down with backoff, and reports the events for later', async () => {
    const port = await closedPort();
    const { sink, sleep } = syslogSink(`syslog+tls://127.0.0.1:${port}`);
    const result = await sink.deliver(keyedEnvelopeEvents(3));
    expect(result.retry).toEqual([0, 1, 2]);
    expect(result.errors.map((error) => error.reason)).toEqual(Array(3).fill(expect.stringMatching(/^connection error ECONNREFUSED/)));
    expect(sleep.calls).toEqual([100, 200]);
  });

  it('reconnects after a dropped connection and sends the unacknowledged tail again', async () => {
    const syslog = await startReceiver();
    syslog.dropConnectionsAfter([25]);
    const { sink } = syslogSink(syslog.url, { format: 'json', maxBatchEvents: 10 });
    const events = keyedEnvelopeEvents(60);
    const result = await sink.deliver(events);
    expect(result.retry).toEqual([]);
    // The drop is noticed after the writes returned; the tail goes again on a new connection.
    const ids = (await syslog.waitFor((items) => new Set(items.map(idOf)).size === events.length)).map(idOf);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.key)));
    expect(syslog.stats()).toMatchObject({ connections: 2, drops: 1 });
    // The frames written before the drop went again: at most the whole tail of the first connection.
    expect(ids.length - events.length).toBeLessThanOrEqual(30);
  });

  it('sends the tail again at once, without a delivery, when the server went away and came back', async () => {
    const first = await startReceiver();
    // Backoff waits for the restart instead of a time: the first reconnect finds nobody listening.
    let restarted!: () => void;
    const restart = new Promise<void>((resolve) => (restarted = resolve));
    const { sink } = syslogSink(first.url, { format: 'json', maxBatchEvents: 10, sleep: () => restart });
    const events = keyedEnvelopeEvents(10);
    expect((await sink.deliver(events)).retry).toEqual([]);
    await first.waitFor((items) => items.length === 10);
    // A restart: whatever the sink wrote last may have died with the old process.
    await first.close();
    receiver = await startSyslogTlsReceiver({ tls, port: first.port });
    restarted();
    const again = await receiver.waitFor((items) => items.length === 10);
    expect(sortedKeys(again.map(idOf))).toEqual(sortedKeys(events.map((event) => event.key)));
  });

  it('delivers 5,000 events through seeded dropped connections, nothing lost, duplicates bounded by the tail', async () => {
    const seed = Number(process.env['FAULT_SEED'] ?? 20_261_122);
    const random = createRandom(seed);
    const syslog = await startReceiver();
    // More than a drop can catch in flight here: the client notices a reset a few writes late,
    // as it would over a network, where the budget must cover what the round trip holds.
    const resendBytes = 256 * 1024;
    const maxBatchEvents = 100;
    const { sink } = syslogSink(syslog.url, { format: 'json', maxBatchEvents, resendBytes, random: () => random.next() });
    const events = keyedEnvelopeEvents(5_000);
    syslog.dropConnectionsAfter(Array.from({ length: 12 }, () => random.int(50, 700)));
    let pending: OutboundEvent[] = events;
    let rounds = 0;
    while (pending.length > 0 && rounds < 100) {
      rounds += 1;
      const result = await sink.deliver(pending.slice(0, 1_000));
      expect(result.dropped, `seed ${seed}`).toEqual([]);
      const retried = new Set(result.retry);
      pending = [...pending.slice(0, 1_000).filter((_, index) => retried.has(index)), ...pending.slice(1_000)];
    }
    expect(pending, `seed ${seed}: still undelivered after ${rounds} rounds`).toEqual([]);
    await syslog.waitFor((items) => new Set(items.map(idOf)).size === events.length).catch(() => undefined);
    const ids = syslog.received().map(idOf);
    expect(sortedKeys([...new Set(ids)]), `seed ${seed}: nothing lost`).toEqual(sortedKeys(events.map((event) => event.key)));
    const { drops } = syslog.stats();
    expect(drops, `seed ${seed}: connections were dropped`).toBeGreaterThan(3);
    // Per drop: the tail kept (resendBytes of frames, each over 200 bytes, plus the latest write,
    // at most a resent tail and one group).
    const smallestFrame = 200;
    expect(ids.length - events.length, `seed ${seed}: duplicates`).toBeLessThanOrEqual(drops * (2 * Math.floor(resendBytes / smallestFrame) + maxBatchEvents));
  });
});
