import { generateEvents } from '../../devtools/generators/event-generator.js';
import { startMpasSimulator } from '../../devtools/mpas-simulator/index.js';
import { keycloakVersionTraits, SimulatorUsageError } from '../../devtools/mpas-simulator/index.js';
import type { VersionTraits } from '../../devtools/mpas-simulator/index.js';
import { createRandom } from '../../devtools/generators/random.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions, positiveInteger } from './parse-options.js';

const USAGE = `usage: mpas-log-sync simulator [--port N] [--rate N] [--keycloak-version V | --legacy] [--realm R]
       [--server-utc-offset ±HH:MM] [--clock-skew-ms N] [--tie-order shuffled|stable]
       [--late-commit-ms MS | --late-commit-share P --late-commit-max-ms MS] [--events-expiration S]
       [--fail-rate P] [--latency MS] [--backlog N] [--seed N] [--json]

Starts the bundled MPAS simulator (a Keycloak admin events API: token endpoint, user and admin
events, events/config, each Keycloak version's date and paging rules, ties, late commits, clock
skew, expiry) on 127.0.0.1 with live traffic, and prints its URL and the settings that let
\`run\`, \`check\`, \`backfill\` and \`replay\` read from it. Runs until Ctrl-C or SIGTERM. For
trying the service without a real MPAS, and for fault drills. docs/keycloak-api.md says what
each version does and where in Keycloak's source it comes from.

  --port N                 port to listen on (default 8180; 0 for any free port)
  --rate N                 live events per second (default 5; 0 for none)
  --keycloak-version V     the Keycloak to play: 24, 25, 26.0, 26.1 (dates only, newest first, no
                           event ids), 26.2.0 (a yyyy-MM-dd dateTo matches nothing), 26.2 (26.2.1
                           and later), 26.3, 26.4 ... (default 26.2)
  --legacy                 short for --keycloak-version 26.1
  --realm R                the realm holding the events (default acme)
  --server-utc-offset ±HH:MM  the server's zone for legacy yyyy-MM-dd dates (default +00:00)
  --clock-skew-ms N        the server's clock runs N ms ahead of this machine's (negative:
                           behind; write --clock-skew-ms=-N): event times, tokens and the Date
                           header follow it (default 0)
  --tie-order O            shuffled: same-millisecond events in a new order on every request, as
                           a database's ORDER BY time gives; stable: one fixed order (default
                           shuffled)
  --late-commit-ms MS      live events become visible uniformly up to MS after their time
                           (default 250)
  --late-commit-share P    instead: this share (0..1) of live events commits seconds late, up to
  --late-commit-max-ms MS  MS (default 300000, Keycloak's transaction timeout); the rest within 5 ms
  --events-expiration S    events older than S seconds are removed by a cleanup every 900 s, as
                           Keycloak's ClearExpiredEvents task does (default: kept)
  --fail-rate P            answer this share (0..1) of event requests with 503 (default 0)
  --latency MS             delay every response by MS (default 0)
  --backlog N              events from the last hour, there at start (default 300)
  --seed N                 seed of the generated events, tie orders and failures (default 1)
  --json                   print the URL and settings as one JSON line`;

const USERNAME = 'mpas-log-sync';
// The simulator only listens on loopback and holds generated events: this is not a secret.
const PASSWORD = 'simulator-password-not-secret';

function nonNegative(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`--${name} must be a number >= 0, got "${value}"`);
  return number;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return number;
}

/** `±HH:MM` as minutes east of UTC. */
function utcOffset(value: string | undefined): number {
  if (value === undefined) return 0;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(value);
  const minutes = match ? (Number(match[2]) * 60 + Number(match[3])) * (match[1] === '-' ? -1 : 1) : Number.NaN;
  if (!match || Number(match[3]) > 59 || Math.abs(minutes) > 14 * 60) throw new UsageError(`--server-utc-offset must be ±HH:MM within ±14:00, got "${value}"`);
  return minutes;
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
      'keycloak-version': { type: 'string' },
      'server-utc-offset': { type: 'string' },
      'clock-skew-ms': { type: 'string' },
      'tie-order': { type: 'string' },
      'late-commit-share': { type: 'string' },
      'late-commit-max-ms': { type: 'string' },
      'events-expiration': { type: 'string' },
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
    const lateShare = values['late-commit-share'] === undefined ? undefined : nonNegative('late-commit-share', values['late-commit-share'], 0);
    if (lateShare !== undefined && lateShare > 1) throw new UsageError(`--late-commit-share must be from 0 to 1, got "${values['late-commit-share']}"`);
    if (values['late-commit-max-ms'] !== undefined && lateShare === undefined) throw new UsageError('--late-commit-max-ms needs --late-commit-share');
    if (lateShare !== undefined && values['late-commit-ms'] !== undefined) throw new UsageError('--late-commit-ms and --late-commit-share cannot be used together');
    const lateMaxMs = positiveInteger('late-commit-max-ms', values['late-commit-max-ms'], 300_000);
    if (lateMaxMs <= 5) throw new UsageError(`--late-commit-max-ms must be more than 5, got "${values['late-commit-max-ms']}"`);
    if (values.legacy && values['keycloak-version'] !== undefined) throw new UsageError('--legacy and --keycloak-version cannot be used together');
    const keycloakVersion = values.legacy ? '26.1' : (values['keycloak-version'] ?? '26.2');
    const serverUtcOffsetMinutes = utcOffset(values['server-utc-offset']);
    const clockSkewMs = integer('clock-skew-ms', values['clock-skew-ms'], 0);
    const tieOrder = values['tie-order'] ?? 'shuffled';
    if (tieOrder !== 'shuffled' && tieOrder !== 'stable') throw new UsageError(`--tie-order must be shuffled or stable, got "${tieOrder}"`);
    const eventsExpirationSeconds = values['events-expiration'] === undefined ? undefined : positiveInteger('events-expiration', values['events-expiration'], 1);
    const backlogCount = nonNegative('backlog', values.backlog, 300);
    const seed = positiveInteger('seed', values.seed, 1);
    const realm = values.realm ?? 'acme';
    if (realm === 'master' || !/^[A-Za-z0-9._-]+$/.test(realm)) throw new UsageError(`--realm must be a realm name other than master, got "${realm}"`);

    const simulator = await startMpasSimulator({
      port,
      realms: [realm],
      keycloakVersion,
      serverUtcOffsetMinutes,
      clockSkewMs,
      tieOrder,
      ...(eventsExpirationSeconds === undefined ? {} : { eventsExpirationSeconds }),
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
    const generation = (keycloakVersionTraits(simulator.keycloakVersion()) as VersionTraits).generation;
    try {
      // The backlog is stamped by the server's clock, as Keycloak stamps its events.
      const now = Date.now() + clockSkewMs;
      if (backlogCount > 0) {
        const backlog = generateEvents({ seed, realm, count: Math.floor(backlogCount), startTime: now - 3_600_000, spacingMs: Math.max(1, Math.floor(3_600_000 / backlogCount)) });
        simulator.add(realm, 'user', backlog.user);
        simulator.add(realm, 'admin', backlog.admin);
      }
      const commits = lateShare === undefined ? { commitDelayMs: [0, Math.floor(lateCommitMs)] as [number, number] } : { lateCommits: { share: lateShare, maxMs: lateMaxMs } };
      if (rate > 0) stopTraffic = simulator.startLiveTraffic({ eventsPerSecond: rate, realm, ...commits, seed });
      if (latency > 0) simulator.faults.setLatency(latency);
      if (failRate > 0) simulator.faults.setFailRate(failRate, createRandom(seed).next);

      const settings = { MPAS_BASE_URL: simulator.url, MPAS_REALMS: realm, MPAS_AUTH_REALM: 'master', MPAS_USERNAME: USERNAME, MPAS_PASSWORD: PASSWORD };
      if (values.json) {
        io.out(JSON.stringify({ url: simulator.url, realm, mode: generation, keycloakVersion: simulator.keycloakVersion(), settings }));
      } else {
        io.out(`MPAS simulator listening on ${simulator.url} (Keycloak ${simulator.keycloakVersion()}, ${generation === 'legacy' ? 'pre-26.2 API' : '26.2 API'}), realm "${realm}"`);
        const late = lateShare === undefined ? `up to ${lateCommitMs} ms` : `${lateShare * 100}% up to ${lateMaxMs} ms, the rest within 5 ms`;
        io.out(`  ${rate} events/s live, ${backlogCount} from the last hour; fail rate ${failRate}, latency ${latency} ms, late commits ${late}`);
        io.out(`  ties ${tieOrder}, clock skew ${clockSkewMs} ms, server zone ${values['server-utc-offset'] ?? '+00:00'}, events ${eventsExpirationSeconds === undefined ? 'kept' : `expire after ${eventsExpirationSeconds} s`}`);
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
