import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyBufferPool } from '../../../lib/sinks/body-buffer-pool.js';
import { frameBody, frameBodyBytes, planRequestBodies, planRequests } from '../../../lib/sinks/http-framing.js';
import type { HttpBatchMode } from '../../../lib/sinks/https/https-sink-options.js';

describe('frameBody', () => {
  it('sends a single payload as it is, typed by format', () => {
    expect(frameBody(['{"a":1}'], 'single', 'json')).toEqual({ body: '{"a":1}', contentType: 'application/json' });
    expect(frameBody(['CEF:0|a'], 'single', 'cef')).toEqual({ body: 'CEF:0|a', contentType: 'text/plain; charset=utf-8' });
    expect(() => frameBody(['a', 'b'], 'single', 'json')).toThrow(RangeError);
  });

  it('frames JSON documents themselves into an array, and CEF lines as JSON strings', () => {
    expect(frameBody(['{"a":1}', '{"b":2}'], 'array', 'json')).toEqual({ body: '[{"a":1},{"b":2}]', contentType: 'application/json' });
    const cef = frameBody(['CEF:0|x|y\\|z|k=a\\=b', 'CEF:0|"q"'], 'array', 'cef');
    expect(JSON.parse(cef.body)).toEqual(['CEF:0|x|y\\|z|k=a\\=b', 'CEF:0|"q"']);
  });

  it('joins NDJSON with newlines, CEF lines as plain text', () => {
    expect(frameBody(['{"a":1}', '{"b":2}'], 'ndjson', 'json')).toEqual({ body: '{"a":1}\n{"b":2}', contentType: 'application/x-ndjson' });
    expect(frameBody(['CEF:0|a', 'CEF:0|b'], 'ndjson', 'cef').contentType).toBe('text/plain; charset=utf-8');
  });
});

describe('planRequests', () => {
  it('sends one event per request in single mode', () => {
    expect(planRequests(['a', 'b', 'c'], { batch: 'single', maxBatchEvents: 10, maxBatchBytes: 10 }, 'json')).toEqual([[0], [1], [2]]);
  });

  it('cuts by event count', () => {
    const payloads = Array.from({ length: 5 }, () => '{}');
    expect(planRequests(payloads, { batch: 'array', maxBatchEvents: 2, maxBatchBytes: 1e6 }, 'json')).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('fills a request exactly up to the byte limit', () => {
    // ndjson of three 9-byte payloads: 9*3 + 2 = 29 bytes.
    const payloads = ['123456789', '123456789', '123456789', '123456789'];
    expect(planRequests(payloads, { batch: 'ndjson', maxBatchEvents: 10, maxBatchBytes: 29 }, 'json')).toEqual([[0, 1, 2], [3]]);
    expect(planRequests(payloads, { batch: 'ndjson', maxBatchEvents: 10, maxBatchBytes: 28 }, 'json')).toEqual([[0, 1], [2, 3]]);
    // array: '[' + 9*2 + ',' + ']' = 21 bytes.
    expect(planRequests(payloads, { batch: 'array', maxBatchEvents: 10, maxBatchBytes: 21 }, 'json')).toEqual([[0, 1], [2, 3]]);
    expect(planRequests(payloads, { batch: 'array', maxBatchEvents: 10, maxBatchBytes: 20 }, 'json')).toEqual([[0], [1], [2], [3]]);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const payloads = ['"ééé"', '"ééé"'];
    // 8 bytes each: ndjson body 17 bytes.
    expect(planRequests(payloads, { batch: 'ndjson', maxBatchEvents: 10, maxBatchBytes: 16 }, 'json')).toEqual([[0], [1]]);
    expect(planRequests(payloads, { batch: 'ndjson', maxBatchEvents: 10, maxBatchBytes: 17 }, 'json')).toEqual([[0, 1]]);
  });

  it('sends an event larger than the byte limit alone', () => {
    expect(planRequests(['a', 'b'.repeat(50), 'c'], { batch: 'ndjson', maxBatchEvents: 10, maxBatchBytes: 10 }, 'json')).toEqual([[0], [1], [2]]);
  });

  it('keeps order, covers every event once and keeps every multi-event body within the limits (property)', () => {
    const seed = Number(process.env['FC_SEED'] ?? 4242);
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 60 }),
        fc.constantFrom<HttpBatchMode>('array', 'ndjson'),
        fc.constantFrom<'json' | 'cef'>('json', 'cef'),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 300 }),
        (payloads, batch, format, maxBatchEvents, maxBatchBytes) => {
          const groups = planRequests(payloads, { batch, maxBatchEvents, maxBatchBytes }, format);
          expect(groups.flat(), `seed ${seed}`).toEqual(payloads.map((_, index) => index));
          for (const group of groups) {
            expect(group.length).toBeLessThanOrEqual(maxBatchEvents);
            const { body } = frameBody(group.map((index) => payloads[index]!), batch, format);
            if (group.length > 1) expect(Buffer.byteLength(body), `seed ${seed}`).toBeLessThanOrEqual(maxBatchBytes);
          }
          // Greedy with every body measured: the bounds the plan uses must never change where it cuts.
          expect(groups, `seed ${seed}`).toEqual(greedyGroups(payloads, batch, format, maxBatchEvents, maxBatchBytes));
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

/** The plan by definition: add the next event while the framed body stays within the limits. */
function greedyGroups(payloads: string[], batch: HttpBatchMode, format: 'json' | 'cef', maxBatchEvents: number, maxBatchBytes: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  payloads.forEach((_, index) => {
    const candidate = [...current, index];
    const size = Buffer.byteLength(frameBody(candidate.map((at) => payloads[at]!), batch, format).body);
    if (current.length > 0 && (candidate.length > maxBatchEvents || size > maxBatchBytes)) {
      groups.push(current);
      current = [index];
    } else {
      current = candidate;
    }
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

describe('frameBodyBytes', () => {
  it('writes the same bytes as frameBody encoded as UTF-8, non-ASCII and lone surrogates included (seeded property)', () => {
    const seed = 1311;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 10 })), { minLength: 0, maxLength: 30 }),
        fc.constantFrom<HttpBatchMode>('array', 'ndjson', 'single'),
        fc.constantFrom<'json' | 'cef'>('json', 'cef'),
        (payloads, batch, format) => {
          const items = batch === 'single' ? payloads.slice(0, 1) : payloads;
          if (batch === 'single' && items.length === 0) return;
          const text = frameBody(items, batch, format);
          const bytes = frameBodyBytes(items, batch, format);
          expect(bytes.contentType, `seed ${seed}`).toBe(text.contentType);
          expect(bytes.body.equals(Buffer.from(text.body, 'utf8')), `seed ${seed}: ${JSON.stringify(items)}`).toBe(true);
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('writes into the bound the plan gives, and measures afresh when a given bound is too small (seeded property)', () => {
    const seed = 2718;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 10 })), { minLength: 1, maxLength: 30 }),
        fc.constantFrom<HttpBatchMode>('array', 'ndjson'),
        fc.constantFrom<'json' | 'cef'>('json', 'cef'),
        fc.integer({ min: -6, max: 6 }),
        (payloads, batch, format, error) => {
          const [plan] = planRequestBodies(payloads, { batch, maxBatchEvents: 1000, maxBatchBytes: 1e9 }, format);
          const expected = Buffer.from(frameBody(payloads, batch, format).body, 'utf8');
          expect(plan!.maxBytes, `seed ${seed}`).toBeGreaterThanOrEqual(expected.length);
          const tight = frameBodyBytes(payloads, batch, format, Math.max(0, expected.length + error));
          expect(tight.body.equals(expected), `seed ${seed}: bound off by ${error}, ${JSON.stringify(payloads)}`).toBe(true);
          const framed = frameBodyBytes(payloads, batch, format, plan!.maxBytes);
          expect(framed.body.equals(expected), `seed ${seed}: ${JSON.stringify(payloads)}`).toBe(true);
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('writes the same bytes into reused pool buffers, nothing left of the bodies written there before (seeded property)', () => {
    const seed = 4242;
    // One pool for every run, each body given back: every body is written over earlier ones.
    const pool = new BodyBufferPool(1, 64);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 10 })), { minLength: 1, maxLength: 30 }),
        fc.constantFrom<HttpBatchMode>('array', 'ndjson'),
        fc.constantFrom<'json' | 'cef'>('json', 'cef'),
        fc.boolean(),
        (payloads, batch, format, planned) => {
          const expected = Buffer.from(frameBody(payloads, batch, format).body, 'utf8');
          const [plan] = planRequestBodies(payloads, { batch, maxBatchEvents: 1000, maxBatchBytes: 1e9 }, format);
          const framed = frameBodyBytes(payloads, batch, format, planned ? plan!.maxBytes : undefined, pool);
          expect(framed.body.equals(expected), `seed ${seed}: ${JSON.stringify(payloads)}`).toBe(true);
          pool.giveBack(framed.body);
          expect(pool.idleCount, `seed ${seed}`).toBe(1);
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('frames no payloads as an empty array or an empty body', () => {
    expect(frameBodyBytes([], 'array', 'json').body.toString()).toBe('[]');
    expect(frameBodyBytes([], 'ndjson', 'cef').body.length).toBe(0);
  });
});
