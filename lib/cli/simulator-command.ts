import { generateEvents } from '../local/event-generator.js';
import { startMpasSimulator } from '../local/mpas-simulator/index.js';
import { SimulatorUsageError } from '../local/mpas-simulator/index.js';
import { createRandom } from '../local/random.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions, positiveInteger } from './parse-options.js';

const USAGE = `usage: mpas-log-sync simulator [--port N] [--rate N] [--legacy] [--realm R] [--fail-rate P] [--latency MS] [--late-commit-ms MS] [--backlog N] [--seed N] [--json]

Starts the bundled MPAS simulator (a Keycloak admin events API: token endpoint, user and admin
events, both API modes, ties, late commits) on 127.0.0.1 with live traffic, and prints its URL
and the settings that let \`run\`, \`check\`, \`backfill\` and \`replay\` read from it. Runs until
Ctrl-C or SIGTERM. For trying the service without a real MPAS, and for fault drills.

  --port N             port to listen on (default 8180; 0 for any free port)
  --rate N             live events per second (default 5; 0 for none)
  --legacy             play a Keycloak older than 26.2 (dates only, newest first, no event ids)
  --realm R            the realm holding the events (default acme)
  --fail-rate P        answer this share (0..1) of event requests with 503 (default 0)
  --latency MS         delay every response by MS (default 0)
  --late-commit-ms MS  live events become visible up to MS after their time, as Keycloak's
                       commit lag does (default 250)
  --backlog N          events from the last hour, there at start (default 300)
  --seed N             seed of the generated events and the failures (default 1)
  --json               print the URL and settings as one JSON line`;

const USERNAME = 'mpas-log-sync';
// The simulator only listens on loopback and holds generated events: this is not a secret.
const PASSWORD = 'simulator-password-not-secret';

function nonNegative(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`--${name} must be a number >= 0, got "${value}"`);
  return number;
}

/** `mpas-log-sync simulator`. */
export const simulatorCommand: Command = {
  summary: 'start the bundled MPAS simulator with live traffic and fault switches',
  usage: USAGE,
  async run(args, _env, io) {
    const { values } = parseOptions(args, {
      port: { type: 'string' },
      rate: { type: 'string' },
      legacy: { type: 'boolean' },
      realm: { type: 'string' },
      'fail-rate': { type: 'string' },
      latency: { type: 'string' },
      'late-commit-ms': { type: 'string' },
      backlog: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    const port = nonNegative('port', values.port, 8180);
    if (!Number.isInteger(port) || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
    const rate = nonNegative('rate', values.rate, 5);
    const failRate = nonNegative('fail-rate', values['fail-rate'], 0);
    if (failRate > 1) throw new UsageError(`--fail-rate must be from 0 to 1, got "${values['fail-rate']}"`);
    const latency = nonNegative('latency', values.latency, 0);
    const lateCommitMs = nonNegative('late-commit-ms', values['late-commit-ms'], 250);
    const backlogCount = nonNegative('backlog', values.backlog, 300);
    const seed = positiveInteger('seed', values.seed, 1);
    const realm = values.realm ?? 'acme';
    if (realm === 'master' || !/^[A-Za-z0-9._-]+$/.test(realm)) throw new UsageError(`--realm must be a realm name other than master, got "${realm}"`);

    const simulator = await startMpasSimulator({
      port,
      realms: [realm],
      mode: values.legacy ? 'legacy' : 'modern',
      seed,
      users: [{ realm: 'master', username: USERNAME, password: PASSWORD, roles: ['view-events'] }],
    }).catch((error: unknown) => {
      if (error instanceof SimulatorUsageError) throw new UsageError(error.message);
      throw error;
    });
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let stopTraffic = (): void => {};
    try {
      const now = Date.now();
      if (backlogCount > 0) {
        const backlog = generateEvents({ seed, realm, count: Math.floor(backlogCount), startTime: now - 3_600_000, spacingMs: Math.max(1, Math.floor(3_600_000 / backlogCount)) });
        simulator.add(realm, 'user', backlog.user);
        simulator.add(realm, 'admin', backlog.admin);
      }
      if (rate > 0) stopTraffic = simulator.startLiveTraffic({ eventsPerSecond: rate, realm, commitDelayMs: [0, lateCommitMs], seed });
      if (latency > 0) simulator.faults.setLatency(latency);
      if (failRate > 0) simulator.faults.setFailRate(failRate, createRandom(seed).next);

      const settings = { MPAS_BASE_URL: simulator.url, MPAS_REALMS: realm, MPAS_AUTH_REALM: 'master', MPAS_USERNAME: USERNAME, MPAS_PASSWORD: PASSWORD };
      if (values.json) {
        io.out(JSON.stringify({ url: simulator.url, realm, mode: values.legacy ? 'legacy' : 'modern', settings }));
      } else {
        io.out(`MPAS simulator listening on ${simulator.url} (${values.legacy ? 'Keycloak < 26.2 API' : 'Keycloak 26.2 API'}), realm "${realm}"`);
        io.out(`  ${rate} events/s live, ${backlogCount} from the last hour; fail rate ${failRate}, latency ${latency} ms, late commits up to ${lateCommitMs} ms`);
        io.out('Point mpas-log-sync at it with these settings (the user has the view-events role):\n');
        for (const [name, value] of Object.entries(settings)) io.out(`  ${name}=${value}`);
        io.out('\nCtrl-C to stop.');
      }
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const { eventsServed } = simulator.stats();
      if (!values.json) io.out(`stopped; served ${eventsServed.user} user and ${eventsServed.admin} admin events`);
      return ExitCode.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stopTraffic();
      await simulator.close();
    }
  },
};
