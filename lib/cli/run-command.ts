import { loadConfig } from '../config/load-config.js';
import { describeConfig } from '../config/describe-config.js';
import { runLocal } from '../local/local-runner.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { ExitCode } from './exit-codes.js';
import { createJsonLog } from './json-log.js';
import { parseOptions, positiveInteger } from './parse-options.js';

const USAGE = `usage: mpas-log-sync run [--config FILE] [--once] [--state DIR] [--poll-interval MS]

Runs the whole pipeline as one process (the on-prem mode): reads MPAS user and admin events,
redacts them and delivers them to the SIEM, keeping its cursor in the state directory.
Settings come from the JSON file and the environment (the environment wins); see
docs/configuration.md.

  --config FILE         JSON config file (default: $MPAS_LOG_SYNC_CONFIG, else none)
  --once                read up to now minus the settle window, deliver, commit, exit
                        (exit 1 if anything could not be delivered)
  --state DIR           state directory (cursor, lock, dead letters); default: STATE_DIR or .state
  --poll-interval MS    pause between polls (default: POLL_INTERVAL_MS, else 10000)

Stops cleanly on Ctrl-C or SIGTERM: what was read is delivered and committed, or not committed.`;

/** `mpas-log-sync run`. */
export const runCommand: Command = {
  summary: 'run the pipeline against a real MPAS and SIEM (on-prem mode)',
  usage: USAGE,
  async run(args, env, io) {
    const { values } = parseOptions(args, {
      config: { type: 'string' },
      once: { type: 'boolean' },
      state: { type: 'string' },
      'poll-interval': { type: 'string' },
    });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    // The service polls every minute; one local process can afford to look more often.
    const config = loadConfig({ env, configFile: values.config, defaults: { polling: { intervalMs: 10_000 } } });
    const pollIntervalMs = positiveInteger('poll-interval', values['poll-interval'], config.polling.intervalMs);
    const log = createJsonLog(io.out, config.logLevel);
    log('info', 'starting', { version: VERSION, once: values.once === true, config: describeConfig(config) });

    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      log('info', 'stopping: delivering what was read, then committing', { signal });
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const summary = await runLocal({
        config,
        version: VERSION,
        once: values.once === true,
        stateDir: values.state,
        pollIntervalMs,
        signal: stop.signal,
        onPoll: (outcome) => {
          const failures = 'failures' in outcome ? outcome.failures.map(({ realm, stream, error }) => ({ realm, stream, error: error.message })) : [];
          log(failures.length > 0 ? 'error' : 'info', 'poll', { status: outcome.status, events: 'events' in outcome ? outcome.events : 0, failures });
        },
      });
      log(summary.failures > 0 ? 'error' : 'info', 'stopped', { ...summary });
      return values.once && summary.failures > 0 ? ExitCode.failure : ExitCode.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
