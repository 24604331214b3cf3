import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventKey } from '../../../../lib/core/events/event-key.js';

/** The plain definition: JSON.stringify of a copy whose keys are sorted at every depth. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((item) => reference(item ?? null)).join(',') + ']';
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => JSON.stringify(key) + ':' + reference(record[key]));
  return '{' + members.join(',') + '}';
}

describe('canonicalJson', () => {
  it('equals the plain definition for any JSON value, escapes and lone surrogates included (seeded property)', () => {
    const seed = 9090;
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\u0000', '\ud800', 'a\u2028b', '</x>'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('node')), fc.dictionary(text, tie('node'))),
    })).node;
    fc.assert(
      fc.property(value, (input) => {
        expect(canonicalJson(input), `seed ${seed}`).toBe(reference(input));
      }),
      { seed, numRuns: 1000 },
    );
  });

  it('sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: 'x"y' } })).toBe('{"a":{"c":"x\\"y"},"b":1}');
  });
});

describe('eventKey', () => {
  it('is the id when there is one, else the same hash in any member order', () => {
    expect(eventKey({ id: 'e-1', time: 1, type: 'LOGIN' })).toBe('e-1');
    expect(eventKey({ time: 1, type: 'LOGIN' })).toBe(eventKey({ type: 'LOGIN', time: 1 }));
    expect(eventKey({ time: 1, type: 'LOGIN' })).toMatch(/^h:/);
  });
});
