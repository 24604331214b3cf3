import { describe, expect, it } from 'vitest';
import { readBoundedBody } from '../../../lib/net/bounded-body.js';

/** A body of `chunks`, counting how many were taken and whether the reader cancelled it. */
function body(chunks: readonly string[]): { stream: AsyncIterable<Uint8Array>; taken: () => number; cancelled: () => boolean } {
  let taken = 0;
  let cancelled = false;
  const stream: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => (taken < chunks.length ? { done: false, value: Buffer.from(chunks[taken++]!) } : { done: true, value: undefined }),
      return: async () => {
        cancelled = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { stream, taken: () => taken, cancelled: () => cancelled };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('readBoundedBody', () => {
  it('reads a body within the limit whole, with or without a (right or wrong) length announced', async () => {
    for (const length of [null, '6', '4', '9']) {
      const read = await readBoundedBody(body(['ab', 'cd', 'ef']).stream, length, 10);
      expect(read.cut, String(length)).toBe(false);
      expect(text(read.bytes), String(length)).toBe('abcdef');
    }
    expect(await readBoundedBody(null, null, 1)).toEqual({ cut: false, bytes: new Uint8Array(0) });
  });

  it('cuts at the first chunk past the limit and cancels the stream, keeping nothing', async () => {
    const endless = body(Array.from({ length: 1_000 }, () => 'x'.repeat(100)));
    const read = await readBoundedBody(endless.stream, null, 250);
    expect(read).toEqual({ cut: true, bytes: new Uint8Array(0), limitBytes: 250 });
    expect(endless.taken()).toBe(3);
    expect(endless.cancelled()).toBe(true);
  });

  it('cuts an announced length above the limit before reading a byte', async () => {
    const huge = body(['x']);
    expect((await readBoundedBody(huge.stream, String(200 * 1024 * 1024), 1024)).cut).toBe(true);
    expect(huge.taken()).toBe(0);
    expect(huge.cancelled()).toBe(true);
  });
});
