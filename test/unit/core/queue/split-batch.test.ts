import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventKey } from '../../../../lib/core/events/event-key.js';
import type { UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { EventTooLargeError } from '../../../../lib/core/queue/errors.js';
import { batchIdFor } from '../../../../lib/core/queue/event-batch.js';
import type { EventBatch } from '../../../../lib/core/queue/event-batch.js';
import { messageBody, utf8Bytes } from '../../../../lib/core/queue/message-body.js';
import { splitToFit } from '../../../../lib/core/queue/split-batch.js';

// Fixed, so a failure replays; fast-check also prints it with the counterexample.
const SEED = 20260101;

function userEvent(index: number, padding = 0, id: string | null = `ev-${index}`): UserEvent {
  const event: UserEvent = { time: 1_700_000_000_000 + index, type: 'LOGIN', realmId: 'master', details: { note: 'x'.repeat(padding) } };
  return id === null ? event : { id, ...event };
}

function batchOf(events: UserEvent[]): EventBatch {
  const keys = events.map(eventKey);
  return { v: 1, tenant: 'acme', realm: 'master', stream: 'user', batchId: batchIdFor('acme', 'master', 'user', keys), events };
}

const bodyBytes = (batch: EventBatch): number => utf8Bytes(messageBody(batch));

describe('splitToFit', () => {
  it('returns a batch that fits unchanged, as one part', () => {
    const batch = batchOf([userEvent(1), userEvent(2)]);
    expect(splitToFit(batch, bodyBytes(batch))).toEqual([batch]);
    expect(splitToFit(batch, bodyBytes(batch))[0]).toBe(batch);
  });

  it('splits an oversize batch into consecutive parts that each fit, events in order', () => {
    const events = Array.from({ length: 40 }, (_, index) => userEvent(index, 1_000));
    const batch = batchOf(events);
    const parts = splitToFit(batch, 8_000);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(bodyBytes(part)).toBeLessThanOrEqual(8_000);
    expect(parts.flatMap((part) => part.events)).toEqual(events);
  });

  it('gives each part the id batchIdFor makes from its own event keys, and the envelope of the batch', () => {
    const batch = batchOf(Array.from({ length: 12 }, (_, index) => userEvent(index, 500)));
    const parts = splitToFit(batch, 2_000);
    for (const part of parts) {
      expect(part).toMatchObject({ v: 1, tenant: 'acme', realm: 'master', stream: 'user' });
      expect(part.batchId).toBe(batchIdFor('acme', 'master', 'user', part.events.map(eventKey)));
    }
    expect(new Set(parts.map((part) => part.batchId)).size).toBe(parts.length);
  });

  it('splits the same batch the same way every time', () => {
    const make = (): EventBatch => batchOf(Array.from({ length: 30 }, (_, index) => userEvent(index, 300 + ((index * 37) % 400))));
    expect(splitToFit(make(), 3_000)).toEqual(splitToFit(make(), 3_000));
  });

  it('fills each part until the next event would not fit', () => {
    const batch = batchOf(Array.from({ length: 25 }, (_, index) => userEvent(index, 200 + ((index * 53) % 300))));
    const parts = splitToFit(batch, 2_500);
    for (let index = 0; index < parts.length - 1; index++) {
      const part = parts[index] as EventBatch;
      const next = (parts[index + 1] as EventBatch).events[0] as UserEvent;
      expect(bodyBytes({ ...part, events: [...part.events, next] })).toBeGreaterThan(2_500);
    }
  });

  it('counts UTF-8 bytes, not characters', () => {
    const events = Array.from({ length: 10 }, (_, index) => ({ ...userEvent(index), details: { name: 'é🙂'.repeat(100) } }));
    const batch = batchOf(events);
    expect(messageBody(batch).length).toBeLessThan(bodyBytes(batch));
    const parts = splitToFit(batch, 2_000);
    for (const part of parts) expect(bodyBytes(part)).toBeLessThanOrEqual(2_000);
    expect(parts.flatMap((part) => part.events)).toEqual(events);
  });

  it('throws EventTooLargeError naming the event key and its size when one event cannot fit alone', () => {
    const batch = batchOf([userEvent(1, 10), userEvent(2, 5_000), userEvent(3, 10)]);
    const error = (() => {
      try {
        splitToFit(batch, 2_000);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EventTooLargeError);
    const tooLarge = error as EventTooLargeError;
    expect(tooLarge.eventKey).toBe('ev-2');
    expect(tooLarge.bytes).toBeGreaterThan(5_000);
    expect(tooLarge.maxBytes).toBe(2_000);
    expect(tooLarge.message).toContain('ev-2');
    expect(tooLarge.message).toContain(String(tooLarge.bytes));
  });

  it('puts an event that cannot fit alone into a part of its own when oversizeAlone is set (for the claim check), the rest as before', () => {
    const batch = batchOf([userEvent(1, 10), userEvent(2, 10), userEvent(3, 5_000), userEvent(4, 10)]);
    const parts = splitToFit(batch, 2_000, { oversizeAlone: true });
    expect(parts.map((part) => part.events.map(({ id }) => id))).toEqual([['ev-1', 'ev-2'], ['ev-3'], ['ev-4']]);
    expect(bodyBytes(parts[1]!)).toBeGreaterThan(2_000);
    expect(splitToFit(batch, 2_000, { oversizeAlone: true })).toEqual(parts);
  });

  it('names an event without an id by its content hash', () => {
    const big = userEvent(7, 5_000, null);
    const error = (() => {
      try {
        splitToFit(batchOf([userEvent(1), big]), 1_000);
      } catch (caught) {
        return caught as EventTooLargeError;
      }
      return undefined;
    })();
    expect(error?.eventKey).toBe(eventKey(big));
    expect(error?.eventKey.startsWith('h:')).toBe(true);
  });

  it('keeps its invariants for any events and limit', () => {
    const eventArbitrary = fc.record({
      padding: fc.nat({ max: 600 }),
      text: fc.string({ unit: 'binary', maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(eventArbitrary, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1_200, max: 6_000 }), (specs, maxBytes) => {
        const events = specs.map((spec, index) => ({ ...userEvent(index, spec.padding), details: { note: 'x'.repeat(spec.padding), text: spec.text } }));
        const batch = batchOf(events);
        const parts = splitToFit(batch, maxBytes);
        expect(parts.flatMap((part) => part.events)).toEqual(events);
        if (parts.length === 1 && parts[0] === batch) expect(bodyBytes(batch)).toBeLessThanOrEqual(maxBytes);
        for (const part of parts) {
          expect(bodyBytes(part)).toBeLessThanOrEqual(maxBytes);
          expect(JSON.parse(messageBody(part))).toEqual(JSON.parse(JSON.stringify(part)));
        }
        expect(splitToFit(batch, maxBytes)).toEqual(parts);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe('messageBody', () => {
  it('escapes the characters SQS refuses and still parses to the same value', () => {
    const value = { name: 'a\uFFFEb\uFFFFc', emoji: '🙂', control: '\u0001' };
    const body = messageBody(value);
    expect([...body].filter((char) => char === '\uFFFE' || char === '\uFFFF' || char === '\u0001')).toEqual([]);
    expect(body).toContain('\\ufffe');
    expect(JSON.parse(body)).toEqual(value);
  });
});
