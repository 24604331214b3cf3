/** What is known of the MPAS server's clock relative to ours: `server - ours`, in ms. */
export interface ClockOffset {
  /** The offset is at least this. */
  low: number;
  /** The offset is at most this. */
  high: number;
}

// Samples older than this are forgotten: either clock may have been stepped since.
const SAMPLE_LIFETIME_MS = 600_000;
const MAX_SAMPLES = 64;

interface Sample extends ClockOffset {
  at: number;
}

/**
 * The server's clock, read from the HTTP `Date` header of its answers (RFC 9110, section 6.6.1:
 * the moment the answer was made, to the second). An answer made at server time `D..D+999`,
 * between our `sentAt` and `receivedAt`, bounds `server - ours` to
 * `[D - receivedAt, D + 999 - sentAt]`; the recent answers together bound it tighter. The poller
 * reads no event newer than the server's own "now" minus settle: when the server's clock is
 * behind ours, our "now" would ask for times it has not reached yet, and the events it stamps
 * there later would land behind a cursor that has moved on.
 */
export class ServerClock {
  private samples: Sample[] = [];

  /** Records one answer's `Date` header (ignored when absent or not a date). */
  observe(dateHeader: string | null | undefined, sentAt: number, receivedAt: number): void {
    if (!dateHeader) return;
    const date = Date.parse(dateHeader);
    if (!Number.isFinite(date)) return;
    const sample = { low: date - receivedAt, high: date + 999 - sentAt, at: receivedAt };
    this.samples = this.samples.filter((kept) => receivedAt - kept.at <= SAMPLE_LIFETIME_MS).slice(-(MAX_SAMPLES - 1));
    const combined = this.combine([...this.samples, sample]);
    // Bounds that contradict each other: a clock was stepped. Start again from this answer.
    if (combined.low > combined.high) this.samples = [];
    this.samples.push(sample);
  }

  /** The bounds on `server - ours` from the recent answers; undefined before any answer had a Date. */
  offset(): ClockOffset | undefined {
    return this.samples.length === 0 ? undefined : this.combine(this.samples);
  }

  /**
   * The latest time the server can be sure to have reached when ours is `now`: `now` itself
   * unless the server's clock is known to be behind, then the server's time at the least.
   */
  serverNow(now: number): number {
    const offset = this.offset();
    return offset !== undefined && offset.high < 0 ? now + offset.low : now;
  }

  private combine(samples: readonly ClockOffset[]): ClockOffset {
    let low = Number.NEGATIVE_INFINITY;
    let high = Number.POSITIVE_INFINITY;
    for (const sample of samples) {
      low = Math.max(low, sample.low);
      high = Math.min(high, sample.high);
    }
    return { low, high };
  }
}
