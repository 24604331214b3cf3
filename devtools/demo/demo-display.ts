import { isoTimestamp } from '../../lib/core/formats/json-envelope.js';
import type { EnvelopeEventType } from '../../lib/core/formats/json-envelope.js';
import { REDACTED } from '../../lib/core/pipeline/redactor.js';
import type { ReceivedItem } from '../siem-receiver/siem-receiver.js';
import { customString, readCefLine } from './cef-reading.js';
import { readLeefLine } from './leef-reading.js';

/** What the demo has seen arrive at the SIEM, for its running count and final check. */
export interface DemoTally {
  received: number;
  byStream: { user: number; admin: number };
  duplicates: number;
  /** Items where a field that must be redacted arrived in clear. */
  unredacted: number;
  newestEventTime?: number;
}

/** One received event as the demo reads it, whatever the format. */
interface SeenEvent {
  key: string;
  eventType: EnvelopeEventType;
  timestamp: string;
  time?: number;
  what: string;
  error?: string;
  /** What the default redaction masks: user events' ipAddress and details.username, admin events' authDetails.ipAddress and representation. */
  mustBeRedacted: unknown[];
}

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields {
  return value !== null && typeof value === 'object' ? (value as Fields) : {};
}

/** The fields of a line's `details` JSON; none when it is absent or not JSON. */
function jsonFields(text: string | undefined): Fields {
  try {
    return fields(JSON.parse(text ?? '{}'));
  } catch {
    return {};
  }
}

function fromEnvelope(item: ReceivedItem): SeenEvent {
  const envelope = item.json as { timestamp?: string; eventType?: EnvelopeEventType; event?: Fields };
  const event = envelope.event ?? {};
  const isAdmin = envelope.eventType === 'admin-event';
  return {
    key: typeof event.id === 'string' ? event.id : item.text,
    eventType: isAdmin ? 'admin-event' : 'user-event',
    timestamp: envelope.timestamp ?? '?',
    ...(typeof event.time === 'number' ? { time: event.time } : {}),
    what: isAdmin ? `${String(event.operationType)} ${String(event.resourceType)}` : String(event.type),
    ...(typeof event.error === 'string' ? { error: event.error } : {}),
    mustBeRedacted: isAdmin ? [fields(event.authDetails).ipAddress, event.representation] : [event.ipAddress, fields(event.details).username],
  };
}

/**
 * A CEF line read back into the same view (lib/core/formats/cef-line-writer.ts): an address in
 * clear is `src`, a username `duser`, and what has no field of its own (a masked address, the
 * representation) is in the `details` custom string's JSON.
 */
function fromCef(item: ReceivedItem): SeenEvent {
  const reading = readCefLine(item.text);
  if (!reading) return { key: item.text, eventType: 'user-event', timestamp: '?', what: 'not a CEF line', mustBeRedacted: [] };
  const get = (key: string): string | undefined => reading.extension.get(key);
  const details = jsonFields(customString(reading, 'details'));
  const isAdmin = reading.signatureId.startsWith('admin_');
  const time = Number(get('rt'));
  const error = get('reason');
  return {
    key: get('externalId') ?? item.text,
    eventType: isAdmin ? 'admin-event' : 'user-event',
    timestamp: Number.isFinite(time) ? isoTimestamp(time) : '?',
    ...(Number.isFinite(time) ? { time } : {}),
    what: isAdmin ? `${get('act') ?? '?'} ${customString(reading, 'resourceType') ?? '?'}` : (get('act') ?? '?'),
    ...(error === undefined ? {} : { error }),
    mustBeRedacted: isAdmin
      ? [get('src') ?? fields(details.authDetails).ipAddress, details.representation]
      : [get('src') ?? details.ipAddress, get('duser') ?? fields(details.details).username],
  };
}

/**
 * An ECS document read back into the same view (lib/core/formats/ecs/ecs-formatter.ts): the
 * address is `source.address`, the username `user.name`, the representation under `keycloak.admin`.
 */
function fromEcs(item: ReceivedItem): SeenEvent {
  const document = fields(item.json);
  const event = fields(document.event);
  const keycloak = fields(document.keycloak);
  const isAdmin = keycloak.event_type === 'admin';
  const address = fields(document.source).address;
  const time = typeof document['@timestamp'] === 'string' ? Date.parse(document['@timestamp']) : Number.NaN;
  const error = fields(document.error).code;
  return {
    key: typeof event.id === 'string' ? event.id : item.text,
    eventType: isAdmin ? 'admin-event' : 'user-event',
    timestamp: typeof document['@timestamp'] === 'string' ? document['@timestamp'] : '?',
    ...(Number.isFinite(time) ? { time } : {}),
    what: isAdmin ? String(event.action).replace('-', ' ') : String(event.action),
    ...(typeof error === 'string' ? { error } : {}),
    mustBeRedacted: isAdmin ? [address, fields(keycloak.admin).representation] : [address, fields(document.user).name],
  };
}

/**
 * A LEEF line read back into the same view (lib/core/formats/leef/leef-formatter.ts): an address
 * in clear is `src`, a username `usrName` (the user id when there is none), and what has no key of
 * its own (a masked address, the representation) is in the `details` JSON.
 */
function fromLeef(item: ReceivedItem): SeenEvent {
  const reading = readLeefLine(item.text);
  if (!reading) return { key: item.text, eventType: 'user-event', timestamp: '?', what: 'not a LEEF line', mustBeRedacted: [] };
  const get = (key: string): string | undefined => reading.attributes.get(key);
  const details = jsonFields(get('details'));
  const isAdmin = reading.eventId.startsWith('admin_');
  const time = Date.parse((get('devTime') ?? '').replace(/\+0000$/, 'Z'));
  const error = get('reason');
  const username = get('usrName') === get('userId') ? fields(details.details).username : get('usrName');
  return {
    key: get('externalId') ?? item.text,
    eventType: isAdmin ? 'admin-event' : 'user-event',
    timestamp: Number.isFinite(time) ? isoTimestamp(time) : '?',
    ...(Number.isFinite(time) ? { time } : {}),
    what: isAdmin ? `${get('action') ?? '?'} ${get('resourceType') ?? '?'}` : (get('action') ?? '?'),
    ...(error === undefined ? {} : { error }),
    mustBeRedacted: isAdmin ? [get('src') ?? fields(details.authDetails).ipAddress, details.representation] : [get('src') ?? details.ipAddress, username],
  };
}

function seenEvent(item: ReceivedItem): SeenEvent {
  if (item.format === 'cef') return fromCef(item);
  if (item.format === 'leef') return fromLeef(item);
  return fields(item.json).ecs === undefined ? fromEnvelope(item) : fromEcs(item);
}

/** Counts one received item; returns its one-line summary and whether it is a user or an admin event. */
export function tallyItem(tally: DemoTally, seen: Set<string>, item: ReceivedItem): { line: string; eventType: EnvelopeEventType } {
  const event = seenEvent(item);
  tally.received += 1;
  if (seen.has(event.key)) tally.duplicates += 1;
  seen.add(event.key);
  tally.byStream[event.eventType === 'admin-event' ? 'admin' : 'user'] += 1;
  if (event.time !== undefined) tally.newestEventTime = Math.max(tally.newestEventTime ?? 0, event.time);
  if (event.mustBeRedacted.some((value) => value !== undefined && value !== null && value !== REDACTED)) tally.unredacted += 1;
  const error = event.error === undefined ? '' : `  error=${event.error}`;
  return { line: `${event.timestamp}  ${event.eventType.padEnd(11)}  ${event.what.padEnd(28)}${error}`, eventType: event.eventType };
}

/** The running status line. */
export function statusLine(tally: DemoTally, now: number): string {
  const lag = tally.newestEventTime === undefined ? '-' : `${((now - tally.newestEventTime) / 1000).toFixed(1)} s`;
  return (
    `SIEM received ${tally.received} (user ${tally.byStream.user}, admin ${tally.byStream.admin})` +
    ` · duplicates ${tally.duplicates} · unredacted ${tally.unredacted} · newest event ${lag} old`
  );
}
