import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import sqlite from 'node-sqlite3-wasm';
import type { Database } from 'node-sqlite3-wasm';
import type { ArchiveRecord } from './archive-record.js';
import { ArchiveError } from './archive-store.js';
import type { ArchiveQuery, ArchiveReader, ArchiveStore, ArchiveUnit } from './archive-store.js';
import type { DeliveryCounter } from './delivery-counter.js';

// Seed 002's table and indexes, SQLite types; eventKey (unique) makes a second copy a no-op.
// audit_event_deliveries sits beside it, so PAS 6.0's table stays exactly PAS 6.0's: how many
// times each event was stored, i.e. handed to delivery (a page sent again after a crash or a
// failed delivery is stored again), so `verify` can show events the SIEM may hold twice.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  eventID TEXT NOT NULL,
  message TEXT NOT NULL,
  host TEXT NOT NULL,
  params TEXT NOT NULL,
  date TEXT NOT NULL,
  eventKey TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_event_date ON audit_events (date);
CREATE INDEX IF NOT EXISTS audit_event_id ON audit_events (eventID);
CREATE UNIQUE INDEX IF NOT EXISTS audit_event_key ON audit_events (eventKey);
CREATE TABLE IF NOT EXISTS audit_event_deliveries (
  eventKey TEXT PRIMARY KEY,
  copies INTEGER NOT NULL
);
`;

// SQLite through WASM runs on the event loop: rows go in by transactions of this size, with a
// turn of the loop between them, so deliveries interleave with a large write.
const ROWS_PER_TRANSACTION = 500;

/**
 * The local event archive: one SQLite file (node-sqlite3-wasm: SQLite compiled to WebAssembly,
 * reading and writing the file through Node's fs, so it installs without a native build or a
 * download) with PAS 6.0's `audit_events` schema. `date` is ISO-8601 text in UTC, which sorts
 * as time does.
 */
export class SqliteArchive implements ArchiveStore, ArchiveReader, DeliveryCounter {
  private readonly db: Database;

  constructor(readonly path: string, options: { readOnly?: boolean } = {}) {
    try {
      if (!options.readOnly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.db = new sqlite.Database(path, { fileMustExist: options.readOnly === true, readOnly: options.readOnly === true });
      if (!options.readOnly) this.db.exec(SCHEMA);
    } catch (error) {
      throw new ArchiveError('open', `cannot open the SQLite file ${path}: ${messageOf(error)}`, { cause: error });
    }
  }

  async write(units: readonly ArchiveUnit[]): Promise<void> {
    const rows = units.flatMap(({ records }) => records);
    for (let start = 0; start < rows.length; start += ROWS_PER_TRANSACTION) {
      if (start > 0) await nextTurn();
      this.guard('write', () => {
        const insert = this.db.prepare('INSERT OR IGNORE INTO audit_events (eventID, message, host, params, date, eventKey) VALUES (?, ?, ?, ?, ?, ?)');
        const count = this.db.prepare('INSERT INTO audit_event_deliveries (eventKey, copies) VALUES (?, 1) ON CONFLICT (eventKey) DO UPDATE SET copies = copies + 1');
        this.db.exec('BEGIN');
        try {
          for (const row of rows.slice(start, start + ROWS_PER_TRANSACTION)) {
            insert.run([row.eventID, row.message, row.host, JSON.stringify(row.params), row.date, row.key]);
            count.run([row.key]);
          }
          this.db.exec('COMMIT');
        } catch (error) {
          this.db.exec('ROLLBACK');
          throw error;
        } finally {
          insert.finalize();
          count.finalize();
        }
      });
    }
  }

  async deleteOlderThan(cutoff: string): Promise<number> {
    return this.guard('retention', () => {
      const deleted = this.db.run('DELETE FROM audit_events WHERE date < ?', [cutoff]).changes;
      if (deleted > 0) this.db.run('DELETE FROM audit_event_deliveries WHERE eventKey NOT IN (SELECT eventKey FROM audit_events)');
      return deleted;
    });
  }

  async repeatedDeliveries(from: string, to: string): Promise<Map<string, number> | undefined> {
    return this.guard('read', () => {
      // A file written before the counts existed (opened read-only, nothing creates the table).
      if (this.db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_event_deliveries'").length === 0) return undefined;
      const rows = this.db.all(
        'SELECT d.eventKey AS eventKey, d.copies AS copies FROM audit_event_deliveries d JOIN audit_events a ON a.eventKey = d.eventKey WHERE d.copies > 1 AND a.date >= ? AND a.date < ?',
        [from, to],
      );
      return new Map(rows.map((row) => [String(row['eventKey']), Number(row['copies'])]));
    });
  }

  async read(query: ArchiveQuery): Promise<ArchiveRecord[]> {
    const where: string[] = [];
    const values: string[] = [];
    if (query.from !== undefined) {
      where.push('date >= ?');
      values.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('date < ?');
      values.push(query.to);
    }
    const sql = `SELECT eventID, message, host, params, date, eventKey FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY date ${query.order === 'asc' ? 'ASC' : 'DESC'}, eventKey LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    const rows = this.guard('read', () => this.db.all(sql, values));
    return rows.map((row) => ({
      key: String(row['eventKey']),
      eventID: String(row['eventID']),
      message: String(row['message']),
      host: String(row['host']),
      params: JSON.parse(String(row['params'])) as Record<string, string>,
      date: String(row['date']),
    }));
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  private guard<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw new ArchiveError(operation, `${messageOf(error)} (${this.path})`, { cause: error });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
