import { describe, expect, it } from 'vitest';
import { BodyBufferPool } from '../../../lib/sinks/body-buffer-pool.js';

describe('BodyBufferPool', () => {
  it('allocates at least the minimum size, and more when asked', () => {
    const pool = new BodyBufferPool(2, 1024);
    expect(pool.take(10).length).toBe(1024);
    expect(pool.take(5000).length).toBe(5000);
  });

  it('hands a buffer given back out again, whole even when a view of it came back', () => {
    const pool = new BodyBufferPool(2, 1024);
    const buffer = pool.take(100);
    pool.giveBack(buffer.subarray(0, 17));
    expect(pool.idleCount).toBe(1);
    const again = pool.take(1000);
    expect(again.buffer).toBe(buffer.buffer);
    expect(again.length).toBe(1024);
    expect(pool.idleCount).toBe(0);
  });

  it('holds a buffer given back twice only once, so two requests never share memory', () => {
    const pool = new BodyBufferPool(4, 64);
    const buffer = pool.take(64);
    pool.giveBack(buffer);
    pool.giveBack(buffer);
    expect(pool.idleCount).toBe(1);
    expect(pool.take(64).buffer).not.toBe(pool.take(64).buffer);
  });

  it('ignores buffers it did not hand out, such as slices of Node\'s shared pool', () => {
    const pool = new BodyBufferPool(4, 64);
    pool.giveBack(Buffer.from('a small string lives in the shared pool'));
    pool.giveBack(Buffer.allocUnsafeSlow(128));
    expect(pool.idleCount).toBe(0);
  });

  it('keeps at most `capacity` idle buffers', () => {
    const pool = new BodyBufferPool(2, 64);
    const buffers = [pool.take(64), pool.take(64), pool.take(64)];
    for (const buffer of buffers) pool.giveBack(buffer);
    expect(pool.idleCount).toBe(2);
  });

  it('does not hand out an idle buffer too small for the body', () => {
    const pool = new BodyBufferPool(2, 64);
    const small = pool.take(64);
    pool.giveBack(small);
    const large = pool.take(200);
    expect(large.length).toBe(200);
    expect(large.buffer).not.toBe(small.buffer);
    expect(pool.idleCount).toBe(1);
  });

  it('refuses a negative or fractional capacity or size', () => {
    expect(() => new BodyBufferPool(-1, 64)).toThrow(/capacity must be an integer >= 0, got -1/);
    expect(() => new BodyBufferPool(1, 1.5)).toThrow(/minimumBytes must be an integer >= 0, got 1.5/);
  });
});
