/**
 * Request-body buffers kept between requests. A body of a few hundred kilobytes in fresh memory
 * is mapped, faulted in page by page and unmapped again by the allocator, for every request: on
 * the forwarder's hot path (bench/forwarder-hot-path.bench.ts) that took the JSON envelope from
 * 0.64-0.69 of the floor down to 0.44-0.47 on a freshly booted machine.
 *
 * A buffer may be given back only when nothing can read it any more (see `giveBack`).
 */
export class BodyBufferPool {
  private readonly idle: ArrayBuffer[] = [];
  // Only memory this pool allocated may come back: a small Buffer from elsewhere is a slice of
  // Node's shared pool, and writing over it would corrupt unrelated data.
  private readonly owned = new WeakSet<ArrayBuffer>();

  /**
   * @param capacity buffers kept idle at most (the sink's concurrency: one per request in flight)
   * @param minimumBytes size of every buffer allocated (the request byte limit), so that any
   *   planned request fits any idle buffer; only the pages a body touches are ever faulted in
   */
  constructor(
    private readonly capacity: number,
    private readonly minimumBytes: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be an integer >= 0, got ${String(capacity)}`);
    if (!Number.isInteger(minimumBytes) || minimumBytes < 0) throw new RangeError(`minimumBytes must be an integer >= 0, got ${String(minimumBytes)}`);
  }

  /** A buffer of at least `size` bytes whose contents are undefined. */
  take(size: number): Buffer {
    for (let index = this.idle.length - 1; index >= 0; index -= 1) {
      const memory = this.idle[index]!;
      if (memory.byteLength >= size) {
        this.idle.splice(index, 1);
        return Buffer.from(memory);
      }
    }
    // allocUnsafeSlow: its own memory, never a slice of Node's shared pool.
    const buffer = Buffer.allocUnsafeSlow(Math.max(size, this.minimumBytes));
    this.owned.add(buffer.buffer as ArrayBuffer);
    return buffer;
  }

  /**
   * Takes back the buffer `body` was written into (a view of it will do). Only once nothing can
   * read it any more: after it was compressed, or after the SIEM answered 2xx to it (it accepted
   * the body, so it had read all of it: every byte had left the socket). Not after an error
   * answer or a timeout: a server may answer before reading the rest, which the socket may still
   * be writing from this memory. Buffers it did not hand out are ignored.
   */
  giveBack(body: Buffer): void {
    const memory = body.buffer as ArrayBuffer;
    if (!this.owned.has(memory) || this.idle.includes(memory)) return;
    if (this.idle.length < this.capacity) this.idle.push(memory);
  }

  /** Buffers idle in the pool. */
  get idleCount(): number {
    return this.idle.length;
  }
}
