import { readFileSync } from 'node:fs';
import { formatterFor } from '../../lib/core/formats/format-registry.js';
import type { FormatName } from '../../lib/core/formats/format-registry.js';
import type { JsonEnvelope } from '../../lib/core/formats/json-envelope.js';
import { eventKey } from '../../lib/core/events/event-key.js';
import type { MpasEvent, Stream } from '../../lib/core/events/event-schemas.js';
import { createRedactor, DEFAULT_ADMIN_REDACTED_FIELDS, DEFAULT_USER_REDACTED_FIELDS } from '../../lib/core/pipeline/redactor.js';
import type { OutboundEvent } from '../../lib/sinks/sink.js';
import type { Sleep } from '../../lib/core/time/sleep.js';

/** The seed's two sample documents (test/fixtures/seed-samples/), already redacted as the seed shows them. */
export function seedSampleEnvelopes(): { admin: JsonEnvelope; user: JsonEnvelope } {
  const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/seed-samples/${name}`, import.meta.url), 'utf8')) as JsonEnvelope;
  return { admin: read('admin-event.json'), user: read('user-event.json') };
}

/**
 * The seed's two events as MPAS sends them (personal data and a credential in place of the
 * masks), run through the forwarder's default redaction and the given format: what a sink
 * receives for them. `envelopes` are the original service's documents, in the same order (admin, user).
 */
export function seedSampleOutbound(format: FormatName): { events: OutboundEvent[]; envelopes: JsonEnvelope[] } {
  const { admin, user } = seedSampleEnvelopes();
  const rawAdmin = structuredClone(admin.event) as Record<string, unknown>;
  (rawAdmin['authDetails'] as Record<string, unknown>)['ipAddress'] = '198.51.100.23';
  rawAdmin['representation'] = '{"username":"bob","credentials":[{"type":"password","value":"hunter2"}]}';
  const rawUser = structuredClone(user.event) as Record<string, unknown>;
  rawUser['ipAddress'] = '203.0.113.7';
  (rawUser['details'] as Record<string, unknown>)['username'] = 'alice@example.com';
  const redact = createRedactor({ mode: 'mask', userFields: DEFAULT_USER_REDACTED_FIELDS, adminFields: DEFAULT_ADMIN_REDACTED_FIELDS });
  const formatter = formatterFor(format, { version: '0.1.0' });
  const outbound = (raw: Record<string, unknown>, stream: Stream): OutboundEvent => {
    const event = redact(raw as MpasEvent, stream);
    return { key: eventKey(raw as MpasEvent), time: event.time, realm: 'acme', stream, payload: formatter.encode(event, { tenant: 'acme', realm: 'acme', stream, key: eventKey(raw as MpasEvent) }) };
  };
  return { events: [outbound(rawAdmin, 'admin'), outbound(rawUser, 'user')], envelopes: [admin, user] };
}

/** Synthetic JSON envelopes whose `event.id` is the key, so a receiver's copy names its event. */
export function keyedEnvelopeEvents(count: number, prefix = 'e'): OutboundEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const time = 1_739_388_468_633 + i;
    const event = { id: `${prefix}${i}`, time, type: 'LOGIN', realmId: 'acme', userId: `u${i % 97}`, ipAddress: '<redacted>' };
    const payload = JSON.stringify({ timestamp: new Date(time).toISOString(), eventType: 'user-event', event });
    return { key: event.id, time, realm: 'acme', stream: 'user' as const, payload };
  });
}

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep(): Sleep & { calls: number[] } {
  const calls: number[] = [];
  return Object.assign(async (ms: number) => void calls.push(ms), { calls });
}

/** Sorted copy, for comparing key multisets. */
export function sortedKeys(keys: readonly string[]): string[] {
  return [...keys].sort();
}
