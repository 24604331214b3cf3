/**
 * The frames a syslog connection may have lost. TCP syslog has no acknowledgements: a frame
 * handed to the operating system can still die in its buffers or the server's when the
 * connection drops. So the latest frames written (up to a byte budget) are kept; when the
 * connection drops they become pending, and go out first on the next connection, again kept
 * until that one has carried more. Frames older than the budget (and than the latest write)
 * count as delivered.
 */
export class SyslogTail {
  private recent: Buffer[] = [];
  private recentBytes = 0;
  private pending: Buffer[] = [];

  /** @param budgetBytes bytes of frames kept beyond the latest write; 0 keeps only that write's. */
  constructor(private readonly budgetBytes: number) {}

  /**
   * Notes the frames of one write on a healthy connection. The oldest frames beyond the budget
   * are forgotten, never those of this write: they are all as unconfirmed as its last one (a
   * write may carry a whole resent tail, and the next drop may cut it anywhere).
   */
  written(frames: readonly Buffer[]): void {
    for (const frame of frames) {
      this.recent.push(frame);
      this.recentBytes += frame.length;
    }
    const keepFrom = this.recent.length - frames.length;
    let drop = 0;
    while (drop < keepFrom && this.recentBytes > this.budgetBytes) {
      this.recentBytes -= this.recent[drop]!.length;
      drop += 1;
    }
    if (drop > 0) this.recent = this.recent.slice(drop);
  }

  /** The connection dropped: the frames kept are owed to the next one (after any still owed). */
  connectionDropped(): void {
    if (this.recent.length === 0) return;
    this.pending = this.pending.concat(this.recent);
    this.recent = [];
    this.recentBytes = 0;
  }

  /** The frames to send before anything new on a fresh connection. */
  pendingResend(): readonly Buffer[] {
    return this.pending;
  }

  /** The pending frames were written (they are then kept as recent ones by `written`). */
  resent(): void {
    this.pending = [];
  }

  /** True while frames of a dropped connection are still owed. */
  hasPending(): boolean {
    return this.pending.length > 0;
  }
}
