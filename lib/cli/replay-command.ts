import { loadConfig } from '../config/load-config.js';
import { parseReplayDate, ReplayRangeError } from '../local/replay-range.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions, positiveInteger } from './parse-options.js';
import { deliverRange, rangeTargets } from './range-delivery.js';

const USAGE = `usage: mpas-log-sync replay --from DATE --to DATE [--realm R]... [--stream user|admin] [--config FILE] [--state DIR] [--json]

Reads a past time range from MPAS again and delivers it through the configured redaction,
format and SIEM, e.g. after the SIEM lost data. The live cursor does not move: the range has its
own cursor in the state directory (<tenant>.replay-<hash of the range>), so an interrupted
replay (Ctrl-C, SIGTERM) resumes where it stopped when the same command runs again, and a live
\`run\` may go on meanwhile. Every event of the range is sent, including those the live service
already sent. A finished range sends nothing when run again, and says how to replay it anew.

  --from DATE            start, inclusive: 2026-11-01 (UTC midnight), 2026-11-01T08:00:00Z, or epoch ms
  --to DATE              end, inclusive (capped at now minus the settle window)
  --realm R              only this realm (repeatable; default: every configured realm)
  --stream user|admin    only this stream (default: the configured streams)
  --config FILE          JSON config file (default: $MPAS_LOG_SYNC_CONFIG, else the environment only)
  --state DIR            state directory (default: STATE_DIR or .state)
  --json                 JSON lines (start, progress, done) instead of text
  --progress-every S     seconds between progress lines when stdout is not a terminal (default 10)

Exit codes: 0 the range is delivered, 1 interrupted or not all delivered (rerun to continue),
2 bad usage or configuration.`;

/** The options that choose a time range of the tenant's streams: `backfill`, `replay` and `verify` parse them alike. */
export const rangeSelectionSpec = {
  from: { type: 'string' },
  to: { type: 'string' },
  realm: { type: 'string', multiple: true },
  stream: { type: 'string' },
  config: { type: 'string' },
  state: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The options `backfill` and `replay` parse alike: the range, and how often progress is told. */
export const rangeOptionSpec = { ...rangeSelectionSpec, 'progress-every': { type: 'string' } } as const;

/** `--from`/`--to` as epoch ms, or a UsageError naming the option. */
export function dateOption(option: string, value: string): number {
  try {
    return parseReplayDate(option, value);
  } catch (error) {
    if (error instanceof ReplayRangeError) throw new UsageError(error.message);
    throw error;
  }
}

/** `mpas-log-sync replay`. */
export const replayCommand: Command = {
  summary: 'deliver a past time range again, with its own resumable cursor',
  usage: USAGE,
  async run(args, env, io) {
    const { values } = parseOptions(args, rangeOptionSpec);
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    if (values.from === undefined || values.to === undefined) throw new UsageError('replay needs both --from and --to');
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    if (to < from) throw new UsageError(`--to (${values.to}) is before --from (${values.from})`);
    const config = loadConfig({ env, configFile: values.config });
    const options = { realms: values.realm, stream: values.stream, json: values.json === true, progressEverySeconds: positiveInteger('progress-every', values['progress-every'], 10) };
    const { realms, streams } = rangeTargets(config, options);
    const summary = await deliverRange(config, { kind: 'replay', from, to, realms, streams }, values.state ?? config.stateDir, options, io);
    return summary.status === 'complete' && summary.deadLettered === 0 ? ExitCode.ok : ExitCode.failure;
  },
};
