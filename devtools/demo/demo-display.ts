import type { ReceivedItem } from '../siem-receiver/siem-receiver.js';

/** What the demo has seen arrive at the SIEM, for its running count and final check. */
export interface DemoTally {
  received: number;
  byStream: { user: number; admin: number };
  duplicates: number;
  /** Items where a field that must be redacted arrived in clear. */
  unredacted: number;
  newestEventTime?: number;
}

const REDACTED = '<redacted>';

/** Counts one received item; returns the one-line summary to print for it. */
export function tallyItem(tally: DemoTally, seen: Set<string>, item: ReceivedItem): string {
  tally.received += 1;
  if (item.format === 'cef') {
    if (seen.has(item.text)) tally.duplicates += 1;
    seen.add(item.text);
    return item.text;
  }
  const envelope = item.json as { timestamp?: string; eventType?: string; event?: Record<string, unknown> };
  const event = envelope.event ?? {};
  const key = typeof event.id === 'string' ? event.id : item.text;
  if (seen.has(key)) tally.duplicates += 1;
  seen.add(key);
  const isAdmin = envelope.eventType === 'admin-event';
  tally.byStream[isAdmin ? 'admin' : 'user'] += 1;
  if (typeof event.time === 'number') tally.newestEventTime = Math.max(tally.newestEventTime ?? 0, event.time);
  const details = (event.details ?? {}) as Record<string, unknown>;
  const authDetails = (event.authDetails ?? {}) as Record<string, unknown>;
  const mustBeRedacted = isAdmin ? [authDetails.ipAddress, event.representation] : [event.ipAddress, details.username];
  if (mustBeRedacted.some((value) => value !== undefined && value !== null && value !== REDACTED)) tally.unredacted += 1;
  const what = isAdmin ? `${String(event.operationType)} ${String(event.resourceType)}` : String(event.type);
  const error = typeof event.error === 'string' ? `  error=${event.error}` : '';
  return `${envelope.timestamp ?? '?'}  ${(envelope.eventType ?? '?').padEnd(11)}  ${what.padEnd(28)}${error}`;
}

/** The running status line. */
export function statusLine(tally: DemoTally, now: number): string {
  const lag = tally.newestEventTime === undefined ? '-' : `${((now - tally.newestEventTime) / 1000).toFixed(1)} s`;
  return (
    `SIEM received ${tally.received} (user ${tally.byStream.user}, admin ${tally.byStream.admin})` +
    ` · duplicates ${tally.duplicates} · unredacted ${tally.unredacted} · newest event ${lag} old`
  );
}
