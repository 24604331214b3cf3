import { describe, expect, it } from 'vitest';
import { createRandom, seedFrom } from '../../../devtools/generators/random.js';

describe('createRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number): number[] => {
      const random = createRandom(seed);
      return Array.from({ length: 20 }, () => random.uint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int within both inclusive bounds and reaches each of them', () => {
    const random = createRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i += 1) {
      const value = random.int(-2, 3);
      expect(value, `seed 7, draw ${i}`).toBeGreaterThanOrEqual(-2);
      expect(value, `seed 7, draw ${i}`).toBeLessThanOrEqual(3);
      seen.add(value);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it('rejects an empty range, an empty pick and weights that add up to nothing', () => {
    const random = createRandom(1);
    expect(() => random.int(3, 2)).toThrow(/min <= max/);
    expect(() => random.pick([])).toThrow(/empty/);
    expect(() => random.weighted([['a', 0]])).toThrow(/weights/);
  });

  it('follows chance and weights roughly in proportion', () => {
    const random = createRandom(99);
    let hits = 0;
    let heavy = 0;
    for (let i = 0; i < 10_000; i += 1) {
      if (random.chance(0.25)) hits += 1;
      if (random.weighted([['heavy', 9], ['light', 1]] as const) === 'heavy') heavy += 1;
    }
    expect(hits).toBeGreaterThan(2200);
    expect(hits).toBeLessThan(2800);
    expect(heavy).toBeGreaterThan(8700);
    expect(heavy).toBeLessThan(9300);
  });

  it('makes version 4 shaped UUIDs, hex and text of the asked length', () => {
    const random = createRandom(5);
    for (let i = 0; i < 50; i += 1) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(random.hex(13)).toMatch(/^[0-9a-f]{13}$/);
    expect(random.text(9, 'xy')).toMatch(/^[xy]{9}$/);
  });
});

describe('seedFrom', () => {
  it('derives stable, distinct seeds from names', () => {
    expect(seedFrom(1, 'acme', 'user')).toBe(seedFrom(1, 'acme', 'user'));
    expect(seedFrom(1, 'acme', 'user')).not.toBe(seedFrom(1, 'acme', 'admin'));
  });
});
