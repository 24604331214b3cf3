import type { CursorStore, Lease } from '../core/cursor/cursor-store.js';
import { LeaseLostError } from '../core/cursor/errors.js';

/**
 * A cursor store whose lease the local process keeps between polls: `pollTenant` releases the
 * lease after every poll, which in the Lambda lets the next invocation (maybe elsewhere) take
 * it; a long-running local process instead holds it, and its lock, until it stops, so a second
 * process started meanwhile is refused instead of slipping in between two polls.
 */
export class RetainedLeaseStore implements CursorStore {
  private held: Lease | undefined;
  private lostBy: LeaseLostError | undefined;

  constructor(private readonly inner: CursorStore) {}

  /**
   * Why the lease was lost, when a commit found it so: the poll only reports `lease-lost`, and
   * the operator needs what the store found (which file, deleted or rewritten, what was committed).
   */
  get lost(): LeaseLostError | undefined {
    return this.lostBy;
  }

  async acquire(request: Parameters<CursorStore['acquire']>[0]): ReturnType<CursorStore['acquire']> {
    const acquired = await this.inner.acquire(request);
    this.held = acquired.lease;
    return acquired;
  }

  async commit(request: Parameters<CursorStore['commit']>[0]): Promise<Lease> {
    try {
      this.held = await this.inner.commit(request);
    } catch (error) {
      if (error instanceof LeaseLostError) this.lostBy = error;
      throw error;
    }
    return this.held;
  }

  /** Kept until `releaseHeld`: see the class comment. */
  async release(_lease: Lease): Promise<void> {}

  read(): ReturnType<CursorStore['read']> {
    return this.inner.read();
  }

  /** Gives the lease (and the lock) up for good, when the process stops. */
  async releaseHeld(): Promise<void> {
    if (this.held) await this.inner.release(this.held);
    this.held = undefined;
  }
}
