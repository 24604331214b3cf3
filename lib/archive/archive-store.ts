import type { ArchiveRecord } from './archive-record.js';

/** The archived records of one queue batch; `id` is the batch id, so storing it again replaces it. */
export interface ArchiveUnit {
  id: string;
  records: ArchiveRecord[];
}

/** Where archive records are kept (SQLite locally, S3 on AWS). */
export interface ArchiveStore {
  /** Stores the units; storing a unit (or an event) again leaves one copy. */
  write(units: readonly ArchiveUnit[]): Promise<void>;
  /** Deletes every record dated before `cutoff` (ISO-8601); returns how many (or how many objects). */
  deleteOlderThan(cutoff: string): Promise<number>;
  close(): Promise<void>;
}

/** Which records a report reads: a date window (ISO-8601, `from` inclusive, `to` exclusive), newest or oldest first. */
export interface ArchiveQuery {
  from?: string;
  to?: string;
  order: 'asc' | 'desc';
  limit: number;
}

/** Reads the archive for reports. */
export interface ArchiveReader {
  read(query: ArchiveQuery): Promise<ArchiveRecord[]>;
  close(): Promise<void>;
}

/** The archive store failed; `operation` names what it was doing. */
export class ArchiveError extends Error {
  override readonly name: string = 'ArchiveError';
  constructor(
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`event archive, ${operation}: ${message}`, options);
  }
}
