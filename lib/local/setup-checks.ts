import { existsSync, readFileSync } from 'node:fs';
import type { ClockOffset } from '../sources/mpas/server-clock.js';
import { join } from 'node:path';
import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { AppConfig } from '../config/app-config-schema.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import type { CursorSnapshot } from '../core/cursor/cursor-store.js';
import { CursorFile } from '../stores/cursor/cursor-file.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import { LocalTenantHistory } from '../stores/cursor/tenant-history.js';
import { forwardBatch } from '../core/forwarder/forward-batch.js';
import type { ForwarderStages } from '../core/forwarder/forward-batch.js';
import { routesFromConfig } from '../runtime/routes-from-config.js';
import { mpasClientFromConfig } from '../runtime/mpas-client-from-config.js';
import { MpasAuthError, MpasError, MpasForbiddenError, MpasNotFoundError, MpasUnavailableError } from '../sources/mpas/errors.js';
import type { Stream } from '../core/events/event-schemas.js';
import { expirationSecondsOf, expiryRisk, expiryWarning, humanDuration } from '../sources/mpas/events-config.js';
import type { EventsExpiration } from '../sources/mpas/events-config.js';
import { undiciFetchVia } from '../net/http-fetch.js';
import { mpasAgentWithCa } from '../sources/mpas/mpas-agent.js';
import { HttpTransport } from '../sources/mpas/http-transport.js';
import { RetryPolicy } from '../sources/mpas/retry-policy.js';
import { TokenProvider } from '../sources/mpas/token-provider.js';
import type { SinkHealth } from '../sinks/sink.js';
import { systemClock } from '../core/time/clock.js';
import { realSleep } from '../core/time/sleep.js';

/** One line of `check`: what was tried, and either ok or what is wrong and how to fix it. */
export interface CheckResult {
  check: string;
  ok: boolean;
  /** What was found: for a failure, what is wrong and the setting or role to fix. */
  detail: string;
  /** Passed, with a warning in `detail` (a cursor getting close to the event expiration). */
  warn?: boolean;
}

/** Options of {@link runSetupChecks}. */
export interface SetupCheckOptions {
  version: string;
  /** Send something the SIEM stores: an empty JSON array to a generic HTTPS sink, a test event to the others. */
  sendTestEvent: boolean;
  /** Each result as soon as it is known, so a slow check does not hide the ones before it. */
  onResult?: (result: CheckResult) => void;
}

// A check should answer quickly: two attempts, not the poller's patient five.
const CHECK_RETRY = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1_000 };

function mpasFix(error: unknown): string {
  if (error instanceof MpasForbiddenError) return `${error.message} (realm ${error.realm}: Users > mpas-log-sync > Role mapping > view-events)`;
  if (error instanceof MpasUnavailableError) return `${error.message}: check MPAS_BASE_URL and that MPAS is reachable from here`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Tries the configuration for real, in order: the MPAS token, one events read (max=1) per realm
 * and stream (with the realm's event expiration, and a warning when the local live cursor is
 * older than half of it: Keycloak deletes older events for good), then every destination, by its
 * sink's own health check. Without `sendTestEvent` nothing is stored anywhere. Never throws for
 * what it finds; secrets never appear.
 */
export async function runSetupChecks(config: AppConfig, options: SetupCheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (check: string, ok: boolean, detail: string, warn = false): void => {
    const result = { check, ok, detail, ...(warn ? { warn } : {}) };
    results.push(result);
    options.onResult?.(result);
  };
  // Offline, so first: what run will find in the state directory.
  const state = stateCheck(config);
  report('state', state.ok, state.detail);

  const { credentials } = config.mpas;
  const who = credentials.grant === 'password' ? `user ${credentials.username}` : `client ${credentials.clientId}`;
  const tokens = new TokenProvider({
    baseUrl: config.mpas.baseUrl.replace(/\/+$/, ''),
    authRealm: config.mpas.authRealm,
    credentials,
    clock: systemClock,
    transport: new HttpTransport({
      // As run reaches MPAS: through MPAS_CA_FILE's CA, with MPAS_MAX_PAGE_BYTES.
      fetch: undiciFetchVia(config.mpas.caFile !== undefined ? mpasAgentWithCa(config.mpas.caFile) : undefined),
      maxBodyBytes: config.mpas.maxPageBytes,
      clock: systemClock,
      sleep: realSleep,
      policy: new RetryPolicy(CHECK_RETRY),
      requestTimeoutMs: config.mpas.requestTimeoutMs,
    }),
  });
  let tokenOk = false;
  try {
    await tokens.token();
    tokenOk = true;
    report('mpas token', true, `ok: ${credentials.grant} grant for ${who} in realm ${config.mpas.authRealm}`);
  } catch (error) {
    const fix = error instanceof MpasNotFoundError ? `${error.message}` : error instanceof MpasAuthError ? error.message : mpasFix(error);
    report('mpas token', false, fix);
  }

  const client = mpasClientFromConfig(config);
  const cursor = await liveCursorOf(config);
  for (const realm of config.mpas.realms) {
    // Read once per realm, after its first readable stream: it only adds to the streams' lines.
    let expiration: EventsExpiration | undefined;
    for (const stream of config.mpas.streams) {
      const check = `mpas ${realm} ${stream} events`;
      if (!tokenOk) {
        report(check, false, 'not tried: no MPAS token');
        continue;
      }
      try {
        const mode = await client.apiMode(realm);
        const page = await client.getEvents({ realm, stream, first: 0, max: 1 });
        const detail = `ok: ${mode === 'modern' ? 'Keycloak >= 26.2 API' : 'Keycloak < 26.2 API (dates only)'}, ${page.length === 0 ? 'no event stored yet' : 'events readable'}`;
        expiration ??= await client.eventsExpiration(realm).catch((error: unknown) => ({ status: 'unknown' as const, reason: error instanceof Error ? error.message : String(error) }));
        const position = cursor?.positions[streamKey(realm, stream)];
        const warning = position ? expiryWarning(realm, stream, expiryRisk(position.time, systemClock.now(), expirationSecondsOf(expiration, stream))) : undefined;
        report(check, true, warning ?? `${detail}; ${expirationText(expiration, stream)}`, warning !== undefined);
      } catch (error) {
        if (!(error instanceof MpasError)) throw error;
        report(check, false, mpasFix(error));
      }
    }
  }

  const clockLine = serverClockLine(client.serverClock.offset());
  if (tokenOk && clockLine) report('mpas clock', true, clockLine.detail, clockLine.warn);

  await checkDestinations(config, options, report);
  return results;
}

/**
 * What the `Date` headers of MPAS's answers say of its clock against this machine's: more than a
 * second apart is worth a warning (the poller then reads up to the earlier clock, and nodes whose
 * clocks drift make events late by as much).
 */
export function serverClockLine(offset: ClockOffset | undefined): { detail: string; warn: boolean } | undefined {
  if (offset === undefined) return undefined;
  const apart = offset.low > 1_000 ? offset.low : offset.high < -1_000 ? offset.high : undefined;
  if (apart === undefined) return { detail: "ok: the MPAS server's clock (its Date header) is within a second of this machine's", warn: false };
  const seconds = (Math.abs(apart) / 1000).toFixed(1);
  return {
    detail: `the MPAS server's clock is at least ${seconds} s ${apart > 0 ? 'ahead of' : 'behind'} this machine's (its Date header): events are read up to the earlier of the two clocks; fix the clocks (NTP), or keep MPAS_LOOKBACK_MS above Keycloak's transaction timeout plus this difference`,
    warn: true,
  };
}

/**
 * What `run` will find in the state directory, without touching it: a cursor to read on from, a
 * first start, or a cursor lost while the tenant's history shows earlier runs (run refuses then).
 */
export function stateCheck(config: AppConfig): { ok: boolean; detail: string } {
  const path = join(config.stateDir, `${config.tenant}.cursor.json`);
  let positions: string[] = [];
  if (existsSync(path)) {
    try {
      positions = Object.keys(new CursorFile({ path, pid: process.pid }).parse(readFileSync(path, 'utf8')).positions);
    } catch (error) {
      return { ok: false, detail: `${(error as Error).message}: run cannot start from it; restore it from a backup` };
    }
  }
  if (positions.length > 0) return { ok: true, detail: `ok: cursor ${path} (${positions.join(', ')}): run reads on from it` };
  const evidence = new LocalTenantHistory(config.stateDir, config.tenant, process.pid).evidence();
  const startFrom = config.mpas.startFrom === 'now' ? 'now' : new Date(config.mpas.startFrom).toISOString();
  if (evidence === undefined) return { ok: true, detail: `ok: no cursor yet in ${config.stateDir}: the first run starts each stream at MPAS_START_FROM (${startFrom})` };
  return {
    ok: false,
    detail: `no cursor position in ${path}, but ${evidence}: run refuses to start; restore the cursor from a backup, or start over from MPAS_START_FROM (${startFrom}) on purpose with run --start-over`,
  };
}

/** The local live cursor, when the state directory has one (`check` runs where `run` does). */
async function liveCursorOf(config: AppConfig): Promise<CursorSnapshot | undefined> {
  if (!existsSync(join(config.stateDir, `${config.tenant}.cursor.json`))) return undefined;
  try {
    return await new FileCursorStore({ stateDir: config.stateDir, tenant: config.tenant }).read();
  } catch {
    // Only for the expiry warning: a cursor that cannot be read here is `status`'s to report.
    return undefined;
  }
}

/** How long Keycloak keeps the stream's events, for the stream's check line. */
function expirationText(expiration: EventsExpiration, stream: Stream): string {
  if (expiration.status === 'unknown') return `event expiration unknown: ${expiration.reason}`;
  const seconds = expirationSecondsOf(expiration, stream);
  if (seconds !== undefined) return `Keycloak deletes these events after ${humanDuration(seconds)}: keep the service from stopping that long`;
  return stream === 'user' ? 'no event expiration set: Keycloak keeps these events' : 'no admin event expiration set (or not reported by this Keycloak)';
}

/**
 * Each destination's own check (`Sink.healthcheck`), one line per route: `siem <type>` for the
 * default route (the only one of a single-SIEM configuration), `siem <type> (route <name>)` for
 * the others. The test event, when asked for, goes through the route's own pipeline.
 */
async function checkDestinations(config: AppConfig, options: SetupCheckOptions, report: (check: string, ok: boolean, detail: string) => void): Promise<void> {
  const routes = routesFromConfig(config, { version: options.version });
  try {
    // All at once (each destination is its own server), reported in the routes' order.
    const checks = routes.map((route) => route.stages.sink.healthcheck(options.sendTestEvent ? { sendTestEvent: () => sendTestEvent(config, route.stages) } : {}));
    for (const [index, route] of routes.entries()) {
      const { name } = route.stages.sink;
      const health = await checks[index]!;
      report(route.name === DEFAULT_ROUTE_NAME ? `siem ${name}` : `siem ${name} (route ${route.name})`, health.ok, health.detail);
    }
  } finally {
    await Promise.all(routes.map((route) => route.stages.sink.close()));
  }
}

async function sendTestEvent(config: AppConfig, stages: ForwarderStages): Promise<SinkHealth> {
  const now = systemClock.now();
  const realm = config.mpas.realms[0]!;
  const event = { id: `mpas-log-sync-check-${now}`, time: now, type: 'MPAS_LOG_SYNC_CHECK', realmId: realm, clientId: 'mpas-log-sync', details: { note: 'test event of mpas-log-sync check' } };
  const result = await forwardBatch({ v: 1, tenant: config.tenant, realm, stream: 'user', batchId: `check-${now}`, events: [event] }, stages);
  if (result.delivered === 1) return { ok: true, detail: `ok: a test event (type MPAS_LOG_SYNC_CHECK, id ${event.id}) was accepted` };
  if (result.filtered === 1) return { ok: true, detail: 'not sent: the configured filter drops the test event' };
  const why = result.deadLetters[0]?.detail ?? (result.retry?.authFailure ? 'the SIEM refused the credentials' : 'the SIEM asked to retry later');
  return { ok: false, detail: `the test event was not accepted: ${why}` };
}
