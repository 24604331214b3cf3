import type { ArchiveReader } from '../archive/archive-store.js';
import type { DeliveryCounter } from '../archive/delivery-counter.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import type { CursorSnapshot } from '../core/cursor/cursor-store.js';
import type { Stream } from '../core/events/event-schemas.js';
import type { EventSource } from '../core/poller/event-source.js';
import type { Clock } from '../core/time/clock.js';
import { verifyRange } from '../verify/verify-range.js';
import type { VerifyReport } from '../verify/verify-range.js';

const DAY_MS = 86_400_000;

/** The metrics the daily verification writes, per realm and stream. */
export type VerificationMetric = 'MissingEvents' | 'VerifiedEvents' | 'ExtraEvents';

/** What {@link verifyDay} needs. */
export interface DailyVerificationOptions {
  /** MPAS: the MpasClient of the configuration. */
  source: EventSource;
  /** The S3 archive (the forwarder's bucket). */
  archive: ArchiveReader & Partial<DeliveryCounter>;
  /** The live cursor, to tell a day the poller has not finished from a day with gaps. */
  cursor: { read(): Promise<CursorSnapshot> };
  realms: readonly string[];
  streams: readonly Stream[];
  pageSize: number;
  clock: Clock;
  /** The UTC day to verify, `yyyy-MM-dd`; default the day before today (UTC). */
  day?: string;
  emit: (metric: VerificationMetric, realm: string, stream: Stream, value: number) => void;
  signal?: AbortSignal;
}

/** How a day's verification ended. */
export type DailyVerificationResult =
  | { status: 'verified'; day: string; report: VerifyReport }
  /** The live cursor has not read to the day's end for these streams yet: nothing was compared. */
  | { status: 'not-yet'; day: string; behind: Array<{ realm: string; stream: Stream; readUpTo: string }> };

/** The day before `now` (UTC), `yyyy-MM-dd`. */
export function yesterdayOf(now: number): string {
  return new Date(Math.floor(now / DAY_MS) * DAY_MS - DAY_MS).toISOString().slice(0, 10);
}

/**
 * Verifies one UTC day (`verify` for the AWS deployment): MPAS read again with the poller's
 * walks, compared with the S3 archive, and `MissingEvents`, `VerifiedEvents` and `ExtraEvents`
 * written per realm and stream. A day the live cursor has not read to its end is not compared
 * (its events are not missing, only not read yet) and writes nothing.
 * @throws RangeError for a `day` that is not `yyyy-MM-dd` or not over yet.
 */
export async function verifyDay(options: DailyVerificationOptions): Promise<DailyVerificationResult> {
  const now = options.clock.now();
  const day = options.day ?? yesterdayOf(now);
  const from = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(from)) throw new RangeError(`day must be a date such as 2026-11-20, got "${day}"`);
  const to = from + DAY_MS - 1;
  if (to >= now) throw new RangeError(`day ${day} is not over yet`);

  // A quiet stream's position stays at its newest event; the reading it recorded says how far it read.
  const snapshot = await options.cursor.read();
  const behind: Array<{ realm: string; stream: Stream; readUpTo: string }> = [];
  for (const realm of options.realms) {
    for (const stream of options.streams) {
      const position = snapshot.positions[streamKey(realm, stream)];
      const readUpTo = Math.max(position?.time ?? 0, position?.read?.windowEnd ?? 0);
      if (readUpTo < to) behind.push({ realm, stream, readUpTo: new Date(readUpTo).toISOString() });
    }
  }
  if (behind.length > 0) return { status: 'not-yet', day, behind };

  const report = await verifyRange({
    source: options.source,
    archive: options.archive,
    realms: options.realms,
    streams: options.streams,
    from,
    to,
    pageSize: options.pageSize,
    now: () => options.clock.now(),
    signal: options.signal,
  });
  for (const row of report.streams) {
    options.emit('MissingEvents', row.realm, row.stream, row.missing);
    options.emit('VerifiedEvents', row.realm, row.stream, row.found);
    options.emit('ExtraEvents', row.realm, row.stream, row.extra);
  }
  return { status: 'verified', day, report };
}
