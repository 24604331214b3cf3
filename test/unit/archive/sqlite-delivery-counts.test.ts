import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveRecordsOf } from '../../../lib/archive/archive-record.js';
import type { ArchiveRecord } from '../../../lib/archive/archive-record.js';
import { SqliteArchive } from '../../../lib/archive/sqlite-archive.js';
import { createRedactor } from '../../../lib/core/pipeline/redactor.js';
import { batchOf, userEvent } from '../../support/route-fixtures.js';

const redact = createRedactor({ mode: 'mask', userFields: ['ipAddress'], adminFields: [] });
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 12);

function recordsOf(count: number, start = T0): ArchiveRecord[] {
  return archiveRecordsOf(batchOf('user', Array.from({ length: count }, (_, index) => userEvent(`u${index}`, 'LOGIN', start + index * HOUR))), redact);
}

describe('SqliteArchive delivery counts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-counts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts how often each event was stored, still one row per event, within the date window asked', async () => {
    const path = join(dir, 'a.sqlite');
    const records = recordsOf(6);
    const archive = new SqliteArchive(path);
    await archive.write([{ id: 'b1', records }]);
    // A page sent again after a crash (same batch), and one event again in another batch.
    await archive.write([{ id: 'b1', records: records.slice(0, 2) }, { id: 'b2', records: records.slice(1, 2) }]);
    await archive.close();

    const reader = new SqliteArchive(path, { readOnly: true });
    expect(await reader.read({ order: 'asc', limit: 100 })).toHaveLength(6);
    const all = await reader.repeatedDeliveries(records[0]!.date, new Date(T0 + 24 * HOUR).toISOString());
    expect(all).toEqual(new Map([[records[0]!.key, 2], [records[1]!.key, 3]]));
    // `to` is exclusive, as the reader's window.
    expect(await reader.repeatedDeliveries(records[0]!.date, records[1]!.date)).toEqual(new Map([[records[0]!.key, 2]]));
    await reader.close();
  });

  it('forgets the counts of what the retention deleted', async () => {
    const path = join(dir, 'a.sqlite');
    const records = recordsOf(4);
    const archive = new SqliteArchive(path);
    await archive.write([{ id: 'b1', records }, { id: 'b1', records }]);
    expect(await archive.deleteOlderThan(records[2]!.date)).toBe(2);
    const db = new sqlite.Database(path, { readOnly: true });
    try {
      expect(db.all('SELECT eventKey FROM audit_event_deliveries ORDER BY eventKey').map((row) => row['eventKey'])).toEqual(records.slice(2).map(({ key }) => key).sort());
    } finally {
      db.close();
    }
    await archive.close();
  });

  it('answers undefined for a file written before the counts existed', async () => {
    const path = join(dir, 'old.sqlite');
    const db = new sqlite.Database(path);
    db.exec('CREATE TABLE audit_events (eventID TEXT NOT NULL, message TEXT NOT NULL, host TEXT NOT NULL, params TEXT NOT NULL, date TEXT NOT NULL, eventKey TEXT NOT NULL)');
    db.close();
    const reader = new SqliteArchive(path, { readOnly: true });
    expect(await reader.repeatedDeliveries('2026-01-01', '2027-01-01')).toBeUndefined();
    await reader.close();
  });
});
