import type { Lease } from './cursor-store.js';

/** Base of every cursor store error; `cause` holds the adapter's own error when there is one. */
export class CursorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another owner holds an unexpired lease: this instance must exit quietly (and count it). */
export class LeaseHeldError extends CursorError {
  constructor(
    readonly holder: { owner: string; leaseUntil?: number; detail?: string },
    options?: { cause?: unknown },
  ) {
    super(
      `the cursor lease is held by ${holder.owner}` +
        (holder.leaseUntil !== undefined ? ` until ${new Date(holder.leaseUntil).toISOString()}` : '') +
        (holder.detail ? ` (${holder.detail})` : ''),
      options,
    );
  }
}

/** The lease was taken over or released since it was acquired: stop at once, commit nothing. */
export class LeaseLostError extends CursorError {
  constructor(
    readonly lease: Lease,
    options?: { cause?: unknown },
  ) {
    super(`the cursor lease of ${lease.owner} (fence ${lease.fence}) was lost`, options);
  }
}
