import { hostname } from 'node:os';
import type { AppConfig } from '../config/app-config-schema.js';
import type { CursorSnapshot } from '../core/cursor/cursor-store.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import { mpasClientFromConfig } from '../runtime/mpas-client-from-config.js';
import type { Stream } from '../core/events/event-schemas.js';
import { pollTenant } from '../core/poller/poll-tenant.js';
import { pollOptionsFromConfig } from '../runtime/poll-options-from-config.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import type { Sink } from '../sinks/sink.js';
import { systemClock } from '../core/time/clock.js';
import type { Clock } from '../core/time/clock.js';
import { realSleep } from '../core/time/sleep.js';
import type { Sleep } from '../core/time/sleep.js';
import { startLocalDelivery } from './local-delivery.js';
import type { ReplayRange } from './replay-range.js';

/** Options of {@link runReplay}. */
export interface ReplayRunnerOptions {
  config: AppConfig;
  version: string;
  range: ReplayRange;
  /** The range's own cursor name (see `replayCursorName`); never the live tenant's. */
  cursorName: string;
  stateDir: string;
  /** Aborting stops reading; what was read is delivered and committed first. */
  signal?: AbortSignal;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  /** Sees every commit, for the progress output. */
  observer?: PollObserver;
  /** Called once the range's cursor is open, with its positions before this run. */
  onStart?: (snapshot: CursorSnapshot) => void;
  sink?: Sink;
}

/** How a replay run ended. */
export interface ReplaySummary {
  /** `complete`: every stream read to the range's end; `stopped`: a signal came first; `failed`: a stream could not be read. */
  status: 'complete' | 'stopped' | 'failed';
  events: number;
  deadLettered: number;
  /** Streams MPAS would not serve; they resume from their position on the next run. */
  failures: Array<{ realm: string; stream: Stream; message: string }>;
  deadLetterFile: string;
  /** The range cursor's positions at the end. */
  positions: CursorSnapshot['positions'];
  cursorFile: string;
}

/**
 * Reads a past time range and delivers it through the configured pipeline, with the same poller,
 * walks and in-process queue as `runLocal` (a page is committed only once the SIEM has it), but
 * with its own cursor file and lock, so the live cursor never moves and a live `run` may go on
 * meanwhile. Dead letters go to the tenant's dead-letter file, where `dlq` finds them.
 * @throws LeaseHeldError when another process is replaying the same range.
 */
export async function runReplay(options: ReplayRunnerOptions): Promise<ReplaySummary> {
  const { config, range } = options;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const owner = `${hostname()}:${process.pid}`;
  const store = new FileCursorStore({ stateDir: options.stateDir, tenant: options.cursorName, holdUntilClosed: true });
  const acquired = await store.acquire({ owner, now: clock.now(), leaseMs: config.polling.leaseMs });
  options.onStart?.({ positions: acquired.positions });

  // Every configured destination gets the range, as from `run`; the archive is not written again.
  const delivery = startLocalDelivery({
    config,
    version: options.version,
    stateDir: options.stateDir,
    clock,
    sleep,
    random: options.random ?? Math.random,
    signal: options.signal,
    sinks: options.sink ? { default: options.sink } : undefined,
  });
  const { stop, queue } = delivery;
  const source = mpasClientFromConfig(config, { clock, sleep });
  const summary = async (status: ReplaySummary['status'], events: number, failures: ReplaySummary['failures']): Promise<ReplaySummary> => ({
    status,
    events,
    deadLettered: delivery.deadLettered(),
    failures,
    deadLetterFile: delivery.deadLetterFile,
    positions: (await store.read()).positions,
    cursorFile: store.cursorPath,
  });
  try {
    // The range's realms, streams and window; no look-back (the range is read once, closed).
    const outcome = await pollTenant({
      ...pollOptionsFromConfig(config, { owner, source, store, queue, clock, signal: stop, observer: options.observer }),
      realms: range.realms,
      streams: range.streams,
      startFrom: range.from,
      windowEnd: range.to,
    });
    if (outcome.status === 'lease-busy' || outcome.status === 'lease-lost') {
      throw new Error(`the replay cursor ${store.cursorPath} was ${outcome.status === 'lease-busy' ? `taken by ${outcome.holder}` : 'lost'}`);
    }
    const failures = outcome.failures.map(({ realm, stream, error }) => ({ realm, stream, message: error.message }));
    return await summary(failures.length > 0 ? 'failed' : outcome.status === 'complete' ? 'complete' : 'stopped', outcome.events, failures);
  } finally {
    await delivery.close();
    await store.close();
  }
}
