import type { ArchiveRecord } from '../archive/archive-record.js';
import type { ArchiveReader } from '../archive/archive-store.js';
import type { DeliveryCounter } from '../archive/delivery-counter.js';
import type { ApiMode, StreamPosition } from '../core/cursor/cursor-store.js';
import type { MpasEvent, Stream } from '../core/events/event-schemas.js';
import { eventKeyCandidates } from '../core/events/legacy-key.js';
import { scrubCredentials } from '../core/pipeline/credential-scrubber.js';
import type { EventSource } from '../core/poller/event-source.js';
import { walkLegacy } from '../core/poller/legacy-walk.js';
import { walkModern } from '../core/poller/modern-walk.js';
import type { Walk, WalkContext } from '../core/poller/walk.js';

/** What {@link verifyRange} compares. */
export interface VerifyRangeOptions {
  /** MPAS: the MpasClient of the configuration. */
  source: EventSource;
  archive: ArchiveReader & Partial<DeliveryCounter>;
  realms: readonly string[];
  streams: readonly Stream[];
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, inclusive. */
  to: number;
  pageSize: number;
  now: () => number;
  signal?: AbortSignal;
  /** The poller's walks by API mode (tests may pass others). */
  walks?: Record<ApiMode, Walk>;
}

/** An event MPAS holds that the archive does not. */
export interface MissingEvent {
  realm: string;
  stream: Stream;
  key: string;
  /** ISO-8601 UTC. */
  time: string;
  /** `type` of a user event, `operationType resourceType` of an admin event. */
  type: string;
}

/** An event stored more than once. */
export interface DuplicatedEvent {
  realm: string;
  stream: Stream;
  key: string;
  /** How many times it was handed to delivery, as far as the archive can tell. */
  copies: number;
  /** Why it counts: the archive's delivery count, or two keys of one event (before and after an upgrade). */
  reason: 'stored-again' | 'hash-and-id';
}

/** An archived event MPAS no longer (or never) held in the range. */
export interface ExtraEvent {
  realm: string;
  stream: Stream;
  key: string;
  /** ISO-8601 UTC. */
  time: string;
  eventID: string;
}

/** One realm's stream. */
export interface StreamVerification {
  realm: string;
  stream: Stream;
  mode: ApiMode;
  /** Distinct events MPAS served for the range. */
  read: number;
  /** Of those, in the archive (by key, or by the hash key it had before an upgrade). */
  found: number;
  missing: number;
  /** Undefined when the archive cannot tell. */
  duplicated?: number;
  extra: number;
}

/** What {@link verifyRange} found. */
export interface VerifyReport {
  streams: StreamVerification[];
  totals: { read: number; found: number; missing: number; duplicated?: number; extra: number };
  missing: MissingEvent[];
  duplicated: DuplicatedEvent[];
  /** Whether deliveries per key could be counted; when not, `duplicated` only holds hash-and-id pairs. */
  duplicatesCounted: boolean;
  extra: ExtraEvent[];
}

const DEFAULT_WALKS: Record<ApiMode, Walk> = { modern: walkModern, legacy: walkLegacy };

/** The stream of an archived record: the catalog's signature ids start with `user_` or `admin_`. */
export function streamOfRecord(record: Pick<ArchiveRecord, 'eventID'>): Stream {
  return record.eventID.startsWith('admin_') ? 'admin' : 'user';
}

/**
 * Every key under which the archive may hold the event: its key and, after an upgrade, its legacy
 * hash key (see `eventKeyCandidates`), each also of the event with its credentials scrubbed. The
 * poller scrubs events of both streams before they are queued and the archive keys what it
 * received, so an id-less event that held a credential is archived under the hash of the scrubbed
 * event, not under the key the cursor gave it.
 */
export function archiveKeyCandidates(event: MpasEvent): string[] {
  const candidates = eventKeyCandidates(event);
  const scrubbed = scrubCredentials(event);
  if (scrubbed !== event) candidates.push(...eventKeyCandidates(scrubbed));
  return [...new Set(candidates)];
}

function typeOf(event: MpasEvent, stream: Stream): string {
  const fields = event as Record<string, unknown>;
  if (stream === 'user') return String(fields['type'] ?? '');
  return [fields['operationType'], fields['resourceType']].filter((part) => typeof part === 'string' && part.length > 0).join(' ');
}

/**
 * Everything MPAS holds for one realm's stream in [from, to], read by the poller's own walk (the
 * same paging, ties and time zones as delivery) from a position at `from` with an empty boundary,
 * its `deliver` collecting instead of enqueueing. Keyed by `eventKey`, so an event served twice
 * counts once.
 */
async function readStream(options: VerifyRangeOptions, realm: string, stream: Stream): Promise<{ mode: ApiMode; events: Map<string, MpasEvent> }> {
  const mode = await options.source.apiMode(realm);
  const walk = (options.walks ?? DEFAULT_WALKS)[mode];
  const events = new Map<string, MpasEvent>();
  const context: WalkContext = {
    source: options.source,
    realm,
    stream,
    pageSize: options.pageSize,
    windowEnd: options.to,
    now: options.now,
    signal: options.signal,
    deliver: async (chunk) => {
      for (const item of chunk) if (item.event.time >= options.from && item.event.time <= options.to) events.set(item.key, item.event);
    },
    shouldStop: () => options.signal?.aborted ?? false,
  };
  const start: StreamPosition = { time: options.from, boundary: [], mode, updatedAt: options.now() };
  const result = await walk(context, start);
  if (!result.done) {
    options.signal?.throwIfAborted();
    throw new Error(`the ${mode} walk of realm ${realm} ${stream} events stopped before --to`);
  }
  return { mode, events };
}

/**
 * Re-reads [from, to] from MPAS and compares it, key by key, with the event archive: what MPAS
 * holds and the archive lacks is missing; what the archive holds and MPAS does not (deleted by
 * its expiration, or from another server) is extra; an event the archive stored more than once
 * (when it can tell) or under both its legacy hash key and its id is duplicated.
 */
export async function verifyRange(options: VerifyRangeOptions): Promise<VerifyReport> {
  const fromIso = new Date(options.from).toISOString();
  // The archive's `to` is exclusive; the range's is inclusive.
  const toIso = new Date(options.to + 1).toISOString();
  const realms = new Set(options.realms);
  const streams = new Set(options.streams);
  const archived = (await options.archive.read({ from: fromIso, to: toIso, order: 'asc', limit: Number.MAX_SAFE_INTEGER })).filter(
    (record) => realms.has(record.host) && streams.has(streamOfRecord(record)),
  );
  const archivedByKey = new Map(archived.map((record) => [record.key, record]));
  const counts = options.archive.repeatedDeliveries ? await options.archive.repeatedDeliveries(fromIso, toIso) : undefined;

  const matched = new Set<string>();
  const missing: MissingEvent[] = [];
  const duplicated: DuplicatedEvent[] = [];
  const perStream: StreamVerification[] = [];
  for (const realm of options.realms) {
    for (const stream of options.streams) {
      const { mode, events } = await readStream(options, realm, stream);
      let found = 0;
      let repeated = 0;
      for (const [key, event] of events) {
        const present = archiveKeyCandidates(event).filter((candidate) => archivedByKey.has(candidate));
        if (present.length === 0) {
          missing.push({ realm, stream, key, time: new Date(event.time).toISOString(), type: typeOf(event, stream) });
          continue;
        }
        found += 1;
        for (const candidate of present) matched.add(candidate);
        const copies = present.reduce((sum, candidate) => sum + (counts?.get(candidate) ?? 1), 0);
        if (copies > 1) {
          repeated += 1;
          duplicated.push({ realm, stream, key, copies, reason: present.length > 1 ? 'hash-and-id' : 'stored-again' });
        }
      }
      perStream.push({ realm, stream, mode, read: events.size, found, missing: events.size - found, ...(counts ? { duplicated: repeated } : {}), extra: 0 });
    }
  }

  const extra: ExtraEvent[] = archived
    .filter((record) => !matched.has(record.key))
    .map((record) => ({ realm: record.host, stream: streamOfRecord(record), key: record.key, time: record.date, eventID: record.eventID }));
  for (const item of extra) {
    const row = perStream.find((candidate) => candidate.realm === item.realm && candidate.stream === item.stream);
    if (row) row.extra += 1;
  }
  const byTime = (a: { time: string; key: string }, b: { time: string; key: string }): number => (a.time === b.time ? a.key.localeCompare(b.key) : a.time < b.time ? -1 : 1);
  missing.sort(byTime);
  extra.sort(byTime);
  const sum = (pick: (row: StreamVerification) => number): number => perStream.reduce((total, row) => total + pick(row), 0);
  return {
    streams: perStream,
    totals: {
      read: sum((row) => row.read),
      found: sum((row) => row.found),
      missing: missing.length,
      ...(counts ? { duplicated: duplicated.length } : {}),
      extra: extra.length,
    },
    missing,
    duplicated,
    duplicatesCounted: counts !== undefined,
    extra,
  };
}
