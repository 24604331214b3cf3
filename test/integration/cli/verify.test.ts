import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { archiveRecordsOf } from '../../../lib/archive/archive-record.js';
import { S3Archive } from '../../../lib/archive/s3-archive.js';
import { SqliteArchive } from '../../../lib/archive/sqlite-archive.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { main } from '../../../lib/cli/main.js';
import { createVerifyCommand } from '../../../lib/cli/verify-command.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { ApiMode, MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { eventKey } from '../../../lib/core/events/event-key.js';
import type { MpasEvent } from '../../../lib/core/events/event-schemas.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { testAwsConfig, uniqueName } from '../../support/aws-fixtures.js';
import { batchOf } from '../../support/route-fixtures.js';

const PASSWORD = 'verify-test-password-5c1e';
const SEED = 777;
const MINUTE = 60_000;

function captureIo(): CliIo & { output: string[]; errors: string[]; text(): string } {
  const output: string[] = [];
  const errors: string[] = [];
  return { output, errors, out: (text) => output.push(text), err: (text) => errors.push(text), isTty: false, text: () => output.join('\n') };
}

interface VerifyJson {
  ok: boolean;
  totals: { read: number; found: number; missing: number; duplicated?: number; extra: number };
  streamResults: Array<{ realm: string; stream: string; mode: string; read: number; found: number; missing: number; duplicated?: number; extra: number }>;
  missing: Array<{ realm: string; stream: string; key: string; time: string; type: string }>;
  duplicated: { counted: boolean; events: Array<{ key: string; copies: number; reason: string }> };
  extra: Array<{ key: string; time: string; eventID: string }>;
}

describe('mpas-log-sync verify', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;
  let configFile: string;
  let events: { user: MpasEvent[]; admin: MpasEvent[] };
  let from: number;
  let to: number;

  async function start(mode: ApiMode): Promise<void> {
    simulator = await startMpasSimulator({ realms: ['acme'], mode, seed: SEED, users: [{ username: 'sync', password: PASSWORD, roles: ['view-events'] }] });
    receiver = await startSiemReceiver();
    stateDir = mkdtempSync(join(tmpdir(), 'cli-verify-'));
    configFile = join(stateDir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ archive: { enabled: true } }));
    // Two hours back, so the range is long closed; 15 events in one millisecond, so ties are read by offset.
    const startTime = Date.now() - 2 * 60 * MINUTE;
    const spread = generateEvents({ seed: SEED, realm: 'acme', count: 300, startTime, spacingMs: 9_000, adminShare: 0.3 });
    const tied = generateEvents({ seed: SEED + 1, realm: 'acme', count: 15, startTime: startTime + 30 * MINUTE + 7, spacingMs: 0, adminShare: 0.2 });
    events = { user: [...spread.user, ...tied.user], admin: [...spread.admin, ...tied.admin] };
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    from = startTime - MINUTE;
    to = startTime + 60 * MINUTE;
  }

  afterEach(async () => {
    await receiver?.close();
    await simulator?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  function environment(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      MPAS_BASE_URL: simulator.url,
      MPAS_REALMS: 'acme',
      MPAS_AUTH_REALM: 'master',
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD: PASSWORD,
      MPAS_SETTLE_MS: '1000',
      // Small pages: the walks page, and the tied millisecond is larger than a page.
      MPAS_PAGE_SIZE: '10',
      MPAS_START_FROM: String(from),
      SIEM_URL: `${receiver.url}/ingest`,
      SIEM_BATCH: 'array',
      STATE_DIR: stateDir,
      ...overrides,
    };
  }

  /** `run --once` for real, which fills the SQLite archive. */
  async function deliver(): Promise<void> {
    const io = captureIo();
    expect(await main(['run', '--once', '--config', configFile], environment(), io), io.errors.join('\n')).toBe(0);
    expect(receiver.received().length).toBe(events.user.length + events.admin.length);
  }

  async function verify(args: string[] = [], env = environment()): Promise<{ code: number; io: ReturnType<typeof captureIo> }> {
    const io = captureIo();
    const code = await main(['verify', '--from', new Date(from).toISOString(), '--to', String(to), '--config', configFile, ...args], env, io);
    return { code, io };
  }

  /** The events of the range, as verify should count them. */
  function inRange(list: MpasEvent[]): MpasEvent[] {
    return list.filter((event) => event.time >= from && event.time <= to);
  }

  it('finds every event delivered by run --once: exit 0, counts per stream, nothing missing, duplicated or extra', async () => {
    await start('modern');
    await deliver();
    const text = await verify();
    expect(text.code, text.io.errors.join('\n')).toBe(0);
    expect(text.io.text()).toMatch(/complete: all \d+ events MPAS holds for the range are in the archive/);
    const { code, io } = await verify(['--json']);
    expect(code).toBe(0);
    expect(io.output).toHaveLength(1);
    const report = JSON.parse(io.output[0]!) as VerifyJson;
    const users = inRange(events.user).length;
    const admins = inRange(events.admin).length;
    expect(report.ok).toBe(true);
    expect(report.totals).toEqual({ read: users + admins, found: users + admins, missing: 0, duplicated: 0, extra: 0 });
    expect(report.streamResults).toEqual([
      { realm: 'acme', stream: 'user', mode: 'modern', read: users, found: users, missing: 0, duplicated: 0, extra: 0 },
      { realm: 'acme', stream: 'admin', mode: 'modern', read: admins, found: admins, missing: 0, duplicated: 0, extra: 0 },
    ]);
    expect(report.duplicated.counted).toBe(true);
  });

  it('lists events removed from the archive as missing (key, time, type) and exits 1; shows stored-again and extra events', async () => {
    await start('modern');
    await deliver();
    const gone = [inRange(events.user)[3]!, inRange(events.admin)[1]!];
    const path = join(stateDir, 'audit-events.sqlite');
    const db = new sqlite.Database(path);
    db.run('DELETE FROM audit_events WHERE eventKey IN (?, ?)', gone.map((event) => eventKey(event)));
    db.close();
    // One event handed to delivery twice (a page sent again), and one the archive has but MPAS never had.
    const again = inRange(events.user)[5]!;
    const stranger = { ...again, id: 'not-in-mpas', time: again.time + 1 };
    const archive = new SqliteArchive(path);
    const redact = createRedactor({ mode: 'mask', userFields: [], adminFields: [] });
    await archive.write([{ id: 'again', records: archiveRecordsOf({ v: 1, tenant: 'default', realm: 'acme', stream: 'user', batchId: 'again', events: [again, stranger] }, redact) }]);
    await archive.close();

    const text = await verify();
    expect(text.code).toBe(1);
    const printed = text.io.text();
    expect(printed).toContain('missing (in MPAS, not in the archive): 2');
    expect(printed).toContain(`${new Date(gone[0]!.time).toISOString()}  acme user  ${(gone[0] as { type: string }).type}`);
    expect(printed).toContain(eventKey(gone[1]!));
    expect(printed).toMatch(/INCOMPLETE: 2 of \d+ events/);

    const { code, io } = await verify(['--json']);
    expect(code).toBe(1);
    const report = JSON.parse(io.output[0]!) as VerifyJson;
    expect(report.ok).toBe(false);
    expect(report.missing.map(({ key, stream }) => [key, stream]).sort()).toEqual([[eventKey(gone[0]!), 'user'], [eventKey(gone[1]!), 'admin']].sort());
    expect(report.missing.find(({ stream }) => stream === 'admin')).toMatchObject({ realm: 'acme', time: new Date(gone[1]!.time).toISOString() });
    expect(report.duplicated.events).toEqual([{ realm: 'acme', stream: 'user', key: eventKey(again), copies: 2, reason: 'stored-again' }]);
    expect(report.extra).toEqual([expect.objectContaining({ key: 'not-in-mpas', time: new Date(stranger.time).toISOString() })]);

    // One stream only: the admin stream's missing event is not this one's business.
    const userOnly = await verify(['--json', '--stream', 'user']);
    expect((JSON.parse(userOnly.io.output[0]!) as VerifyJson).totals.missing).toBe(1);
  });

  it('verifies a Keycloak < 26.2 (no ids, hash keys), and the same archive after the server was upgraded and sends ids', async () => {
    await start('legacy');
    await deliver();
    const legacy = await verify(['--json']);
    expect(legacy.code, legacy.io.errors.join('\n')).toBe(0);
    const before = JSON.parse(legacy.io.output[0]!) as VerifyJson;
    const total = inRange(events.user).length + inRange(events.admin).length;
    expect(before.totals).toEqual({ read: total, found: total, missing: 0, duplicated: 0, extra: 0 });
    expect(before.streamResults.map(({ mode }) => mode)).toEqual(['legacy', 'legacy']);

    // An in-place upgrade: the same stored events now come with ids; the archive holds their hash keys.
    simulator.setMode('modern');
    const upgraded = await verify(['--json']);
    expect(upgraded.code).toBe(0);
    const after = JSON.parse(upgraded.io.output[0]!) as VerifyJson;
    expect(after.totals).toEqual({ read: total, found: total, missing: 0, duplicated: 0, extra: 0 });
    expect(after.streamResults.map(({ mode }) => mode)).toEqual(['modern', 'modern']);
  });

  it('reads the S3 archive (archive.s3): missing events found, duplicates said to be uncountable', async () => {
    await start('modern');
    const s3 = new S3Client({ ...testAwsConfig, endpoint: inject('sqsEndpoint'), forcePathStyle: true });
    try {
      const bucket = uniqueName('verify');
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const gone = inRange(events.user)[7]!;
      const redact = createRedactor({ mode: 'mask', userFields: [], adminFields: ['representation'] });
      const archive = new S3Archive(s3, { bucket, prefix: 'events/' });
      await archive.write([
        { id: 'users', records: archiveRecordsOf(batchOf('user', events.user.filter((event) => event !== gone)), redact) },
        { id: 'admins', records: archiveRecordsOf(batchOf('admin', events.admin), redact) },
      ]);
      writeFileSync(configFile, JSON.stringify({ archive: { enabled: true, s3: { bucket, prefix: 'events/' } } }));
      const io = captureIo();
      const code = await createVerifyCommand({ s3 }).run(['--from', String(from), '--to', String(to), '--config', configFile, '--json'], environment(), io);
      expect(code, io.errors.join('\n')).toBe(1);
      const report = JSON.parse(io.output[0]!) as VerifyJson & { archive: string; duplicated: { note?: string } };
      expect(report.archive).toBe(`s3://${bucket}/events/`);
      expect(report.missing.map(({ key }) => key)).toEqual([eventKey(gone)]);
      expect(report.totals).toMatchObject({ missing: 1, extra: 0 });
      expect(report.totals).not.toHaveProperty('duplicated');
      expect(report.duplicated.counted).toBe(false);
      expect(report.duplicated.note).toContain('cannot count deliveries per key');
    } finally {
      s3.destroy();
    }
  });

  it('says what verify needs when the archive is off, and refuses bad times naming the option (exit 2)', async () => {
    await start('modern');
    writeFileSync(configFile, JSON.stringify({}));
    const off = await verify();
    expect(off.code).toBe(2);
    const said = off.io.errors.join('\n');
    expect(said).toContain('the archive is off in this configuration');
    expect(said).toContain('"archive": { "enabled": true }');
    expect(said).toContain('docs/routes-archive-reports.md');

    for (const [args, message] of [
      [['--from', '2026-11-20T08:00:00', '--to', '1'], '--from must be an ISO-8601 date-time with a zone'],
      [['--from', '1', '--to', 'yesterday'], '--to must be an ISO-8601 date-time with a zone'],
      [['--from', '1'], 'verify needs --to'],
      [['--from', '2000', '--to', '1000'], '--to (1000) is before --from (2000)'],
      [['--from', '1', '--to', String(Date.now() + MINUTE)], '--to must be at least MPAS_SETTLE_MS'],
    ] as const) {
      const io = captureIo();
      expect(await main(['verify', ...args, '--config', configFile], environment(), io)).toBe(2);
      expect(io.errors.join('\n')).toContain(message);
    }
  });
});
