import type { AcquiredCursor, CursorSnapshot, CursorStore, Lease, StreamKey, StreamPosition } from '../core/cursor/cursor-store.js';

/**
 * The cursor store as a re-reading invocation sees it: the lease it takes is held across its
 * reads (each read's release is kept for {@link releaseHeld}), and never runs past `until`, the
 * time the next scheduled invocation may take over. So an invocation arriving early finds the
 * lease held and leaves, and one arriving on time finds it free or expired, even when this one
 * was stopped between two reads or in one: nothing of this one is left for it to wait out.
 */
export class LeaseUntilHandOver implements CursorStore {
  private held: Lease | undefined;

  constructor(
    private readonly store: CursorStore,
    /** Epoch ms the lease ends at, at the latest. */
    private readonly until: number,
  ) {}

  async acquire(request: { owner: string; now: number; leaseMs: number }): Promise<AcquiredCursor> {
    const acquired = await this.store.acquire({ ...request, leaseMs: this.capped(request) });
    this.held = acquired.lease;
    return acquired;
  }

  async commit(request: { lease: Lease; key: StreamKey; position: StreamPosition; now: number; leaseMs: number }): Promise<Lease> {
    const lease = await this.store.commit({ ...request, leaseMs: this.capped(request) });
    this.held = lease;
    return lease;
  }

  /** Kept: the lease stays this invocation's between its reads. */
  async release(_lease: Lease): Promise<void> {}

  read(): Promise<CursorSnapshot> {
    return this.store.read();
  }

  /** Gives up the lease at the invocation's end (a lease lost meanwhile is left alone by the store). */
  async releaseHeld(): Promise<void> {
    const lease = this.held;
    this.held = undefined;
    if (lease) await this.store.release(lease);
  }

  private capped(request: { now: number; leaseMs: number }): number {
    return Math.max(0, Math.min(request.leaseMs, this.until - request.now));
  }
}
