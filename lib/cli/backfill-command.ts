import { loadConfig } from '../config/load-config.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import { seedLiveCursor, streamsWithoutLiveCursor } from '../local/live-cursor-seed.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions, positiveInteger } from './parse-options.js';
import { deliverRange, rangeTargets } from './range-delivery.js';
import { dateOption, rangeOptionSpec } from './replay-command.js';

const USAGE = `usage: mpas-log-sync backfill --from DATE [--to DATE] [--realm R]... [--stream user|admin] [--set-live-cursor] [--config FILE] [--state DIR] [--json]

Reads the history before the service started and delivers it. Like replay, it keeps its own
cursor (<tenant>.backfill-<hash>) and never moves the live one, and an interrupted backfill
resumes when the same command runs again. Without --to it reads up to now minus the settle
window, a moving end: a rerun continues up to the new "now".

When it finishes, streams that have no live cursor yet can start where the backfill ended, so
the first \`run\` continues with no gap and no duplicate: --set-live-cursor does that (it takes the
state directory's lock, so it is refused while a \`run\` holds it); without it, the command says
which streams could. Streams that already have a live cursor are never changed (it says which).

  --from DATE            start, inclusive: 2026-11-01 (UTC midnight), 2026-11-01T08:00:00Z, or epoch ms
  --to DATE              end, inclusive (default: now minus the settle window, at every run)
  --realm R              only this realm (repeatable; default: every configured realm)
  --stream user|admin    only this stream (default: the configured streams)
  --set-live-cursor      once complete, start the live cursor of streams without one at the backfill's end
  --config FILE          JSON config file (default: $MPAS_LOG_SYNC_CONFIG, else the environment only)
  --state DIR            state directory (default: STATE_DIR or .state)
  --json                 JSON lines (start, progress, done, live-cursor) instead of text
  --progress-every S     seconds between progress lines when stdout is not a terminal (default 10)

Exit codes: 0 delivered, 1 interrupted or not all delivered (rerun to continue), 2 bad usage or configuration.`;

/** `mpas-log-sync backfill`. */
export const backfillCommand: Command = {
  summary: 'deliver the history before the service started (resumable; can start the live cursor)',
  usage: USAGE,
  async run(args, env, io) {
    const { values } = parseOptions(args, { ...rangeOptionSpec, 'set-live-cursor': { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    if (values.from === undefined) throw new UsageError('backfill needs --from');
    const from = dateOption('from', values.from);
    const to = values.to === undefined ? undefined : dateOption('to', values.to);
    if (to !== undefined && to < from) throw new UsageError(`--to (${values.to}) is before --from (${values.from})`);
    const config = loadConfig({ env, configFile: values.config });
    const options = { realms: values.realm, stream: values.stream, json: values.json === true, progressEverySeconds: positiveInteger('progress-every', values['progress-every'], 10) };
    const { realms, streams } = rangeTargets(config, options);
    const stateDir = values.state ?? config.stateDir;
    const summary = await deliverRange(config, { kind: 'backfill', from, to, realms, streams }, stateDir, options, io);
    if (summary.status !== 'complete') return ExitCode.failure;

    const keys = realms.flatMap((realm) => streams.map((stream) => streamKey(realm, stream)));
    const without = await streamsWithoutLiveCursor({ stateDir, tenant: config.tenant, keys });
    if (values['set-live-cursor']) {
      const set = without.length > 0 ? await seedLiveCursor({ stateDir, tenant: config.tenant, positions: summary.positions, leaseMs: config.polling.leaseMs }) : [];
      // A stream may have got its live position from a `run` since it was looked at: it is left alone too.
      const kept = keys.filter((key) => !set.includes(key));
      if (options.json) io.out(JSON.stringify({ type: 'live-cursor', set, kept }));
      else {
        if (set.length > 0) io.out(`live cursor started at the backfill's end for ${set.join(', ')}: \`run\` continues from there`);
        if (kept.length > 0) io.out(describeKeptLiveCursor(kept));
      }
    } else if (without.length > 0) {
      if (options.json) {
        io.out(JSON.stringify({ type: 'live-cursor', set: [], withoutLiveCursor: without }));
      } else {
        io.out(`no live cursor yet for ${without.join(', ')}: add --set-live-cursor (rerunning finishes at once) so \`run\` starts where this backfill ended`);
      }
    }
    return summary.deadLettered === 0 ? ExitCode.ok : ExitCode.failure;
  },
};

/** Why --set-live-cursor left these streams as they were, and what the backfill did for them. */
function describeKeptLiveCursor(kept: readonly string[]): string {
  return (
    `live cursor not changed for ${kept.join(', ')}: ${kept.length === 1 ? 'it has' : 'they have'} a live position already ` +
    '(a `run` read them), and --set-live-cursor only starts streams without one; `run` reads on from its own position. ' +
    'The backfill was delivered all the same: the part of its range `run` had read too was sent by both.'
  );
}
