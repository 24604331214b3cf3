import type { AppConfig } from '../config/app-config-schema.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import type { StreamKey } from '../core/cursor/cursor-store.js';
import type { Stream } from '../core/events/event-schemas.js';
import { replayCursorName } from '../local/replay-range.js';
import type { ReplayRange } from '../local/replay-range.js';
import { runReplay } from '../local/replay-runner.js';
import type { ReplaySummary } from '../local/replay-runner.js';
import { systemClock } from '../core/time/clock.js';
import { VERSION } from '../version.js';
import type { CliIo } from './command.js';
import { UsageError } from './exit-codes.js';
import { PROGRESS_REDRAW_MS, ReplayProgress, renderProgressBar, renderProgressLine } from './progress-bar.js';
import type { ProgressSnapshot } from './progress-bar.js';

/** The options `backfill` and `replay` share, parsed. */
export interface RangeOptions {
  realms?: string[];
  stream?: string;
  json: boolean;
  /** Seconds between plain progress lines when stdout is not a terminal. */
  progressEverySeconds: number;
}

/** Picks the realms and streams of a range from the options, within what the config reads. */
export function rangeTargets(config: AppConfig, options: RangeOptions): { realms: string[]; streams: Stream[] } {
  const realms = options.realms && options.realms.length > 0 ? options.realms : [...config.mpas.realms];
  for (const realm of realms) {
    if (!config.mpas.realms.includes(realm)) throw new UsageError(`--realm ${realm} is not one of the configured realms (${config.mpas.realms.join(', ')})`);
  }
  if (options.stream !== undefined && options.stream !== 'user' && options.stream !== 'admin') {
    throw new UsageError(`--stream must be user or admin, got "${options.stream}"`);
  }
  const streams: Stream[] = options.stream === 'user' || options.stream === 'admin' ? [options.stream] : [...config.mpas.streams];
  return { realms, streams };
}

/**
 * Runs a range with its progress output (a bar redrawn on a terminal, a plain line every few
 * seconds otherwise, JSON lines with `--json`) and stops cleanly on SIGINT/SIGTERM: the chunk in
 * hand is delivered and committed, so a rerun of the same command continues after it.
 */
export async function deliverRange(
  config: AppConfig,
  range: ReplayRange,
  stateDir: string,
  options: RangeOptions,
  io: CliIo,
): Promise<ReplaySummary> {
  const clock = systemClock;
  const cursorName = replayCursorName(config.tenant, range);
  const to = range.to ?? clock.now() - config.mpas.settleMs;
  const keys: StreamKey[] = range.realms.flatMap((realm) => range.streams.map((stream) => streamKey(realm, stream)));
  const progress = new ReplayProgress({ from: range.from, to }, keys, clock.now());
  const emit = (type: string, fields: Record<string, unknown>): void => io.out(JSON.stringify({ type, time: new Date(clock.now()).toISOString(), ...fields }));
  const progressFields = (snapshot: ProgressSnapshot): Record<string, unknown> => ({
    percent: Number((snapshot.fraction * 100).toFixed(1)),
    events: snapshot.events,
    eventsPerSecond: Number(snapshot.rate.toFixed(1)),
    etaSeconds: snapshot.etaMs === undefined ? null : Math.round(snapshot.etaMs / 1000),
  });
  const bar = io.isTty && !options.json && io.write !== undefined;
  const show = (): void => {
    const snapshot = progress.snapshot(clock.now());
    if (options.json) emit('progress', progressFields(snapshot));
    else if (bar) io.write!(`\r${renderProgressBar(snapshot)}`);
    else io.out(renderProgressLine(snapshot));
  };

  const header = { kind: range.kind, from: new Date(range.from).toISOString(), to: new Date(to).toISOString(), realms: range.realms, streams: range.streams, cursor: cursorName };
  if (options.json) emit('start', header);
  else io.out(`mpas-log-sync ${VERSION} ${range.kind}: ${header.from} .. ${header.to}${range.to === undefined ? ' (now minus settle)' : ''}, realms ${range.realms.join(', ')}, streams ${range.streams.join(', ')}; cursor ${cursorName} (the live cursor does not move)`);

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!options.json) io.out(`${bar ? '\n' : ''}${signal}: delivering and committing what was read, then stopping`);
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setInterval(show, bar ? PROGRESS_REDRAW_MS : options.progressEverySeconds * 1000);
  // Whether an earlier run had read every stream of the range: with nothing sent now, the range was done before.
  let resumed = false;
  try {
    const summary = await runReplay({
      config,
      version: VERSION,
      range,
      cursorName,
      stateDir,
      signal: stop.signal,
      clock,
      onStart: (snapshot) => {
        resumed = keys.every((key) => snapshot.positions[key] !== undefined);
        for (const key of keys) {
          const position = snapshot.positions[key];
          if (position) progress.update(key, position.time, 0);
        }
        progress.snapshot(clock.now());
      },
      observer: { committed: (realm, stream, events, position) => progress.update(streamKey(realm, stream), position.time, events) },
    });
    if (summary.status === 'complete') for (const key of keys) progress.finish(key);
    clearInterval(timer);
    const snapshot = progress.snapshot(clock.now());
    const alreadyComplete = resumed && summary.status === 'complete' && summary.events === 0;
    if (options.json) {
      emit('done', { ...progressFields(snapshot), status: summary.status, alreadyComplete, deadLettered: summary.deadLettered, failures: summary.failures, cursorFile: summary.cursorFile });
    } else {
      if (bar) io.write!(`\r${renderProgressBar(snapshot)}\n`);
      else io.out(renderProgressLine(snapshot));
      for (const failure of summary.failures) io.out(`${failure.realm} ${failure.stream}: ${failure.message}`);
      if (summary.deadLettered > 0) io.out(`${summary.deadLettered} events dead-lettered to ${summary.deadLetterFile} (see: mpas-log-sync dlq inspect)`);
      if (alreadyComplete) io.out(describeAlreadyComplete(range, header.to, summary.cursorFile));
      else
        io.out(
          summary.status === 'complete'
            ? `${range.kind} complete: ${summary.events} events delivered by this run`
            : `${range.kind} ${summary.status === 'failed' ? 'incomplete' : 'interrupted'} after ${summary.events} events, all delivered and committed: rerun the same command to continue`,
        );
    }
    return summary;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * A range an earlier run had finished: its cursor is at the end, so this run sent nothing. Said
 * plainly, with the way to send it again, since a rerun is what someone does who wants it again.
 */
function describeAlreadyComplete(range: ReplayRange, to: string, cursorFile: string): string {
  if (range.to === undefined) {
    return `backfill complete, nothing new: earlier runs of this command delivered every event up to now minus the settle window (${to}); cursor ${cursorFile}`;
  }
  return (
    `${range.kind} already complete: an earlier run of this command delivered every event of ${new Date(range.from).toISOString()} .. ${to}, so nothing was sent again ` +
    `(its cursor ${cursorFile} is at the end). To ${range.kind} the range anew, delete that file and run the same command.`
  );
}
