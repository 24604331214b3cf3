import { request } from 'undici';
import type { AppConfig } from '../config/app-config-schema.js';
import { forwardBatch } from '../forwarder/forward-batch.js';
import { forwarderStagesFromConfig } from '../forwarder/stages-from-config.js';
import { mpasClientFromConfig } from '../mpas/client-from-config.js';
import { MpasAuthError, MpasError, MpasForbiddenError, MpasNotFoundError, MpasUnavailableError } from '../mpas/errors.js';
import { undiciFetch } from '../mpas/http-fetch.js';
import { HttpTransport } from '../mpas/http-transport.js';
import { RetryPolicy } from '../mpas/retry-policy.js';
import { TokenProvider } from '../mpas/token-provider.js';
import { authHeaders, hideSecrets, secretsOf } from '../sinks/http-auth.js';
import type { SinkAuth } from '../sinks/http-auth.js';
import { createSinkAgent } from '../sinks/tls.js';
import { systemClock } from '../time/clock.js';
import { realSleep } from '../time/sleep.js';

/** One line of `check`: what was tried, and either ok or what is wrong and how to fix it. */
export interface CheckResult {
  check: string;
  ok: boolean;
  /** What was found: for a failure, what is wrong and the setting or role to fix. */
  detail: string;
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
 * and stream, then the SIEM. Without `sendTestEvent` nothing is stored anywhere: the generic HTTPS
 * SIEM gets a HEAD with the configured credentials (a 401/403 means they are wrong), the other
 * SIEM types a reachability check only. Never throws for what it finds; secrets never appear.
 */
export async function runSetupChecks(config: AppConfig, options: SetupCheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const report = (check: string, ok: boolean, detail: string): void => {
    const result = { check, ok, detail };
    results.push(result);
    options.onResult?.(result);
  };

  const { credentials } = config.mpas;
  const who = credentials.grant === 'password' ? `user ${credentials.username}` : `client ${credentials.clientId}`;
  const tokens = new TokenProvider({
    baseUrl: config.mpas.baseUrl.replace(/\/+$/, ''),
    authRealm: config.mpas.authRealm,
    credentials,
    clock: systemClock,
    transport: new HttpTransport({ fetch: undiciFetch, clock: systemClock, sleep: realSleep, policy: new RetryPolicy(CHECK_RETRY), requestTimeoutMs: config.mpas.requestTimeoutMs }),
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
  for (const realm of config.mpas.realms) {
    for (const stream of config.mpas.streams) {
      const check = `mpas ${realm} ${stream} events`;
      if (!tokenOk) {
        report(check, false, 'not tried: no MPAS token');
        continue;
      }
      try {
        const mode = await client.apiMode(realm);
        const page = await client.getEvents({ realm, stream, first: 0, max: 1 });
        report(check, true, `ok: ${mode === 'modern' ? 'Keycloak >= 26.2 API' : 'Keycloak < 26.2 API (dates only)'}, ${page.length === 0 ? 'no event stored yet' : 'events readable'}`);
      } catch (error) {
        if (!(error instanceof MpasError)) throw error;
        report(check, false, mpasFix(error));
      }
    }
  }

  const siem = await checkSiem(config, options);
  report(siem.check, siem.ok, siem.detail);
  return results;
}

async function checkSiem(config: AppConfig, options: SetupCheckOptions): Promise<CheckResult> {
  const siem = config.siem as AppConfig['siem'] & { url: string; caFile?: string; auth: { kind: string } };
  const check = `siem ${siem.type}`;
  if (siem.type === 'https') return checkHttpsSiem(siem.url, siem.auth as SinkAuth, siem.caFile, siem.timeoutMs, options.sendTestEvent, check);
  if (options.sendTestEvent) return sendTestEvent(config, options.version, check);
  if (!/^https?:/.test(siem.url)) return { check, ok: true, detail: 'not tried: this SIEM type has no request that stores nothing; use --send-test-event' };
  const agent = createSinkAgent({ caFile: siem.caFile, connections: 1, connectTimeoutMs: siem.timeoutMs });
  try {
    const response = await request(siem.url, { method: 'HEAD', dispatcher: agent, headersTimeout: siem.timeoutMs });
    await response.body.dump();
    return { check, ok: true, detail: `ok: reachable (HEAD answered ${response.statusCode}); credentials are checked with --send-test-event` };
  } catch (error) {
    return { check, ok: false, detail: `cannot reach ${siem.url}: ${(error as Error).message}: check SIEM_URL and the network` };
  } finally {
    await agent.close();
  }
}

async function checkHttpsSiem(url: string, auth: SinkAuth, caFile: string | undefined, timeoutMs: number, sendTestEvent: boolean, check: string): Promise<CheckResult> {
  const secrets = secretsOf(auth);
  const method = sendTestEvent ? 'POST' : 'HEAD';
  const agent = createSinkAgent({ caFile, connections: 1, connectTimeoutMs: timeoutMs });
  try {
    const response = await request(url, {
      method,
      headers: { ...authHeaders(auth), ...(sendTestEvent ? { 'content-type': 'application/json' } : {}) },
      body: sendTestEvent ? '[]' : undefined,
      dispatcher: agent,
      headersTimeout: timeoutMs,
    });
    await response.body.dump();
    const status = response.statusCode;
    if (status === 401 || status === 403) {
      return { check, ok: false, detail: `the SIEM refused the credentials (${method} answered ${status}): check SIEM_TOKEN or the SIEM auth settings` };
    }
    if (sendTestEvent) {
      if (status >= 200 && status < 300) return { check, ok: true, detail: `ok: an empty JSON array was accepted (${status})` };
      // Past authentication, a collector may still refuse a batch without events: that proves the path and the credentials.
      if (status === 400 || status === 422) return { check, ok: true, detail: `ok: credentials accepted; the SIEM refuses an empty JSON array (${status}), as collectors that take no empty batch do` };
      return { check, ok: false, detail: `the SIEM answered ${status} to an empty JSON array: check SIEM_URL (the collector's path)` };
    }
    if (status >= 500) return { check, ok: false, detail: `the SIEM answered ${status} to HEAD: it is reachable but failing` };
    return { check, ok: true, detail: `ok: reachable, credentials not refused (HEAD answered ${status}); --send-test-event posts an empty JSON array` };
  } catch (error) {
    return { check, ok: false, detail: hideSecrets(`cannot reach ${url}: ${(error as Error).message}: check SIEM_URL, SIEM_CA_FILE and the network`, secrets) };
  } finally {
    await agent.close();
  }
}

async function sendTestEvent(config: AppConfig, version: string, check: string): Promise<CheckResult> {
  const now = systemClock.now();
  const realm = config.mpas.realms[0]!;
  const event = { id: `mpas-log-sync-check-${now}`, time: now, type: 'MPAS_LOG_SYNC_CHECK', realmId: realm, clientId: 'mpas-log-sync', details: { note: 'test event of mpas-log-sync check' } };
  const stages = forwarderStagesFromConfig(config, { version });
  try {
    const result = await forwardBatch({ v: 1, tenant: config.tenant, realm, stream: 'user', batchId: `check-${now}`, events: [event] }, stages);
    if (result.delivered === 1) return { check, ok: true, detail: `ok: a test event (type MPAS_LOG_SYNC_CHECK, id ${event.id}) was accepted` };
    if (result.filtered === 1) return { check, ok: true, detail: 'not sent: the configured filter drops the test event' };
    const why = result.deadLetters[0]?.detail ?? (result.retry?.authFailure ? 'the SIEM refused the credentials' : 'the SIEM asked to retry later');
    return { check, ok: false, detail: `the test event was not accepted: ${why}` };
  } finally {
    await stages.sink.close();
  }
}
