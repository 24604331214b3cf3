import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { archiveFromConfig } from '../runtime/archive-from-config.js';
import type { ArchiveObserver } from '../archive/archive-writer.js';
import type { ArchiveStore } from '../archive/archive-store.js';
import type { AppConfig } from '../config/app-config-schema.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import { FileDeliveryRecords } from '../stores/delivery-records/file-delivery-records.js';
import type { AcquiredCursor } from '../core/cursor/cursor-store.js';
import type { ForwardObserver } from '../core/forwarder/forward-observer.js';
import { mpasClientFromConfig } from '../runtime/mpas-client-from-config.js';
import type { Stream } from '../core/events/event-schemas.js';
import type { RequestInfo } from '../sources/mpas/http-transport.js';
import { pollTenant } from '../core/poller/poll-tenant.js';
import { pollOptionsFromConfig } from '../runtime/poll-options-from-config.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import type { EventSource } from '../core/poller/event-source.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { Sink } from '../sinks/sink.js';
import { systemClock } from '../core/time/clock.js';
import type { Clock } from '../core/time/clock.js';
import { realSleep } from '../core/time/sleep.js';
import type { Sleep } from '../core/time/sleep.js';
import { startLocalDelivery } from './local-delivery.js';
import { narrowStateDir } from './private-state-dir.js';
import type { NarrowedPath } from './private-state-dir.js';
import type { SiemObserver } from './batch-consumer.js';
import { deliveryLimitsOf } from './delivery-limit.js';
import { UndeliveredError } from './undelivered-error.js';
import { lakeCompactionsFromConfig } from '../sinks/security-lake/lake-compactions.js';
import { startLakeCompactionLoop } from './lake-compaction-loop.js';
import type { LakeCompactionObserver } from './lake-compaction-loop.js';
import type { Undelivered } from './undelivered-error.js';

const ARCHIVE_CLOSE_MS = 10_000;

/** Options of the local (on-prem) runner. */
export interface LocalRunnerOptions {
  config: AppConfig;
  /** The product version, for CEF headers. */
  version: string;
  /** Drain the window up to now minus settle once, deliver, commit, and return. */
  once?: boolean;
  /** Aborting stops reading; what was read is delivered and committed, or not committed. */
  signal?: AbortSignal;
  /** @default config.stateDir */
  stateDir?: string;
  /** Start each stream at MPAS_START_FROM although the state directory shows earlier runs (`run --start-over`). */
  startOver?: boolean;
  /** Told what showed the earlier runs, when `startOver` did start over. */
  onStartOver?: (evidence: string) => void;
  /** @default config.polling.intervalMs */
  pollIntervalMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  pollObserver?: PollObserver;
  forwardObserver?: ForwardObserver;
  /** Told the live cursor's positions once its lock is taken, before the first poll (streams never read have none). */
  onStart?: (positions: AcquiredCursor['positions']) => void;
  /** Called as every poll begins (for a progress bar). */
  onPollStart?: () => void;
  /** Called after every poll, for logs and the health endpoint. */
  onPoll?: (outcome: PollOutcome) => void;
  /** A sink to use instead of the configured one (of the route `default`; tests). */
  sink?: Sink;
  /** Sinks to use instead of the configured ones, by route name (tests). */
  sinks?: Readonly<Record<string, Sink>>;
  /** Counts of the event archive (when `archive.enabled`): written, dropped, failed. */
  archiveObserver?: ArchiveObserver;
  /** An archive store instead of the configured one (tests). */
  archiveStore?: ArchiveStore;
  /** Told every failed SIEM request and every delivery a SIEM took, by route. */
  siemObserver?: SiemObserver;
  /** Told every MPAS request's outcome (status, or why there was none). */
  onMpasRequest?: (info: RequestInfo) => void;
  /** Wraps the MPAS client the poller reads (to count the pages it serves, for /metrics). */
  wrapSource?: (source: EventSource) => EventSource;
  /** Told once, at start, which state files and directories a group or others could read, now narrowed to the owner. */
  onNarrowed?: (narrowed: NarrowedPath[]) => void;
  /** Told every compaction of a security-lake destination's staged events into its lake. */
  lakeCompactionObserver?: LakeCompactionObserver;
  /** The wait between two compactions (SECURITY_LAKE_FILE_INTERVAL_MINUTES); apart from `sleep`, which tests make instant. @default realSleep */
  compactionSleep?: Sleep;
}

/** What a run did, for the exit code. */
export interface LocalRunSummary {
  polls: number;
  /** Events delivered and committed. */
  events: number;
  /** Events delivered and committed, by `realm#stream`. */
  committed: Record<string, number>;
  /**
   * Streams that failed in the last poll, a batch the SIEM did not take, and dead-lettered
   * events: `--once` exits non-zero on any.
   */
  failures: number;
  /** The batch the SIEMs of these routes did not take, and why; its cursor did not move. */
  undelivered: Undelivered[];
  /** Events dead-lettered by this run. */
  deadLettered: number;
  /** Streams the last poll could not read from MPAS, and why; their cursors did not move. */
  unread: Array<{ realm: string; stream: Stream; error: string }>;
  deadLetterFile: string;
}

/**
 * The whole pipeline as one process: file cursor store (with its lock), the MPAS client, the
 * poller, a bounded in-process queue and the forwarder. Unlike the Lambda pair, the poller
 * commits a page only after the forwarder delivered it (`InProcessQueue.enqueue` resolves on
 * delivery), because an in-memory queue dies with its process.
 * @throws LeaseHeldError at once when another local process holds the state directory's lock.
 */
export async function runLocal(options: LocalRunnerOptions): Promise<LocalRunSummary> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const stateDir = options.stateDir ?? config.stateDir;
  const owner = `${hostname()}:${process.pid}`;
  const history = { startOver: options.startOver === true, ...(options.onStartOver ? { onStartOver: options.onStartOver } : {}) };
  const store = new FileCursorStore({ stateDir, tenant: config.tenant, history, holdUntilClosed: true });
  // Taken here, before anything starts, so a second process fails fast naming the holder.
  const acquired = await store.acquire({ owner, now: clock.now(), leaseMs: config.polling.leaseMs });
  const archiveFile = config.archive?.enabled && !config.archive.s3 ? resolve(stateDir, config.archive.file) : undefined;
  const narrowed = narrowStateDir(stateDir, { tenant: config.tenant, files: archiveFile === undefined ? [] : [archiveFile] });
  if (narrowed.length > 0) options.onNarrowed?.(narrowed);

  // Security Lake: the sinks stage events, and this makes the lake's files of them every
  // SECURITY_LAKE_FILE_INTERVAL_MINUTES and once more at the end. Not for a route whose sink a
  // test replaced. After the lock: one process per state directory compacts.
  const overridden = new Set(Object.keys({ ...options.sinks, ...(options.sink ? { default: options.sink } : {}) }));
  const compactions = await lakeCompactionsFromConfig(config).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const ownCompactions = compactions.filter((compaction) => {
    if (!overridden.has(compaction.route)) return true;
    compaction.close();
    return false;
  });

  const archive = archiveFromConfig(config, { stateDir, clock, observer: options.archiveObserver, store: options.archiveStore });
  const delivery = startLocalDelivery({
    config,
    version: options.version,
    stateDir,
    clock,
    sleep,
    random: options.random ?? Math.random,
    signal: options.signal,
    sinks: options.sink ? { default: options.sink, ...options.sinks } : options.sinks,
    forwardObserver: options.forwardObserver,
    consumer: {
      archive,
      // Once: each batch gets one delivery (the sink's SIEM_ATTEMPTS requests), so the run ends.
      deliveries: options.once ? 1 : Infinity,
      ...(options.once ? { deliveryLimitsMs: deliveryLimitsOf(config) } : {}),
      siemObserver: options.siemObserver,
    },
  });
  const { stop, queue } = delivery;
  const lakeCompaction = ownCompactions.length === 0 ? undefined : startLakeCompactionLoop({ compactions: ownCompactions, sleep: options.compactionSleep ?? realSleep, observer: options.lakeCompactionObserver });
  const client = mpasClientFromConfig(config, { clock, sleep, onRequest: options.onMpasRequest });
  const source = options.wrapSource ? options.wrapSource(client) : client;
  const records = new FileDeliveryRecords({ stateDir, tenant: config.tenant });

  const summary: LocalRunSummary = { polls: 0, events: 0, committed: {}, failures: 0, deadLettered: 0, undelivered: [], unread: [], deadLetterFile: delivery.deadLetterFile };
  const pollObserver: PollObserver = {
    ...options.pollObserver,
    committed: (realm, stream, events, position) => {
      summary.events += events;
      const key = `${realm}#${stream}`;
      summary.committed[key] = (summary.committed[key] ?? 0) + events;
      options.pollObserver?.committed?.(realm, stream, events, position);
    },
  };
  let clean = false;
  try {
    options.onStart?.(acquired.positions);
    while (!stop.aborted) {
      options.onPollStart?.();
      const outcome = await pollTenant(pollOptionsFromConfig(config, { owner, source, store, queue, clock, signal: stop, observer: pollObserver, records })).catch((error: unknown) => {
        // The SIEM did not take a batch (a stop, or --once out of attempts): nothing after it
        // was committed, and this run ends saying what was left and why.
        if (error instanceof UndeliveredError) return error;
        throw error;
      });
      if (outcome instanceof UndeliveredError) {
        summary.undelivered = [...outcome.routes];
        summary.failures = 1;
        break;
      }
      summary.polls += 1;
      options.onPoll?.(outcome);
      if (outcome.status === 'lease-busy' || outcome.status === 'lease-lost') {
        throw new Error(`the cursor lease was ${outcome.status === 'lease-busy' ? `taken by ${outcome.holder}` : store.lostLease?.found ? `lost: ${store.lostLease.found}` : 'lost'}; stopping`);
      }
      summary.failures = outcome.failures.length;
      summary.unread = outcome.failures.map(({ realm, stream, error }) => ({ realm, stream, error: error.message }));
      if (options.once && outcome.status !== 'budget-spent') break;
      if (!options.once) await sleep(options.pollIntervalMs ?? config.polling.intervalMs, stop);
    }
    clean = true;
  } finally {
    await delivery.close();
    // After the delivery: everything it staged is in the staging area. A run that threw leaves
    // its staged events to the next run's compaction.
    await lakeCompaction?.finish(clean);
    // Bounded: a hung archive store must not keep the process (and its lock) alive.
    await archive?.close(ARCHIVE_CLOSE_MS);
    await store.close();
  }
  summary.deadLettered = delivery.deadLettered();
  summary.failures += summary.deadLettered;
  return summary;
}
