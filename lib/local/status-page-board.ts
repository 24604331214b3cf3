import type { AppConfig } from '../config/app-config-schema.js';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { Stream } from '../core/events/event-schemas.js';
import type { DeadLetterReason } from '../core/forwarder/forward-observer.js';
import type { StreamPosition } from '../core/cursor/cursor-store.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Clock } from '../core/time/clock.js';
import { hideTokenLike } from '../net/token-like.js';
import { hideSecrets } from '../net/secret-texts.js';
import type { SinkError } from '../sinks/sink.js';
import type { RequestInfo } from '../sources/mpas/http-transport.js';
import { secretValuesOf } from './config-secret-values.js';
import type { HealthReport } from './health-tracker.js';
import type { RunWatcher } from './metrics-observers.js';
import { RateLagHistory } from './status-page-history.js';
import type { HistoryPoint, HistoryReading } from './status-page-history.js';

/** One grid line of the chart every 10 s, an hour of them. */
export const HISTORY_INTERVAL_MS = 10_000;
export const HISTORY_POINTS = 360;
/** The rate in the table is taken over this last span. */
const RATE_SPAN_MS = 60_000;

/** An error as the page shows it: when, and what (secrets hidden). */
export interface ErrorNote {
  at: string;
  message: string;
}

/** One realm's stream on the status page. */
export interface StreamStatus {
  realm: string;
  stream: Stream;
  /** Seconds since the newest moment up to which the stream is delivered; null before it was delivered up to any. */
  lagSeconds: number | null;
  /** That moment (ISO). */
  deliveredUpTo: string | null;
  /** Events delivered per second over the last minute (less since the start). */
  ratePerSecond: number;
  /** Events read from MPAS and committed, and delivered (summed over routes), since the start. */
  read: number;
  delivered: number;
  lateEvents: number;
  /** This stream in the last poll: read up to now (`ok`), `failed` (with the error), or how the poll ended before it. */
  lastPoll: { at: string; outcome: 'ok' | 'failed' | 'budget-spent' | 'stopped' | 'lease-busy' | 'lease-lost'; error?: string } | null;
  /** The last MPAS error that failed this stream in a poll. */
  lastMpasError: ErrorNote | null;
}

/** What GET /status.json answers: the page's figures. */
export interface StatusSnapshot {
  generatedAt: string;
  tenant: string;
  health: Pick<HealthReport, 'status' | 'reasons' | 'lagSeconds' | 'lastSuccessAt' | 'failing'>;
  streams: StreamStatus[];
  /** Each route's SIEM, with its last failed request. */
  siem: Array<{ route: string; lastError: ErrorNote | null }>;
  /** The last MPAS request that failed (retried or not), with its endpoint. */
  mpas: { lastError: (ErrorNote & { endpoint: string }) | null };
  deadLetters: { total: number; byReason: Partial<Record<DeadLetterReason, number>> };
  /** The chart: points on a grid of `intervalSeconds` over the last `spanSeconds` at most, then one for the interval in progress, at now. */
  history: { intervalSeconds: number; spanSeconds: number; points: Array<Omit<HistoryPoint, 'at'> & { at: string }> };
}

interface StreamState {
  realm: string;
  stream: Stream;
  upTo?: number;
  read: number;
  delivered: number;
  lateEvents: number;
  lastPoll: StreamStatus['lastPoll'];
  lastMpasError: ErrorNote | null;
}

/**
 * The figures of the status page, fed with what the run tells ({@link RunWatcher}). A stream's
 * lag counts from the newest moment up to which it is delivered: the newest committed event's
 * time while it catches up, then `now - settle` of the last poll that read it to the end, so a
 * quiet stream does not look behind. Errors come from servers' answers: secrets are hidden
 * as in the run's log.
 */
export class StatusBoard implements RunWatcher {
  private readonly streams = new Map<string, StreamState>();
  private readonly siemErrors = new Map<string, ErrorNote | null>();
  private lastMpasError: StatusSnapshot['mpas']['lastError'] = null;
  private readonly deadLetters: StatusSnapshot['deadLetters'] = { total: 0, byReason: {} };
  private readonly history: RateLagHistory;
  /** Delivered totals by stream at the last grid lines, for the rate over the last minute. */
  private readonly recent: Array<{ at: number; delivered: Map<string, number> }> = [];
  private readonly secrets: readonly string[];
  private readonly startedAt: number;

  constructor(
    private readonly config: Pick<AppConfig, 'tenant' | 'mpas' | 'defaultRoute' | 'routes'>,
    private readonly clock: Clock,
  ) {
    this.secrets = secretValuesOf(config);
    this.startedAt = clock.now();
    this.history = new RateLagHistory(this.startedAt, HISTORY_INTERVAL_MS, HISTORY_POINTS);
    for (const realm of config.mpas.realms) for (const stream of config.mpas.streams) this.state(realm, stream);
    if (config.defaultRoute !== false) this.siemErrors.set(DEFAULT_ROUTE_NAME, null);
    for (const route of config.routes ?? []) this.siemErrors.set(route.name, null);
  }

  committed(realm: string, stream: Stream, events: number, position: StreamPosition): void {
    this.advance();
    const state = this.state(realm, stream);
    state.read += events;
    state.upTo = Math.max(state.upTo ?? position.time, position.time);
  }

  lateEvents(realm: string, stream: Stream, events: number): void {
    this.state(realm, stream).lateEvents += events;
  }

  delivered(realm: string, stream: Stream, count: number): void {
    this.advance();
    this.state(realm, stream).delivered += count;
  }

  deadLettered(reason: DeadLetterReason, count: number): void {
    this.deadLetters.total += count;
    this.deadLetters.byReason[reason] = (this.deadLetters.byReason[reason] ?? 0) + count;
  }

  streamFailed(realm: string, stream: Stream, error: Error): void {
    this.state(realm, stream).lastMpasError = this.note(error.message);
  }

  siemRequestFailed(route: string, error: SinkError): void {
    this.siemErrors.set(route, this.note(error.reason));
  }

  mpasRequest(info: RequestInfo): void {
    if (info.failure === undefined) return;
    this.lastMpasError = { ...this.note(info.failure), endpoint: info.route };
  }

  pollFinished(outcome: PollOutcome): void {
    this.advance();
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    const failed = new Map('failures' in outcome ? outcome.failures.map(({ realm, stream, error }) => [`${realm}#${stream}`, error.message]) : []);
    for (const [key, state] of this.streams) {
      const error = failed.get(key);
      if (error !== undefined) {
        state.lastPoll = { at, outcome: 'failed', error: this.note(error).message };
      } else if (outcome.status === 'complete' || outcome.status === 'partial') {
        state.lastPoll = { at, outcome: 'ok' };
        state.upTo = Math.max(state.upTo ?? 0, now - this.config.mpas.settleMs);
      } else {
        state.lastPoll = { at, outcome: outcome.status === 'failed' ? 'failed' : outcome.status };
      }
    }
  }

  /** Each stream's lag as of now, for /metrics. */
  lags(): Array<{ realm: string; stream: Stream; lagSeconds: number | null }> {
    const now = this.clock.now();
    return [...this.streams.values()].map(({ realm, stream, upTo }) => ({ realm, stream, lagSeconds: lagAt(now, upTo) }));
  }

  /** The page's figures as of now, with the health report's verdict. */
  snapshot(health: HealthReport): StatusSnapshot {
    this.advance();
    const now = this.clock.now();
    const since = this.recent.find(({ at }) => at >= now - RATE_SPAN_MS);
    const rateFrom = since ?? { at: this.startedAt, delivered: new Map<string, number>() };
    const seconds = Math.max(1, now - rateFrom.at) / 1000;
    const streams = [...this.streams.entries()].map(([key, state]): StreamStatus => ({
      realm: state.realm,
      stream: state.stream,
      lagSeconds: lagAt(now, state.upTo),
      deliveredUpTo: state.upTo === undefined ? null : new Date(state.upTo).toISOString(),
      ratePerSecond: Math.round(((state.delivered - (rateFrom.delivered.get(key) ?? 0)) / seconds) * 100) / 100,
      read: state.read,
      delivered: state.delivered,
      lateEvents: state.lateEvents,
      lastPoll: state.lastPoll,
      lastMpasError: state.lastMpasError,
    }));
    return {
      generatedAt: new Date(now).toISOString(),
      tenant: this.config.tenant,
      health: { status: health.status, reasons: health.reasons, lagSeconds: health.lagSeconds, lastSuccessAt: health.lastSuccessAt, failing: health.failing },
      streams,
      siem: [...this.siemErrors].map(([route, lastError]) => ({ route, lastError })),
      mpas: { lastError: this.lastMpasError },
      deadLetters: { total: this.deadLetters.total, byReason: { ...this.deadLetters.byReason } },
      history: {
        intervalSeconds: HISTORY_INTERVAL_MS / 1000,
        spanSeconds: (HISTORY_INTERVAL_MS * HISTORY_POINTS) / 1000,
        points: [...this.history.snapshot(), this.history.current(now, this.reading(now))].map((point) => ({ ...point, at: new Date(point.at).toISOString(), ratePerSecond: Math.round(point.ratePerSecond * 100) / 100 })),
      },
    };
  }

  /** Takes the chart's points up to now, before anything changes. */
  private advance(): void {
    this.history.advance(this.clock.now(), (at) => {
      this.recent.push({ at, delivered: new Map([...this.streams].map(([key, state]) => [key, state.delivered])) });
      if (this.recent.length > RATE_SPAN_MS / HISTORY_INTERVAL_MS + 1) this.recent.shift();
      return this.reading(at);
    });
  }

  /** Events delivered in all, and the highest stream lag at `at` (as things stand). */
  private reading(at: number): HistoryReading {
    let deliveredTotal = 0;
    let highest: number | null = null;
    for (const state of this.streams.values()) {
      deliveredTotal += state.delivered;
      const lag = lagAt(at, state.upTo);
      if (lag !== null) highest = Math.max(highest ?? lag, lag);
    }
    return { deliveredTotal, lagSeconds: highest };
  }

  private note(message: string): ErrorNote {
    return { at: new Date(this.clock.now()).toISOString(), message: hideTokenLike(hideSecrets(message, this.secrets)) };
  }

  private state(realm: string, stream: Stream): StreamState {
    const key = `${realm}#${stream}`;
    let state = this.streams.get(key);
    if (!state) {
      state = { realm, stream, read: 0, delivered: 0, lateEvents: 0, lastPoll: null, lastMpasError: null };
      this.streams.set(key, state);
    }
    return state;
  }
}

function lagAt(now: number, upTo: number | undefined): number | null {
  return upTo === undefined ? null : Math.round(Math.max(0, now - upTo) / 100) / 10;
}
