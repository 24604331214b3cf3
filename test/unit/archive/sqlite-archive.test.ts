import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveRecordsOf } from '../../../lib/archive/archive-record.js';
import type { ArchiveRecord } from '../../../lib/archive/archive-record.js';
import { ArchiveError } from '../../../lib/archive/archive-store.js';
import { SqliteArchive } from '../../../lib/archive/sqlite-archive.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { adminEvent, batchOf, userEvent } from '../../support/route-fixtures.js';

const redact = createRedactor({ mode: 'mask', userFields: ['ipAddress'], adminFields: ['authDetails.ipAddress'] });
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12);

function recordsOf(count: number, start = T0, stepMs = DAY / 4): ArchiveRecord[] {
  const events = Array.from({ length: count }, (_, index) => userEvent(`u${index}`, index % 2 ? 'LOGIN_ERROR' : 'LOGIN', start + index * stepMs));
  return archiveRecordsOf(batchOf('user', events), redact);
}

describe('SqliteArchive', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-archive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the audit_events table of PAS 6.0 with its date and event id indexes', async () => {
    const path = join(dir, 'state', 'audit-events.sqlite');
    await new SqliteArchive(path).close();
    const db = new sqlite.Database(path, { readOnly: true });
    try {
      const columns = db.all('PRAGMA table_info(audit_events)').map((row) => row['name']);
      expect(columns).toEqual(['eventID', 'message', 'host', 'params', 'date', 'eventKey']);
      const indexes = db.all("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events' ORDER BY name").map((row) => row['name']);
      expect(indexes).toEqual(['audit_event_date', 'audit_event_id', 'audit_event_key']);
    } finally {
      db.close();
    }
  });

  it('persists records to the file, one row per event however often it is written', async () => {
    const path = join(dir, 'a.sqlite');
    const records = recordsOf(6);
    const writer = new SqliteArchive(path);
    await writer.write([{ id: 'b1', records }]);
    await writer.write([{ id: 'b1', records }, { id: 'b2', records: records.slice(0, 2) }]);
    await writer.close();

    const reader = new SqliteArchive(path, { readOnly: true });
    const read = await reader.read({ order: 'asc', limit: 100 });
    await reader.close();
    expect(read).toEqual(records);
    expect(read[1]).toMatchObject({ eventID: 'user_login_error', message: 'User login failed', host: 'acme' });
    expect(read[1]!.params).toMatchObject({ duser: 'alice', outcome: 'failure', act: 'LOGIN_ERROR' });
    // Redacted before it is stored: the masked address is no CEF src.
    expect(read[1]!.params['src']).toBeUndefined();
  });

  it('reads a date window newest first, with a limit', async () => {
    const archive = new SqliteArchive(join(dir, 'a.sqlite'));
    const records = recordsOf(12);
    await archive.write([{ id: 'b', records }]);
    const from = records[2]!.date;
    const to = records[9]!.date;
    const read = await archive.read({ from, to, order: 'desc', limit: 3 });
    expect(read.map(({ date }) => date)).toEqual([records[8]!.date, records[7]!.date, records[6]!.date]);
    await archive.close();
  });

  it('deletes what is older than the retention cutoff', async () => {
    const archive = new SqliteArchive(join(dir, 'a.sqlite'));
    const records = recordsOf(8, T0, DAY);
    await archive.write([{ id: 'b', records }]);
    expect(await archive.deleteOlderThan(new Date(T0 + 3 * DAY).toISOString())).toBe(3);
    const left = await archive.read({ order: 'asc', limit: 100 });
    expect(left.map(({ key }) => key)).toEqual(records.slice(3).map(({ key }) => key));
    await archive.close();
  });

  it('refuses to open a missing file for reading, naming it', () => {
    const path = join(dir, 'missing.sqlite');
    expect(() => new SqliteArchive(path, { readOnly: true })).toThrow(ArchiveError);
    expect(() => new SqliteArchive(path, { readOnly: true })).toThrow(path);
  });

  it('stores admin events with the acting user and the resource path as params', () => {
    const [record] = archiveRecordsOf(batchOf('admin', [adminEvent('x1', 'DELETE', 'USER', T0)]), redact);
    expect(record).toMatchObject({ eventID: 'admin_user_delete', host: 'acme', date: '2026-11-01T12:00:00.000Z' });
    expect(record!.params).toMatchObject({ act: 'DELETE', suid: 'admin-1', request: 'users/x1', cs5Label: 'resourceType', cs5: 'USER' });
  });
});
