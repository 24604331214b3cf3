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

/**
 * The lease was taken over or released since it was acquired, or the cursor it guards vanished
 * or changed under it: stop at once, commit nothing. `found` says what the store found instead.
 */
export class LeaseLostError extends CursorError {
  readonly found: string | undefined;

  constructor(
    readonly lease: Lease,
    options?: { cause?: unknown; found?: string },
  ) {
    super(`the cursor lease of ${lease.owner} (fence ${lease.fence}) was lost${options?.found ? `: ${options.found}` : ''}`, options);
    this.found = options?.found;
  }
}

/**
 * The tenant ran before (its history says so) but its cursor is gone: starting from the
 * configured start would skip or repeat events in silence, so nothing starts. `howToStartOver`
 * names the deliberate way out.
 */
export class CursorMissingError extends CursorError {
  constructor(
    readonly where: string,
    readonly evidence: string,
    readonly howToStartOver: string,
  ) {
    super(
      `refusing to start: the cursor ${where} is missing or holds no position, but ${evidence}; ` +
        `starting from the configured start (MPAS_START_FROM) now could skip or repeat events. ` +
        `Restore the cursor from a backup, or start over on purpose: ${howToStartOver}`,
    );
  }
}
