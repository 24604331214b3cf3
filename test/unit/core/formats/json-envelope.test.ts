import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTimestamp, jsonEnvelopeFormatter, toEnvelope } from '../../../../lib/core/formats/json-envelope.js';
import { canonicalJson } from '../../../../lib/core/events/event-key.js';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { adminEventSchema, userEventSchema } from '../../../../lib/core/events/event-schemas.js';
import { scrubCredentials } from '../../../../lib/core/pipeline/credential-scrubber.js';
import { DEFAULT_ADMIN_REDACTED_FIELDS, DEFAULT_USER_REDACTED_FIELDS, createRedactor } from '../../../../lib/core/pipeline/redactor.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/seed-samples/${name}`, import.meta.url), 'utf8');
}

// The raw events the original service's samples were made from: the same fields, with the real values
// that the default redaction hides.
const rawAdminEvent: AdminEvent = adminEventSchema.parse({
  time: 1739388468633,
  realmId: '51881d96-bc7f-4c97-aa51-77548224d5e0',
  authDetails: {
    realmId: '9bafbd1b-7323-4da3-955a-56a5def096fa',
    clientId: 'd5ba73e7-33b2-4947-ba61-a12b530c7725',
    userId: '82e179b6-e630-4bae-95fd-e7d88cd2b183',
    ipAddress: '203.0.113.41',
  },
  operationType: 'DELETE',
  resourceType: 'USER_SESSION',
  resourcePath: 'sessions/887cec96-6bc1-4e80-b773-c060ed1935ae',
  representation: '{"id":"887cec96-6bc1-4e80-b773-c060ed1935ae","username":"jane.doe@example.com","ipAddress":"203.0.113.99"}',
});

const rawUserEvent: UserEvent = userEventSchema.parse({
  time: 1739388470156,
  type: 'LOGIN',
  realmId: '51881d96-bc7f-4c97-aa51-77548224d5e0',
  clientId: 'admin-cli',
  userId: '8069b335-7653-4339-bd54-aad69a1f1cca',
  sessionId: 'd81367f3-b449-4f4e-92a7-8fab95940160',
  ipAddress: '198.51.100.23',
  details: {
    auth_method: 'openid-connect',
    token_id: 'd4e59faa-ab60-4520-8180-e18518b61322',
    grant_type: 'password',
    refresh_token_type: 'Refresh',
    scope: 'profile email',
    refresh_token_id: 'b28dfff9-3d54-430d-907b-444aef903d9d',
    client_auth_method: 'client-secret',
    username: 'mpas-log-sync',
  },
});

const context = { tenant: 'acme', realm: 'acme-realm' };
const redact = createRedactor({ mode: 'mask', userFields: DEFAULT_USER_REDACTED_FIELDS, adminFields: DEFAULT_ADMIN_REDACTED_FIELDS });

describe('jsonEnvelopeFormatter', () => {
  it('produces the seed admin event sample from its raw event, with default redaction', () => {
    const text = jsonEnvelopeFormatter.encode(redact(scrubCredentials(rawAdminEvent), 'admin'), { ...context, stream: 'admin' });
    expect(canonicalJson(JSON.parse(text))).toBe(canonicalJson(JSON.parse(fixture('admin-event.json'))));
  });

  it('produces the seed user event sample from its raw event, with default redaction', () => {
    const text = jsonEnvelopeFormatter.encode(redact(rawUserEvent, 'user'), { ...context, stream: 'user' });
    expect(canonicalJson(JSON.parse(text))).toBe(canonicalJson(JSON.parse(fixture('user-event.json'))));
  });

  it('keeps the seed key order: timestamp, eventType, event, and the event as MPAS sent it', () => {
    const user = jsonEnvelopeFormatter.encode(redact(rawUserEvent, 'user'), { ...context, stream: 'user' });
    expect(user).toBe(JSON.stringify(JSON.parse(fixture('user-event.json'))));
    const admin = jsonEnvelopeFormatter.encode(redact(rawAdminEvent, 'admin'), { ...context, stream: 'admin' });
    expect(admin).toBe(JSON.stringify(JSON.parse(fixture('admin-event.json'))));
  });

  it('is compact JSON, one line per event', () => {
    const text = jsonEnvelopeFormatter.encode(rawAdminEvent, { ...context, stream: 'admin' });
    expect(text).not.toContain('\n');
    expect(jsonEnvelopeFormatter.format).toBe('json');
  });
});

describe('toEnvelope', () => {
  it('renders time as ISO-8601 with milliseconds and Z, even on a whole second', () => {
    expect(toEnvelope({ ...rawUserEvent, time: 1739388470000 }, 'user').timestamp).toBe('2025-02-12T19:27:50.000Z');
    expect(toEnvelope({ ...rawUserEvent, time: 0 }, 'user').timestamp).toBe('1970-01-01T00:00:00.000Z');
  });

  it('names the stream as the seed does', () => {
    expect(toEnvelope(rawUserEvent, 'user').eventType).toBe('user-event');
    expect(toEnvelope(rawAdminEvent, 'admin').eventType).toBe('admin-event');
  });

  it('wraps the event itself, without copying it', () => {
    expect(toEnvelope(rawAdminEvent, 'admin').event).toBe(rawAdminEvent);
  });
});

describe('isoTimestamp', () => {
  it('equals Date#toISOString for any time, in any order (seeded property)', () => {
    const seed = 4242;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 8.64e15 }), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_005_000 })), { maxLength: 50 }), (times) => {
        for (const time of times) expect(isoTimestamp(time), `seed ${seed}, time ${time}`).toBe(new Date(time).toISOString());
      }),
      { seed, numRuns: 300 },
    );
  });

  it('throws for a time no Date holds, as toISOString does', () => {
    expect(() => isoTimestamp(8.64e15 + 1)).toThrow(RangeError);
  });
});
