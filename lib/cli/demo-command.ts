import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { statusLine, tallyItem } from '../../devtools/demo/demo-display.js';
import type { DemoTally } from '../../devtools/demo/demo-display.js';
import { generateEvents } from '../../devtools/generators/event-generator.js';
import { runLocal } from '../local/local-runner.js';
import { startMpasSimulator } from '../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../devtools/siem-receiver/siem-receiver.js';
import { realSleep } from '../core/time/sleep.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions, positiveInteger } from './parse-options.js';

const USAGE = `usage: mpas-log-sync demo [--duration SECONDS] [--rate EVENTS_PER_SECOND] [--format json|cef|ecs|leef] [--legacy] [--quiet]

Runs the whole pipeline on this machine: the bundled MPAS simulator (with an hour of past events
and live traffic), the local SIEM receiver, and the same poller, redaction, formatting and
delivery as the real service. Shows what the SIEM receives until Ctrl-C or --duration.

  --duration SECONDS   stop after this long (default: run until Ctrl-C)
  --rate N             live events per second (default 20)
  --format FORMAT      what the SIEM receives: json (default: the vendor's envelope), cef,
                       ecs (Elastic Common Schema) or leef (LEEF 2.0 for QRadar)
  --legacy             play a Keycloak older than 26.2 (dates only, newest first, no event ids)
  --quiet              only the running count, not one line per event`;

const REALM = 'acme';

/** The formats the demo's display reads back (devtools/demo/demo-display.ts), with how it names them. */
const DEMO_FORMATS: ReadonlyMap<string, string> = new Map([
  ['json', 'JSON envelope'],
  ['cef', 'CEF'],
  ['ecs', 'ECS documents'],
  ['leef', 'LEEF 2.0'],
]);
const DEMO_USER = { username: 'mpas-log-sync', password: 'demo-password-not-secret' };

/** `mpas-log-sync demo`: what `npm start` runs. */
export const demoCommand: Command = {
  summary: 'run the pipeline locally against the bundled MPAS simulator and SIEM receiver',
  usage: USAGE,
  async run(args, _env, io) {
    const { values } = parseOptions(args, {
      duration: { type: 'string' },
      rate: { type: 'string' },
      format: { type: 'string' },
      legacy: { type: 'boolean' },
      quiet: { type: 'boolean' },
    });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    const rate = positiveInteger('rate', values.rate, 20);
    const durationMs = values.duration === undefined ? undefined : positiveInteger('duration', values.duration, 1) * 1000;
    const format = values.format ?? 'json';
    const formatName = DEMO_FORMATS.get(format);
    if (formatName === undefined) throw new UsageError(`--format must be one of ${[...DEMO_FORMATS.keys()].join(', ')}, got "${format}"`);

    const now = Date.now();
    const simulator = await startMpasSimulator({
      realms: [REALM],
      mode: values.legacy ? 'legacy' : 'modern',
      users: [{ realm: 'master', ...DEMO_USER, roles: ['view-events'] }],
    });
    const backlog = generateEvents({ seed: 2025, realm: REALM, count: 300, startTime: now - 3_600_000, spacingMs: 11_000 });
    simulator.add(REALM, 'user', backlog.user);
    simulator.add(REALM, 'admin', backlog.admin);
    const stopTraffic = simulator.startLiveTraffic({ eventsPerSecond: rate, realm: REALM, commitDelayMs: [0, 1500], seed: now % 100_000 });
    const receiver = await startSiemReceiver();
    const stateDir = await mkdtemp(join(tmpdir(), 'mpas-log-sync-demo-'));

    io.out(`mpas-log-sync ${VERSION} demo: the whole pipeline on this machine`);
    io.out(`  MPAS simulator  ${simulator.url}  (${values.legacy ? 'Keycloak < 26.2 API' : 'Keycloak 26.2 API'}, realm "${REALM}", ${rate} events/s live + ${backlog.user.length + backlog.admin.length} from the last hour)`);
    io.out(`  SIEM receiver   ${receiver.url}  (generic HTTPS collector, ${formatName}, one event per request)`);
    io.out(`  state           ${stateDir}`);
    io.out(durationMs ? `Running for ${durationMs / 1000} s.\n` : 'Ctrl-C to stop.\n');

    const tally: DemoTally = { received: 0, byStream: { user: 0, admin: 0 }, duplicates: 0, unredacted: 0 };
    const seen = new Set<string>();
    const shownInFull = new Set<string>();
    const unsubscribe = receiver.onReceive((item) => {
      const { line, eventType } = tallyItem(tally, seen, item);
      if (!shownInFull.has(eventType)) {
        shownInFull.add(eventType);
        io.out(`First ${eventType}${format === 'json' ? '' : ` (${formatName})`} as the SIEM receives it:\n${item.format === 'json' ? JSON.stringify(item.json, null, 2) : item.text}\n`);
      } else if (!values.quiet) {
        io.out(line);
      }
    });
    const status = setInterval(() => io.out(statusLine(tally, Date.now())), 5_000);

    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = durationMs ? setTimeout(() => stop.abort(), durationMs) : undefined;
    try {
      const config = loadConfig({
        env: {
          MPAS_BASE_URL: simulator.url,
          MPAS_REALMS: REALM,
          MPAS_AUTH_REALM: 'master',
          MPAS_USERNAME: DEMO_USER.username,
          MPAS_PASSWORD: DEMO_USER.password,
          MPAS_START_FROM: new Date(now - 3_700_000).toISOString(),
          MPAS_SETTLE_MS: '2000',
          SIEM_URL: `${receiver.url}/ingest`,
          SIEM_FORMAT: format,
          SIEM_BATCH: 'single',
          TENANT: 'demo',
        },
      });
      const summary = await runLocal({ config, version: VERSION, stateDir, pollIntervalMs: 1_000, signal: stop.signal });
      // Let what the last poll delivered be counted before the final line.
      await realSleep(50);
      io.out(`\n${statusLine(tally, Date.now())}`);
      io.out(`Stopped after ${summary.polls} polls; ${summary.events} events committed; dead letters: ${summary.failures === 0 ? 'none' : summary.deadLetterFile}.`);
      return tally.duplicates === 0 && tally.unredacted === 0 && summary.failures === 0 ? ExitCode.ok : ExitCode.failure;
    } finally {
      if (timer) clearTimeout(timer);
      clearInterval(status);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      unsubscribe();
      stopTraffic();
      await receiver.close();
      await simulator.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  },
};
