import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../../../../devtools/generators/event-generator.js';
import { isCanonicalAdminEvent, isCanonicalUserEvent, isPlainRecord } from '../../../../lib/core/events/event-fast-check.js';
import { adminEventSchema, userEventSchema } from '../../../../lib/core/events/event-schemas.js';

const SEED = 20251122;
const generated = generateEvents({ seed: 11, realm: 'acme', count: 400, startTime: Date.parse('2025-03-01T00:00:00Z'), adminShare: 0.4 });

// Values that sit on the edges of the schemas: empty text, nulls, wrong types, big and odd numbers.
const edgeValue = fc.oneof(
  fc.constantFrom<unknown>('', 'x', null, undefined, 0, -0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, true, [], {}, { a: 'b' }, { a: null }, { a: 1 }),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(null), fc.integer())),
);
const userKeys = ['id', 'time', 'type', 'realmId', 'clientId', 'userId', 'sessionId', 'ipAddress', 'error', 'details', 'extra', '__proto__'];
const adminKeys = ['id', 'time', 'realmId', 'authDetails', 'operationType', 'resourceType', 'resourcePath', 'representation', 'error', 'details', 'extra', '__proto__'];

/** A real event with some members changed, dropped, added or moved, decoded from JSON as the forwarder gets it. */
function mutated(events: readonly object[], keys: readonly string[]) {
  return fc
    .record({
      base: fc.constantFrom(...events),
      edits: fc.array(fc.tuple(fc.constantFrom(...keys), fc.oneof(edgeValue, fc.constant('<delete>'))), { maxLength: 3 }),
      rotate: fc.nat({ max: 12 }),
    })
    .map(({ base, edits, rotate }) => {
      const event: Record<string, unknown> = JSON.parse(JSON.stringify(base));
      for (const [key, value] of edits) {
        if (value === '<delete>') delete event[key];
        else if (key === '__proto__') Object.defineProperty(event, key, { value, enumerable: true, writable: true, configurable: true });
        else event[key] = value;
      }
      // Moving the first members to the end: the order zod would not keep.
      const entries = Object.entries(event);
      const moved = [...entries.slice(rotate % 3 === 0 ? rotate % entries.length : 0), ...entries.slice(0, rotate % 3 === 0 ? rotate % entries.length : 0)];
      return JSON.parse(JSON.stringify(Object.fromEntries(moved))) as unknown;
    });
}

describe('isCanonicalUserEvent', () => {
  it('passes every generated user event, the hot path', () => {
    for (const event of JSON.parse(JSON.stringify(generated.user)) as unknown[]) expect(isCanonicalUserEvent(event)).toBe(true);
  });

  it('passes only what zod accepts and returns unchanged, member order included (seeded property)', () => {
    fc.assert(
      fc.property(mutated(generated.user, userKeys), (event) => {
        if (!isCanonicalUserEvent(event)) return;
        const parsed = userEventSchema.safeParse(event);
        expect(parsed.success, `seed ${SEED}: accepted an event zod refuses: ${JSON.stringify(event)}`).toBe(true);
        expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(event));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('refuses what zod refuses: no time, an empty type, a fractional time, a numeric detail', () => {
    const base = JSON.parse(JSON.stringify(generated.user[0])) as Record<string, unknown>;
    for (const bad of [{ time: undefined }, { type: '' }, { time: 1.5 }, { time: -1 }, { details: { a: 1 } }, { ipAddress: 5 }, { id: null }]) {
      const event = JSON.parse(JSON.stringify({ ...base, ...bad })) as unknown;
      expect(userEventSchema.safeParse(event).success).toBe(false);
      expect(isCanonicalUserEvent(event)).toBe(false);
    }
  });

  it('leaves to zod an event whose members are not in the schema order, or that has a __proto__ member', () => {
    const { id, ...rest } = generated.user[0]!;
    expect(isCanonicalUserEvent({ ...rest, id })).toBe(false);
    expect(isCanonicalUserEvent(JSON.parse('{"time":1,"type":"LOGIN","__proto__":{"a":1}}'))).toBe(false);
    expect(isCanonicalUserEvent({ time: 1, type: 'LOGIN', extra: 1 })).toBe(true);
    expect(isCanonicalUserEvent({ time: 1, extra: 1, type: 'LOGIN' })).toBe(false);
  });
});

describe('isCanonicalAdminEvent', () => {
  it('passes every generated admin event, the hot path', () => {
    for (const event of JSON.parse(JSON.stringify(generated.admin)) as unknown[]) expect(isCanonicalAdminEvent(event)).toBe(true);
  });

  it('passes only what zod accepts and returns unchanged, member order included (seeded property)', () => {
    fc.assert(
      fc.property(mutated(generated.admin, adminKeys), (event) => {
        if (!isCanonicalAdminEvent(event)) return;
        const parsed = adminEventSchema.safeParse(event);
        expect(parsed.success, `seed ${SEED}: accepted an event zod refuses: ${JSON.stringify(event)}`).toBe(true);
        expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(event));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('checks authDetails as zod does: null passes, a number fails, members out of order go to zod', () => {
    const base = JSON.parse(JSON.stringify(generated.admin[0])) as Record<string, unknown>;
    expect(isCanonicalAdminEvent({ ...base, authDetails: null })).toBe(true);
    expect(isCanonicalAdminEvent({ ...base, authDetails: { ipAddress: 5 } })).toBe(false);
    expect(isCanonicalAdminEvent({ ...base, authDetails: { ipAddress: '1.2.3.4', realmId: 'm' } })).toBe(false);
    expect(adminEventSchema.safeParse({ ...base, authDetails: { ipAddress: 5 } }).success).toBe(false);
  });
});

describe('isPlainRecord', () => {
  it('takes plain objects only, and leaves a __proto__ member to zod', () => {
    expect(isPlainRecord({ a: 1 })).toBe(true);
    expect(isPlainRecord([])).toBe(false);
    expect(isPlainRecord(null)).toBe(false);
    expect(isPlainRecord(new Date())).toBe(false);
    expect(isPlainRecord(JSON.parse('{"__proto__":{}}'))).toBe(false);
  });
});
