import { readdir } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../config/config-error.js';
import { readEnvSettings } from '../config/env-settings.js';
import { loadConfig } from '../config/load-config.js';
import type { CursorSnapshot, StreamKey } from '../core/cursor/cursor-store.js';
import { DynamoDbCursorStore } from '../stores/cursor/dynamodb-cursor-store.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import { expirationSecondsOf, humanDuration } from '../sources/mpas/events-config.js';
import type { EventsExpiration } from '../sources/mpas/events-config.js';
import { healthFilePath, readHealthFile } from '../local/health-file.js';
import type { HealthFile } from '../local/health-file.js';
import { checkCursorExpiry } from '../sources/mpas/expiry-watch.js';
import type { ExpiryReport } from '../sources/mpas/expiry-watch.js';
import { mpasClientFromConfig } from '../runtime/mpas-client-from-config.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions } from './parse-options.js';

const USAGE = `usage: mpas-log-sync status [--state DIR | --table NAME [--region R] [--endpoint URL]] [--tenant T] [--config FILE] [--json]

Shows where the cursor stands, per realm and stream: the position (the time up to which every
event was delivered, ISO), the lag behind now, how many events at exactly that millisecond were
already sent (boundary), the API mode, when it was last committed, and who holds the lease
until when, and (locally) the last health report of run: what fails, SIEM or MPAS, and why.
Reads the local state directory (with the cursors of backfills and replays beside
the live one) or, with --table, the DynamoDB cursor table of the AWS deployment. Takes no lock:
safe while the service runs.

  --state DIR      local state directory (default: STATE_DIR or .state)
  --table NAME     the DynamoDB cursor table instead (credentials from the AWS SDK's usual chain)
  --region R       its region (default: AWS_REGION)
  --endpoint URL   a DynamoDB endpoint other than AWS's (DynamoDB Local)
  --tenant T       the tenant (default: TENANT or "default")
  --config FILE    MPAS settings (default: $MPAS_LOG_SYNC_CONFIG, else the environment): with
                   them, each realm's event expiration is read (events/config) and a live
                   cursor older than half of it is warned about, since Keycloak deletes
                   older events and deleted events can no longer be read
  --json           one JSON document`;

/** One stream's row of the status. */
interface StreamStatus {
  realm: string;
  stream: string;
  time: string;
  lagSeconds: number;
  boundary: number;
  mode: string | null;
  updatedAt: string;
  /** Late events the look-back delivered in this stream; 0 when none. */
  lateEvents: number;
}

/** One cursor (the live one, or a backfill's or replay's). */
interface CursorStatus {
  name: string;
  lease: { owner: string; until: string; expired: boolean; fence: number } | null;
  streams: StreamStatus[];
}

function describeCursor(name: string, snapshot: CursorSnapshot, now: number): CursorStatus {
  const streams = (Object.entries(snapshot.positions) as Array<[StreamKey, NonNullable<CursorSnapshot['positions'][StreamKey]>]>)
    .map(([key, position]) => {
      const cut = key.lastIndexOf('#');
      return {
        realm: key.slice(0, cut),
        stream: key.slice(cut + 1),
        time: new Date(position.time).toISOString(),
        lagSeconds: Math.max(0, Math.round((now - position.time) / 1000)),
        boundary: position.boundary.length,
        mode: position.mode ?? null,
        updatedAt: new Date(position.updatedAt).toISOString(),
        lateEvents: position.lookback?.late ?? 0,
      };
    })
    .sort((a, b) => `${a.realm}#${a.stream}`.localeCompare(`${b.realm}#${b.stream}`));
  const lease = snapshot.lease
    ? { owner: snapshot.lease.owner, until: new Date(snapshot.lease.leaseUntil).toISOString(), expired: snapshot.lease.leaseUntil < now, fence: snapshot.lease.fence }
    : null;
  return { name, lease, streams };
}

async function localCursors(stateDir: string, tenant: string): Promise<Array<{ name: string; snapshot: CursorSnapshot }>> {
  let files: string[];
  try {
    files = await readdir(stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--state ${stateDir} does not exist`);
    throw error;
  }
  // The live cursor first, then the backfills' and replays' (`<tenant>.<kind>-<hash>.cursor.json`).
  const names = files
    .filter((file) => file.endsWith('.cursor.json'))
    .map((file) => file.slice(0, -'.cursor.json'.length))
    .filter((name) => name === tenant || /^\.(replay|backfill)-[0-9a-f]+$/.test(name.slice(tenant.length)) && name.startsWith(tenant))
    .sort((a, b) => (a === tenant ? -1 : b === tenant ? 1 : a.localeCompare(b)));
  return Promise.all(names.map(async (name) => ({ name, snapshot: await new FileCursorStore({ stateDir, tenant: name }).read() })));
}

// status must answer quickly, even when MPAS does not: two attempts, not the poller's five.
const STATUS_RETRY = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1_000 };

/**
 * The live cursor against each realm's event expiration, when MPAS settings are at hand (an
 * explicit --config must load; without one, settings missing from the environment only skip it).
 */
async function expiryOf(configFile: string | undefined, env: NodeJS.ProcessEnv, snapshot: CursorSnapshot | undefined, now: number): Promise<ExpiryReport | string> {
  if (!snapshot || Object.keys(snapshot.positions).length === 0) return 'no live cursor';
  let config;
  try {
    config = loadConfig({ env, configFile });
  } catch (error) {
    if (configFile !== undefined || !(error instanceof ConfigError)) throw error;
    return 'not checked: give --config (or the MPAS_* variables) to compare the live cursor with the realms\' event expiration';
  }
  const client = mpasClientFromConfig(config, { retry: STATUS_RETRY });
  return checkCursorExpiry(client, snapshot.positions, now);
}

function describeExpiration(expiration: EventsExpiration): string {
  if (expiration.status === 'unknown') return `unknown (${expiration.reason})`;
  const kept = (seconds: number | undefined): string => (seconds === undefined ? 'no expiration set' : `deleted after ${humanDuration(seconds)}`);
  return `user events ${kept(expirationSecondsOf(expiration, 'user'))}, admin events ${kept(expirationSecondsOf(expiration, 'admin'))}`;
}

/** `mpas-log-sync status`. */
export const statusCommand: Command = {
  summary: 'show each realm and stream cursor: position, lag, boundary, mode, lease (local or DynamoDB)',
  usage: USAGE,
  async run(args, env, io) {
    const { values } = parseOptions(args, {
      state: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      tenant: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    if (values.table !== undefined && values.state !== undefined) throw new UsageError('give --state or --table, not both');
    if (values.table === undefined && (values.region !== undefined || values.endpoint !== undefined)) throw new UsageError('--region and --endpoint go with --table');
    const settings = readEnvSettings(env).values as { tenant?: unknown; stateDir?: unknown };
    const tenant = values.tenant ?? (typeof settings.tenant === 'string' ? settings.tenant : 'default');
    const now = Date.now();

    let cursors: CursorStatus[];
    let source: string;
    let live: CursorSnapshot | undefined;
    let runHealth: HealthFile | undefined;
    if (values.table !== undefined) {
      const region = values.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
      if (!region) throw new UsageError('--table needs --region (or AWS_REGION)');
      const client = new DynamoDBClient({ region, ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
      try {
        const snapshot = await new DynamoDbCursorStore({ client, tableName: values.table, tenant }).read();
        live = snapshot;
        cursors = [describeCursor(tenant, snapshot, now)];
      } finally {
        client.destroy();
      }
      source = `DynamoDB table ${values.table} (${region})`;
    } else {
      const stateDir = values.state ?? (typeof settings.stateDir === 'string' ? settings.stateDir : '.state');
      const found = await localCursors(stateDir, tenant);
      live = found.find(({ name }) => name === tenant)?.snapshot;
      cursors = found.map(({ name, snapshot }) => describeCursor(name, snapshot, now));
      source = `state directory ${stateDir}`;
      runHealth = await readHealthFile(healthFilePath(stateDir, tenant));
    }

    const expiry = await expiryOf(values.config, env, live, now);
    const expiration =
      typeof expiry === 'string'
        ? { checked: false, note: expiry }
        : {
            checked: true,
            realms: Object.fromEntries(expiry.expirations),
            streams: expiry.streams.map(({ realm, stream, risk, warning }) => ({ realm, stream, ...risk, ...(warning !== undefined ? { warning } : {}) })),
          };
    if (values.json) {
      io.out(JSON.stringify({ tenant, source, now: new Date(now).toISOString(), cursors, expiration, ...(runHealth ? { runHealth } : {}) }, null, 2));
      return ExitCode.ok;
    }
    io.out(`tenant ${tenant}, ${source}`);
    if (runHealth) {
      const { report } = runHealth;
      io.out(`run health (written ${runHealth.writtenAt} by ${runHealth.owner}): ${report.status}`);
      for (const { side, target, cause, since, attempts } of report.failing) io.out(`  FAILING ${side} ${target} since ${since} (${attempts} failed attempts): ${cause}`);
      for (const reason of report.reasons.filter((text) => !/^(the SIEM|MPAS) \(/.test(text))) io.out(`  ${reason}`);
    }
    if (cursors.length === 0 || cursors.every((cursor) => cursor.streams.length === 0 && !cursor.lease)) {
      io.out('no cursor yet: nothing has been read (run starts at MPAS_START_FROM)');
      return ExitCode.ok;
    }
    if (values.table === undefined && !cursors.some((cursor) => cursor.name === tenant)) io.out('\nlive cursor  none yet (run starts at MPAS_START_FROM, or backfill --set-live-cursor sets it)');
    for (const cursor of cursors) {
      const lease = cursor.lease ? `lease: ${cursor.lease.owner} until ${cursor.lease.until}${cursor.lease.expired ? ' (expired)' : ''}` : 'lease: free';
      io.out(`\n${cursor.name === tenant ? 'live cursor' : cursor.name}  ${lease}`);
      io.out(`  ${'REALM'.padEnd(16)} ${'STREAM'.padEnd(6)} ${'POSITION'.padEnd(24)} ${'LAG'.padStart(8)} ${'BOUNDARY'.padStart(8)}  ${'MODE'.padEnd(6)}  ${'UPDATED'.padEnd(24)}  LATE`);
      for (const row of cursor.streams) {
        io.out(`  ${row.realm.padEnd(16)} ${row.stream.padEnd(6)} ${row.time.padEnd(24)} ${`${row.lagSeconds}s`.padStart(8)} ${String(row.boundary).padStart(8)}  ${(row.mode ?? '-').padEnd(6)}  ${row.updatedAt.padEnd(24)}  ${row.lateEvents}`);
      }
      if (cursor.streams.some((row) => row.lateEvents > 0)) {
        io.out('  LATE: events the look-back delivered because MPAS stored them after the first pass had read past their time (long transactions, clocks apart)');
      }
    }
    if (typeof expiry === 'string') {
      if (live) io.out(`\nevent expiration: ${expiry}`);
    } else {
      io.out('\nevent expiration (Keycloak deletes older events; Realm settings > Events):');
      for (const [realm, value] of expiry.expirations) io.out(`  ${realm.padEnd(16)} ${describeExpiration(value)}`);
      for (const { warning } of expiry.streams) if (warning !== undefined) io.out(`\nWARNING ${warning}`);
    }
    return ExitCode.ok;
  },
};
