import { hostname } from 'node:os';
import { loadConfig } from '../config/load-config.js';
import { describeConfig } from '../config/describe-config.js';
import { startHealthServer } from '../local/health-server.js';
import type { HealthServer } from '../local/health-server.js';
import { healthFilePath, writeHealthFile } from '../local/health-file.js';
import { HealthTracker } from '../local/health-tracker.js';
import { createRunMonitor } from '../local/run-monitor.js';
import { RunMetrics } from '../local/metrics-registry.js';
import { watchRun } from '../local/metrics-observers.js';
import { StatusBoard } from '../local/status-page-board.js';
import { runLocal } from '../local/local-runner.js';
import { systemClock } from '../core/time/clock.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { secretValuesOf } from '../local/config-secret-values.js';
import { createJsonLog } from './json-log.js';
import { describeRunEnd } from './run-summary.js';
import { parseOptions, positiveInteger } from './parse-options.js';
import type { AppConfig } from '../config/app-config-schema.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import { CatchUpProgress } from './catch-up-progress.js';
import { PROGRESS_REDRAW_MS } from './progress-bar.js';
import { FirstStartNotice } from './first-start-notice.js';

const USAGE = `usage: mpas-log-sync run [--config FILE] [--once] [--state DIR] [--start-over] [--poll-interval MS] [--health-port PORT [--health-host HOST] [--health-max-lag S]]

Runs the whole pipeline as one process (the on-prem mode): reads MPAS user and admin events,
redacts them and delivers them to the SIEM, keeping its cursor in the state directory.
Settings come from the JSON file and the environment (the environment wins); see
docs/configuration.md.

  --config FILE         JSON config file (default: $MPAS_LOG_SYNC_CONFIG, else none)
  --once                read up to now minus the settle window, deliver, commit, exit.
                        Ends by itself: a batch a SIEM does not take gets one delivery
                        (SIEM_ATTEMPTS requests, each timeout doubling from SIEM_TIMEOUT_MS up
                        to 8 x, at most 5 s apart: 80 s with the defaults), a
                        stream MPAS does not serve 5 attempts of MPAS_REQUEST_TIMEOUT_MS (up to
                        7.5 s of backoff). Exit 0: everything delivered and committed; exit 1:
                        something was not delivered or read (said on stderr, with why; its
                        cursor did not move, the next run sends it) or was dead-lettered
  --state DIR           state directory (cursor, lock, dead letters); default: STATE_DIR or .state
  --start-over          the cursor is gone and the state directory shows earlier runs: start
                        each stream at MPAS_START_FROM anyway, once (without it run refuses;
                        with a cursor that holds positions it refuses this flag)
  --poll-interval MS    pause between polls (default: POLL_INTERVAL_MS, else 5000)
  --health-port PORT    serve GET /health on this port (0: any free one, logged): JSON
                        { status, lagSeconds, lastSuccessAt, lastPoll, deadLetters, failing,
                        reasons }, 200 when ok, 503 when a SIEM or MPAS is failing now
                        (failing names it and the cause), the last poll failed or the lag is
                        too high; on the same port GET /metrics (Prometheus) and a status page
                        at / (docs/monitoring.md)
  --health-host HOST    address of the health endpoint (default 127.0.0.1)
  --health-max-lag S    lag in seconds above which /health answers 503 (default 300)

Stops cleanly on Ctrl-C or SIGTERM: what was read is delivered and committed, or not committed
(then exit 1, saying what and the last cause). A failed SIEM or MPAS request is logged at warn
once, with its cause; while it goes on, one summary line a minute; then a line when it recovers
(every attempt at LOG_LEVEL=debug). Without --once a SIEM outage is retried with backoff up to
30 s, until it ends. The last health report is kept in the state directory for status.

Logs are JSON lines on stdout; the first shows the settings the run uses (flags applied, secrets
as ***). Streams without a cursor and MPAS_START_FROM "now" start at now minus settle: nothing
before is read, and the run says so (with --once on stderr, naming the backfill that would
deliver it). When stderr is a terminal, a poll that starts far behind (over a minute and over two
poll intervals) draws backfill's progress bar there: events, rate, ETA toward now minus settle.`;

/** `mpas-log-sync run`. */
export const runCommand: Command = {
  summary: 'run the pipeline against a real MPAS and SIEM (on-prem mode)',
  usage: USAGE,
  async run(args, env, io) {
    const { values } = parseOptions(args, {
      config: { type: 'string' },
      once: { type: 'boolean' },
      state: { type: 'string' },
      'start-over': { type: 'boolean' },
      'poll-interval': { type: 'string' },
      'health-port': { type: 'string' },
      'health-host': { type: 'string' },
      'health-max-lag': { type: 'string' },
    });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    const loaded = loadConfig({ env, configFile: values.config });
    const pollIntervalMs = positiveInteger('poll-interval', values['poll-interval'], loaded.polling.intervalMs);
    const healthPort = values['health-port'] === undefined ? undefined : Number(values['health-port']);
    if (healthPort !== undefined && !(Number.isInteger(healthPort) && healthPort >= 0 && healthPort <= 65_535)) {
      throw new UsageError(`--health-port must be an integer from 0 to 65535, got "${values['health-port']}"`);
    }
    if (healthPort === undefined && (values['health-host'] !== undefined || values['health-max-lag'] !== undefined)) {
      throw new UsageError('--health-host and --health-max-lag go with --health-port');
    }
    const maxLagSeconds = positiveInteger('health-max-lag', values['health-max-lag'], 300);
    // What this run really uses, the flags over the file and the environment: the start-up log
    // shows it, and everything below reads it.
    const config: AppConfig = { ...loaded, stateDir: values.state ?? loaded.stateDir, polling: { ...loaded.polling, intervalMs: pollIntervalMs } };
    const keys = config.mpas.realms.flatMap((realm) => config.mpas.streams.map((stream) => streamKey(realm, stream)));
    const errTerminal = io.errTerminal?.bind(io);
    const progress = errTerminal ? new CatchUpProgress({ keys, settleMs: config.mpas.settleMs, startFrom: config.mpas.startFrom, pollIntervalMs, clock: systemClock, draw: errTerminal }) : undefined;
    const writeLine = progress ? (line: string): void => progress.aroundLine(() => io.out(line)) : io.out;
    const log = createJsonLog(writeLine, config.logLevel, Date.now, secretValuesOf(config));
    log('info', 'starting', { version: VERSION, once: values.once === true, config: describeConfig(config) });
    const firstStart = new FirstStartNotice(config.mpas.startFrom, keys);
    const healthFile = healthFilePath(config.stateDir, config.tenant);
    const owner = `${hostname()}:${process.pid}`;
    let healthWrites: Promise<void> | undefined;
    // For `status`, which runs in another process: written in turn, so the last report wins.
    // Only once the lock is ours (the first poll or failure): a start refused by the lock must
    // not overwrite the report of the run that holds it.
    const saveHealth = (): void => {
      const content = { writtenAt: new Date(systemClock.now()).toISOString(), owner, report: health.report() };
      healthWrites = (healthWrites ?? Promise.resolve()).then(() => writeHealthFile(healthFile, content)).catch((error: unknown) => {
        log('warn', 'could not write the health file for status', { path: healthFile, error: error instanceof Error ? error.message : String(error) });
      });
    };
    const monitor = createRunMonitor({ log, clock: systemClock, config, onChange: saveHealth });
    const health = new HealthTracker({ clock: systemClock, settleMs: config.mpas.settleMs, maxLagMs: maxLagSeconds * 1000, outages: () => monitor.outages() });
    const board = new StatusBoard(config, systemClock);
    const metrics = new RunMetrics({ clock: systemClock, lags: () => board.lags(), outages: () => monitor.outages(), health: () => health.report() });
    let healthServer: HealthServer | undefined;
    if (healthPort !== undefined) {
      healthServer = await startHealthServer({ host: values['health-host'] ?? '127.0.0.1', port: healthPort, report: () => health.report(), metrics: () => metrics.exposition(), status: () => board.snapshot(health.report()) });
      log('info', 'health endpoint listening', { url: `${healthServer.url}/health`, metrics: `${healthServer.url}/metrics`, statusPage: `${healthServer.url}/` });
    }

    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      log('info', 'stopping: delivering what was read, then committing', { signal });
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const redraw = progress ? setInterval(() => progress.tick(), PROGRESS_REDRAW_MS) : undefined;
    try {
      const summary = await runLocal(watchRun({
        config,
        version: VERSION,
        once: values.once === true,
        startOver: values['start-over'] === true,
        onStartOver: (evidence) => log('warn', 'starting over (--start-over): no cursor position, though the state directory shows earlier runs; each stream starts at MPAS_START_FROM', { evidence, startFrom: config.mpas.startFrom === 'now' ? 'now' : new Date(config.mpas.startFrom).toISOString() }),
        signal: stop.signal,
        forwardObserver: { deadLettered: (_reason, count) => health.deadLettered(count) },
        siemObserver: monitor.siemObserver,
        onMpasRequest: monitor.onMpasRequest,
        lakeCompactionObserver: {
          compacted: (compaction, report, final) => {
            log('info', 'security lake compaction', { route: compaction.route, staging: compaction.staging, final, ...report });
          },
          failed: (compaction, error, final) => {
            log('error', 'security lake compaction failed: what it began is finished by the next one', { route: compaction.route, staging: compaction.staging, final, error: error instanceof Error ? error.message : String(error) });
          },
        },
        onNarrowed: (narrowed) => log('warn', 'state files a group or others could read are now the owner\'s alone (they hold cursors, dead letters and archived events)', { narrowed }),
        onStart: (positions) => {
          firstStart.started(positions);
          progress?.started(positions);
        },
        onPollStart: () => progress?.pollStarting(),
        pollObserver: {
          committed: (realm, stream, events, position) => {
            firstStart.committed(streamKey(realm, stream), position.time);
            progress?.committed(streamKey(realm, stream), position.time, events);
          },
          lateEvents: (realm, stream, events) => {
            health.lateDelivered(events);
            log('warn', 'late events delivered: MPAS stored them after the first pass had read past their time (long transactions or clocks apart)', { realm, stream, events });
          },
        },
        onPoll: (outcome) => {
          progress?.pollFinished(outcome.status === 'complete');
          health.pollFinished(outcome);
          saveHealth();
          const failures = 'failures' in outcome ? outcome.failures.map(({ realm, stream, error }) => ({ realm, stream, error: error.message })) : [];
          log(failures.length > 0 ? 'error' : 'info', 'poll', { status: outcome.status, events: 'events' in outcome ? outcome.events : 0, failures });
          const started = firstStart.takeStarted();
          if (started) log('info', 'first start: the cursor of these streams was started at now minus the settle window (MPAS_START_FROM is "now"); nothing before it is read', started);
        },
      }, [board, metrics]));
      monitor.flush();
      log(summary.failures > 0 ? 'error' : 'info', 'stopped', { ...summary });
      // Said once more in words, for whoever runs --once by hand or reads a cron mail.
      const leftBehind = summary.undelivered.length > 0;
      if (summary.failures > 0 && (values.once || leftBehind)) io.err(describeRunEnd(summary));
      const firstStartSentence = firstStart.sentence();
      if (values.once && firstStartSentence !== undefined) io.err(firstStartSentence);
      return (values.once && summary.failures > 0) || leftBehind ? ExitCode.failure : ExitCode.ok;
    } catch (error) {
      // A signal that lands during an MPAS read aborts the read: that page was neither enqueued
      // nor committed, so this is the clean stop that was asked for (found by the backfill test).
      if (stop.signal.aborted && (error === stop.signal.reason || (error instanceof Error && error.name === 'AbortError'))) {
        log('info', 'stopped during an MPAS read; nothing of it was committed');
        return ExitCode.ok;
      }
      throw error;
    } finally {
      clearInterval(redraw);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (healthWrites) {
        saveHealth();
        await healthWrites;
      }
      await healthServer?.close();
    }
  },
};
