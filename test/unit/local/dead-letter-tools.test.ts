import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../../lib/config/app-config-schema.js';
import { routesFromConfig } from '../../../lib/runtime/routes-from-config.js';
import { DeadLetterFile } from '../../../lib/local/dead-letter-file.js';
import { DeadLetterFileError, readDeadLetterFile, redriveDeadLetterFile, routeOfRecord } from '../../../lib/local/dead-letter-tools.js';
import { narrowStateDir } from '../../../lib/local/private-state-dir.js';
import { redactionFingerprint } from '../../../lib/core/pipeline/redaction-at-rest.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { batchOf, userEvent } from '../../support/route-fixtures.js';
import { ScriptedSink } from '../../support/scripted-sink.js';

describe('routeOfRecord', () => {
  it('reads the route the local consumer names in the detail, else the default route', () => {
    expect(routeOfRecord({ detail: 'route archive-siem: status 400: bad field' })).toBe('archive-siem');
    expect(routeOfRecord({ detail: 'status 400: route of the request is wrong' })).toBe('default');
  });
});

describe('readDeadLetterFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dead-letter-tools-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no records when the file does not exist, and names the line that is not a record', async () => {
    expect(await readDeadLetterFile(join(dir, 'none.ndjson'))).toEqual({ text: '', records: [] });
    const path = join(dir, 'acme.dead-letters.ndjson');
    const good = { at: '2026-11-22T00:00:00.000Z', reason: 'rejected-by-siem', detail: 'x', tenant: 'acme', realm: 'r', stream: 'user', batchId: 'b', events: [{}] };
    await writeFile(path, `${JSON.stringify(good)}\n{"realm":"r"}\n`);
    await expect(readDeadLetterFile(path)).rejects.toThrow(DeadLetterFileError);
    await expect(readDeadLetterFile(path)).rejects.toThrow(/line 2 is not a dead-letter record/);
    await writeFile(path, `${JSON.stringify(good)}\n`);
    expect((await readDeadLetterFile(path)).records).toEqual([good]);
  });
});

describe('dead letters at rest', () => {
  const HASH_KEY = 'local-dead-letter-hash-key-42';
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dead-letters-at-rest-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function config(hashKey: string, userFields = ['ipAddress', 'details.username']): AppConfig {
    return appConfigSchema.parse({
      mpas: { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { username: 'sync', password: 'pw' } },
      siem: { url: 'https://siem.example.com/ingest' },
      redaction: { mode: 'hash', hashKey, userFields },
    }) as AppConfig;
  }

  it('redrives a record redacted with the same settings as stored, one of an older version redacted, one under other settings without hashing a hash', async () => {
    const path = join(dir, 'state', 'default.dead-letters.ndjson');
    const events = [userEvent('same', 'LOGIN', 1), userEvent('older', 'LOGIN', 2), userEvent('other', 'LOGIN', 3)];
    const before = config(HASH_KEY);
    const redactBefore = createRedactor(before.redaction);
    const at = '2026-11-22T00:00:00.000Z';
    const record = (event: (typeof events)[number], redaction?: string) => ({ at, reason: 'rejected-by-siem', detail: 'HTTP 400: no', tenant: 'default', realm: 'acme', stream: 'user', batchId: `b-${event.id}`, ...(redaction ? { redaction } : {}), events: [redaction ? redactBefore(event, 'user') : event] });
    // Written as run writes them: the file 0600 in a 0700 directory.
    await new DeadLetterFile(path).append(batchOf('user', [events[0]!]), [{ reason: 'rejected-by-siem', detail: 'HTTP 400: no', events: [redactBefore(events[0]!, 'user')], redaction: redactionFingerprint(before.redaction) }], Date.parse(at));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    const written = await readFile(path, 'utf8');
    expect(written).not.toMatch(/alice|192\.0\.2\.10/);
    await writeFile(path, `${written}${JSON.stringify(record(events[1]!))}\n${JSON.stringify(record(events[2]!, 'r1:settings-before-a-change'))}\n`);

    const sink = new ScriptedSink('siem');
    const routes = routesFromConfig(before, { version: '1.0.0', sinks: { default: sink } });
    const result = await redriveDeadLetterFile({ path, routes, clock: new ManualClock(Date.parse(at)) });
    expect(result).toMatchObject({ delivered: 3, redaction: { 'as-stored': 1, 'in-clear': 1, 'other-settings': 1 }, remaining: [] });
    const usernames = sink.accepted.map(({ payload }) => (JSON.parse(String(payload)) as { event: { details: { username: string } } }).event.details.username);
    // All three the hash of alice under the route's key, once: as the SIEM receives any event.
    const expected = (redactBefore(events[0]!, 'user') as unknown as { details: { username: string } }).details.username;
    expect(usernames).toEqual([expected, expected, expected]);
  });

  it('keeps what is refused again redacted and marked, also for a record of an older version', async () => {
    const path = join(dir, 'default.dead-letters.ndjson');
    const event = userEvent('again', 'LOGIN', 1);
    await writeFile(path, JSON.stringify({ at: 'x', reason: 'rejected-by-siem', detail: 'HTTP 400', tenant: 'default', realm: 'acme', stream: 'user', batchId: 'b', events: [event] }) + '\n', { mode: 0o600 });
    const settings = config(HASH_KEY);
    const sink = new ScriptedSink('siem', 'retry-all');
    const routes = routesFromConfig(settings, { version: '1.0.0', sinks: { default: sink } });
    const result = await redriveDeadLetterFile({ path, routes, clock: new ManualClock(0) });
    expect(result.remaining).toHaveLength(1);
    const { records } = await readDeadLetterFile(path);
    expect(records[0]).toMatchObject({ redaction: redactionFingerprint(settings.redaction), events: [{ ipAddress: expect.stringMatching(/^hmac-sha256:/) }] });
    expect(JSON.stringify(records)).not.toMatch(/alice|192\.0\.2\.10/);
  });

  it('narrows a state directory, the tenant\'s files and the archive that others could read, and leaves other entries alone', async () => {
    const state = join(dir, 'wide');
    await mkdir(join(state, 'acme.lookback'), { recursive: true });
    await writeFile(join(state, 'acme.cursor.json'), '{}');
    await writeFile(join(state, 'acme.lookback', 'chunk'), '{}');
    await writeFile(join(state, 'acme.dead-letters.ndjson'), '', { mode: 0o600 });
    await writeFile(join(state, 'notes.txt'), 'mine');
    const archive = join(dir, 'archive.sqlite');
    await writeFile(archive, '');
    for (const path of [state, join(state, 'acme.lookback')]) await chmod(path, 0o755);
    for (const path of [join(state, 'acme.cursor.json'), join(state, 'acme.lookback', 'chunk'), join(state, 'notes.txt'), archive]) await chmod(path, 0o644);

    const narrowed = narrowStateDir(state, { tenant: 'acme', files: [archive, join(dir, 'absent.sqlite')] });
    expect(narrowed.map(({ path, from, to }) => `${path.slice(dir.length)} ${from}->${to}`).sort()).toEqual(
      ['/archive.sqlite 0644->0600', '/wide 0755->0700', '/wide/acme.cursor.json 0644->0600', '/wide/acme.lookback 0755->0700', '/wide/acme.lookback/chunk 0644->0600'].sort(),
    );
    expect((await stat(join(state, 'notes.txt'))).mode & 0o777).toBe(0o644);
    expect(narrowStateDir(state, { tenant: 'acme', files: [archive] })).toEqual([]);
    expect(narrowStateDir(join(dir, 'none'), { tenant: 'acme' })).toEqual([]);
  });
});
