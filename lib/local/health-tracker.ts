import type { Stream } from '../core/events/event-schemas.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Clock } from '../core/time/clock.js';
import type { Outage } from './failure-log.js';

/** What GET /health answers. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  /** Seconds between now and the newest moment up to which everything was delivered; null before the first full poll. */
  lagSeconds: number | null;
  /** ISO time of the last poll that read every stream up to now minus settle; null before one. */
  lastSuccessAt: string | null;
  lastPoll: {
    at: string;
    status: PollOutcome['status'];
    events: number;
    failures: Array<{ realm: string; stream: Stream; error: string }>;
  } | null;
  /** Events dead-lettered since the process started. */
  deadLetters: number;
  /** Events the look-back delivered since the process started: MPAS stored them after the first pass read past their time. */
  lateEvents: number;
  /** What fails now, SIEM or MPAS, from the first failed attempt until one succeeds (not only at the end of a poll). */
  failing: Array<{ side: Outage['side']; target: string; cause: string; since: string; attempts: number }>;
  /** Why the status is degraded, for a human; empty when ok. */
  reasons: string[];
}

/** Options of {@link HealthTracker}. */
export interface HealthTrackerOptions {
  clock: Clock;
  settleMs: number;
  /** Lag above which the service counts as degraded. */
  maxLagMs: number;
  /** What fails now (the run's failure log); a poll blocked on a SIEM that is down ends late, this says it at once. */
  outages?: () => readonly Outage[];
}

/**
 * Keeps what the health endpoint reports, fed by the local runner's poll outcomes, dead letters
 * and failure log. Lag is measured from the last complete poll, not from cursor positions: a quiet
 * realm's position stays at its newest event, which says nothing about how current the service is.
 */
export class HealthTracker {
  private readonly startedAt: number;
  private lastSuccess: number | undefined;
  private lastPoll: HealthReport['lastPoll'] = null;
  private deadLetters = 0;
  private lateEvents = 0;

  constructor(private readonly options: HealthTrackerOptions) {
    this.startedAt = options.clock.now();
  }

  /** Records one poll's outcome. */
  pollFinished(outcome: PollOutcome): void {
    const now = this.options.clock.now();
    const failures = 'failures' in outcome ? outcome.failures.map(({ realm, stream, error }) => ({ realm, stream, error: error.message })) : [];
    this.lastPoll = { at: new Date(now).toISOString(), status: outcome.status, events: 'events' in outcome ? outcome.events : 0, failures };
    if (outcome.status === 'complete' && failures.length === 0) this.lastSuccess = now;
  }

  /** Counts dead-lettered events. */
  deadLettered(count: number): void {
    this.deadLetters += count;
  }

  /** Counts events the look-back found late. */
  lateDelivered(count: number): void {
    this.lateEvents += count;
  }

  /** The report as of now. */
  report(): HealthReport {
    const now = this.options.clock.now();
    const reasons: string[] = [];
    const lagMs = this.lastSuccess === undefined ? undefined : now - this.lastSuccess + this.options.settleMs;
    const failing = (this.options.outages?.() ?? []).map(({ side, name, cause, since, attempts }) => ({ side, target: name, cause, since: new Date(since).toISOString(), attempts }));
    for (const outage of failing) {
      reasons.push(`${outage.side === 'SIEM' ? 'the SIEM' : 'MPAS'} (${outage.target}) fails since ${outage.since} (${outage.attempts} failed attempts): ${outage.cause}`);
    }
    // A failed or partial poll is told by its failures below.
    if (this.lastPoll && (this.lastPoll.status === 'stopped' || this.lastPoll.status === 'lease-busy' || this.lastPoll.status === 'lease-lost')) {
      reasons.push(`the last poll ended ${this.lastPoll.status}`);
    }
    if (this.lastPoll && this.lastPoll.failures.length > 0) reasons.push(`the last poll failed for ${this.lastPoll.failures.map(({ realm, stream }) => `${realm} ${stream}`).join(', ')}`);
    const behindMs = lagMs ?? now - this.startedAt;
    if (behindMs > this.options.maxLagMs) {
      reasons.push(lagMs === undefined ? `no complete poll in ${Math.round(behindMs / 1000)} s` : `lag ${Math.round(lagMs / 1000)} s is above ${Math.round(this.options.maxLagMs / 1000)} s`);
    }
    return {
      status: reasons.length === 0 ? 'ok' : 'degraded',
      lagSeconds: lagMs === undefined ? null : Math.round(lagMs / 100) / 10,
      lastSuccessAt: this.lastSuccess === undefined ? null : new Date(this.lastSuccess).toISOString(),
      lastPoll: this.lastPoll,
      deadLetters: this.deadLetters,
      lateEvents: this.lateEvents,
      failing,
      reasons,
    };
  }
}
