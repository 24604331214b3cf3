/**
 * A small seeded pseudo-random source, so generated events, tie orders and live traffic are
 * the same on every run with the same seed (and a failing test can print the seed that broke it).
 */
export interface Random {
  /** The seed this source was created with. */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  uint32(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One element, chosen with the given relative weights (`[item, weight]` pairs). */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
  /** A random (version 4 layout) UUID, drawn from this source. */
  uuid(): string;
  /** `length` characters drawn from `alphabet`. */
  text(length: number, alphabet?: string): string;
}

const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Creates a mulberry32 generator: 32 bits of state, fast, and good enough for test data
 * (not for anything secret).
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`createRandom: seed must be a finite number, got ${seed}`);
  let state = seed >>> 0;

  function uint32(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  function next(): number {
    return uint32() / 4294967296;
  }

  function int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`Random.int: expected integers with min <= max, got [${min}, ${max}]`);
    }
    return min + Math.floor(next() * (max - min + 1));
  }

  function hex(length: number): string {
    let out = '';
    while (out.length < length) out += uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  return {
    seed,
    next,
    uint32,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('Random.pick: the array is empty');
      return items[int(0, items.length - 1)] as T;
    },
    weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      if (!(total > 0)) throw new RangeError('Random.weighted: the weights must add up to more than 0');
      let roll = next() * total;
      for (const [item, weight] of entries) {
        roll -= weight;
        if (roll < 0) return item;
      }
      // Rounding can leave a sliver past the last entry.
      return (entries[entries.length - 1] as readonly [T, number])[0];
    },
    chance(p: number): boolean {
      return next() < p;
    },
    hex,
    uuid(): string {
      const h = hex(32);
      const variant = '89ab'[uint32() & 3] as string;
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    text(length: number, alphabet: string = DEFAULT_ALPHABET): string {
      let out = '';
      for (let i = 0; i < length; i += 1) out += alphabet[uint32() % alphabet.length];
      return out;
    },
  };
}

/** A stable 32-bit seed from text (FNV-1a), to derive per-realm or per-stream seeds from one seed. */
export function seedFrom(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5;
  for (const char of parts.join('\u0000')) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
