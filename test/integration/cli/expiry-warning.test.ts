import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../lib/cli/command.js';
import { main } from '../../../lib/cli/main.js';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';

const DAY_MS = 86_400_000;

function captureIo(): CliIo & { output: string[]; errors: string[]; text(): string } {
  const output: string[] = [];
  const errors: string[] = [];
  return { output, errors, out: (text) => output.push(text), err: (text) => errors.push(text), isTty: false, text: () => output.join('\n') };
}

/**
 * A minimal MPAS of our own: a token, empty event pages (read as Keycloak >= 26.2: an empty page
 * has no event without an id), and `events/config` answering `config` (status and body), which
 * the bundled simulator may not serve.
 */
async function fakeMpas(config: () => { status: number; body: unknown }): Promise<{ url: string; configReads: () => number; close: () => Promise<void> }> {
  let reads = 0;
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    request.resume();
    request.on('end', () => {
      if (path.endsWith('/protocol/openid-connect/token')) return send(200, { access_token: 'fake-token', expires_in: 300, token_type: 'Bearer' });
      if (path.endsWith('/events/config')) {
        reads += 1;
        const answer = config();
        return send(answer.status, answer.body);
      }
      if (path.endsWith('/events') || path.endsWith('/admin-events')) return send(200, []);
      send(404, { error: 'Unable to find matching target resource method' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    configReads: () => reads,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

describe('check and status warn when a cursor nears the event expiration', () => {
  let stateDir: string;
  let receiver: SiemReceiver;
  let mpas: Awaited<ReturnType<typeof fakeMpas>>;
  let answer: { status: number; body: unknown };

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cli-expiry-'));
    receiver = await startSiemReceiver();
    answer = { status: 200, body: { eventsEnabled: true, eventsExpiration: 3 * 86_400, adminEventsEnabled: true, adminEventsExpiration: 86_400 } };
    mpas = await fakeMpas(() => answer);
    // The user stream stopped two days ago (of three kept); the admin stream is current.
    const now = Date.now();
    const store = new FileCursorStore({ stateDir, tenant: 'default' });
    const { lease } = await store.acquire({ owner: 'test', now, leaseMs: 1_000 });
    await store.commit({ lease, key: 'acme#user', position: { time: now - 2 * DAY_MS, boundary: [], mode: 'modern', updatedAt: now }, now, leaseMs: 1_000 });
    await store.commit({ lease, key: 'acme#admin', position: { time: now - 600_000, boundary: [], mode: 'modern', updatedAt: now }, now, leaseMs: 1_000 });
    await store.release(lease);
  });

  afterEach(async () => {
    await mpas.close();
    await receiver.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function environment(): Record<string, string> {
    return {
      MPAS_BASE_URL: mpas.url,
      MPAS_REALMS: 'acme',
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD: 'fake-password-1234',
      SIEM_URL: `${receiver.url}/ingest`,
      STATE_DIR: stateDir,
    };
  }

  it('status: reads events/config once per realm, warns for the stream past half of it, saying deleted events cannot be read', async () => {
    const io = captureIo();
    expect(await main(['status', '--json'], environment(), io)).toBe(0);
    const status = JSON.parse(io.text()) as { expiration: { checked: boolean; realms: Record<string, unknown>; streams: Array<{ realm: string; stream: string; ratio: number; warn: boolean; warning?: string }> } };
    expect(status.expiration.checked).toBe(true);
    expect(status.expiration.realms).toEqual({ acme: { status: 'known', userSeconds: 259_200, adminSeconds: 86_400 } });
    const [admin, user] = status.expiration.streams;
    expect(admin).toMatchObject({ realm: 'acme', stream: 'admin', warn: false });
    expect(admin!.warning).toBeUndefined();
    expect(user).toMatchObject({ realm: 'acme', stream: 'user', warn: true });
    expect(user!.ratio).toBeCloseTo(2 / 3, 2);
    expect(mpas.configReads()).toBe(1);

    const text = captureIo();
    expect(await main(['status'], environment(), text)).toBe(0);
    expect(text.text()).toMatch(/acme +user events deleted after 3 d 0 h, admin events deleted after 1 d 0 h/);
    expect(text.text()).toContain('WARNING realm acme user events: the cursor is 2 d 0 h old, 67% of the realm\'s event expiration (3 d 0 h). Keycloak deletes events older than 3 d 0 h, and deleted events can no longer be read');
    expect(text.text()).not.toContain('realm acme admin events: the cursor');
  });

  it('status without MPAS settings says the expiration was not checked; a 403 or 404 makes it unknown, never an error', async () => {
    const bare = captureIo();
    expect(await main(['status', '--state', stateDir], {}, bare)).toBe(0);
    expect(bare.text()).toContain('event expiration: not checked: give --config');

    for (const status of [403, 404]) {
      answer = { status, body: { error: 'nope' } };
      const io = captureIo();
      expect(await main(['status'], environment(), io)).toBe(0);
      expect(io.text()).toMatch(new RegExp(`acme +unknown \\(.*${status}`));
      expect(io.text()).not.toContain('WARNING');
    }
  });

  it('check: WARN on the stream line, the expiration on the others, exit 0 (a warning is not a failure)', async () => {
    const io = captureIo();
    expect(await main(['check'], environment(), io), io.text()).toBe(0);
    const text = io.text();
    expect(text).toMatch(/^WARN +mpas acme user events +realm acme user events: the cursor is 2 d 0 h old, 67% .*deleted events can no longer be read/m);
    expect(text).toMatch(/^ok +mpas acme admin events +Keycloak >= 26.2 API, no event stored yet; Keycloak deletes these events after 1 d 0 h/m);
    expect(text).toContain('all checks passed, 1 warning(s)');

    const json = captureIo();
    expect(await main(['check', '--json'], environment(), json)).toBe(0);
    const report = JSON.parse(json.text()) as { checks: Array<{ check: string; ok: boolean; warn?: boolean }> };
    expect(report.checks.find(({ check }) => check === 'mpas acme user events')).toMatchObject({ ok: true, warn: true });
    expect(report.checks.find(({ check }) => check === 'mpas acme admin events')).not.toHaveProperty('warn');
  });

  it('status against the bundled simulator\'s events/config (user events expire; admin expiration not reported)', async () => {
    const simulator = await startMpasSimulator({ realms: ['acme'], eventsExpirationSeconds: 3 * 86_400 });
    try {
      const io = captureIo();
      expect(await main(['status', '--json'], { ...environment(), MPAS_BASE_URL: simulator.url, MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: 'mpas-log-sync' }, io)).toBe(0);
      const status = JSON.parse(io.text()) as { expiration: { realms: Record<string, { status: string; userSeconds?: number }>; streams: Array<{ stream: string; warn: boolean }> } };
      expect(status.expiration.realms['acme']).toMatchObject({ status: 'known', userSeconds: 259_200 });
      expect(status.expiration.streams.map(({ stream, warn }) => [stream, warn])).toEqual([['admin', false], ['user', true]]);
    } finally {
      await simulator.close();
    }
  });
});
