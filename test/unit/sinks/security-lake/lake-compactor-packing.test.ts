import { describe, expect, it } from 'vitest';
import { outputHashOf, packInputs } from '../../../../lib/sinks/security-lake/lake-compactor.js';

describe('the compactor\'s outputs of a source\'s day', () => {
  it('cuts the inputs, in key order, into outputs of at most the limit; a larger input is one of its own', () => {
    const inputs = [
      { key: 'c', size: 40 },
      { key: 'a', size: 30 },
      { key: 'e', size: 250 },
      { key: 'b', size: 60 },
      { key: 'd', size: 10 },
    ];
    expect(packInputs(inputs, 100)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(packInputs([...inputs].reverse(), 100)).toEqual(packInputs(inputs, 100));
    expect(packInputs(inputs, 1_000)).toEqual([['a', 'b', 'c', 'd', 'e']]);
    expect(packInputs([], 100)).toEqual([]);
  });

  it('names an output after its class, day and inputs', () => {
    const hash = outputHashOf(3002, '20250304', ['a', 'b']);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(outputHashOf(3002, '20250304', ['a', 'b'])).toBe(hash);
    expect(new Set([hash, outputHashOf(3001, '20250304', ['a', 'b']), outputHashOf(3002, '20250305', ['a', 'b']), outputHashOf(3002, '20250304', ['a'])]).size).toBe(4);
  });
});
