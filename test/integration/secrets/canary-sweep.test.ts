import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSyslogTlsReceiver } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import type { SyslogTlsReceiver } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import { killAllCli, runCli } from '../../support/cli-process.js';
import type { CliExit } from '../../support/cli-process.js';
import { startEchoMpas } from '../../support/echo-mpas.js';
import type { EchoMpas } from '../../support/echo-mpas.js';
import { startEchoSiem } from '../../support/echo-siem.js';
import type { EchoSiem } from '../../support/echo-siem.js';
import { selfSignedCertificate } from '../../support/self-signed-certificate.js';
import { canaryEvents } from './canary-events.js';
import { CanarySet, describeFindings, filesUnder, findCanaries } from './canaries.js';
import type { Place } from './canaries.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SENTINEL = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '0d8a7c39-5f1e-4b9a-9a55-3c3e6f1d2b4a', dcrImmutableId: 'dcr-0123456789abcdef0123456789abcdef', streamName: 'Custom-MpasEvents_CL' };

describe('canary sweep: every command against servers that echo what they receive', () => {
  const canaries = new CanarySet(18);
  const secret = {
    mpasPassword: canaries.add('MPAS_PASSWORD', 'mpas-password', { tail: ' +/%=&' }),
    mpasClientSecret: canaries.add('MPAS_CLIENT_SECRET', 'mpas-client-secret'),
    accessToken: canaries.add('MPAS access token (from the token endpoint)', 'mpas-access-token'),
    siemHeaderValue: canaries.add('SIEM_AUTH_HEADER value', 'siem-header-value'),
    siemUrlApiKey: canaries.add('SIEM_URL query parameter api_key', 'siem-url-api-key'),
    hashKey: canaries.add('REDACT_HASH_KEY', 'redact-hash-key'),
    bearer: canaries.add('routes[bearer].siem.auth.token', 'route-bearer-token'),
    header: canaries.add('routes[header].siem.auth.value', 'route-header-value'),
    headerUrlSig: canaries.add('routes[header].siem.url query parameter sig', 'route-url-sig'),
    basicPassword: canaries.add('routes[basic].siem.auth.password', 'route-basic-password', { tail: ' +/%' }),
    hecToken: canaries.add('routes[splunk].siem.auth.token (Splunk HEC)', 'route-hec-token'),
    elasticApiKey: canaries.add('routes[elastic].siem.auth.apiKey', 'route-elastic-api-key'),
    datadogApiKey: canaries.add('routes[datadog].siem.auth.apiKey', 'route-datadog-api-key'),
    sumoToken: canaries.add('routes[sumo].siem.auth.token (Sumo Logic)', 'route-sumo-token'),
    sentinelSecret: canaries.add('routes[sentinel].siem.auth.clientSecret (Entra ID)', 'route-sentinel-secret'),
  };
  // Settings that are wrong on purpose: the errors that refuse them must not quote them.
  const refused = {
    siemUrlPassword: canaries.add('SIEM_URL user info password (refused)', 'siem-url-password'),
    mpasUrlPassword: canaries.add('MPAS_BASE_URL user info password (refused)', 'mpas-url-password'),
    headerWithoutName: canaries.add('SIEM_AUTH_HEADER without a name (refused)', 'siem-header-no-colon'),
    routeUrlPassword: canaries.add('routes[hooks].siem.url user info password (refused)', 'route-url-password'),
    routeHeaderLineBreak: canaries.add('routes[hooks].siem.auth.value with a line break (refused)', 'route-header-line-break'),
  };
  const events = canaryEvents(canaries, Date.now());
  const places: Place[] = [];

  let workDir: string;
  let stateDir: string;
  let configFile: string;
  let badConfigFile: string;
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let syslog: SyslogTlsReceiver;
  let echoMpas: EchoMpas;
  let echoSiem: EchoSiem;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'canary-sweep-'));
    stateDir = mkdtempSync(join(tmpdir(), 'canary-state-'));
    const certificate = selfSignedCertificate(workDir, 'canary-syslog');
    simulator = await startMpasSimulator({
      realms: ['acme'],
      users: [{ username: 'sync', password: secret.mpasPassword, roles: ['view-events'] }],
      clients: [{ clientId: 'mpas-log-sync', secret: secret.mpasClientSecret, roles: ['view-events'] }],
    });
    simulator.add('acme', 'user', events.user);
    simulator.add('acme', 'admin', events.admin);
    receiver = await startSiemReceiver({
      splunk: { token: secret.hecToken },
      elastic: { apiKey: secret.elasticApiKey },
      datadog: { apiKey: secret.datadogApiKey },
      sumo: { token: secret.sumoToken },
      sentinel: { ...SENTINEL, clientSecret: secret.sentinelSecret },
    });
    syslog = await startSyslogTlsReceiver({ tls: certificate });
    echoMpas = await startEchoMpas({ upstream: simulator.url, accessToken: secret.accessToken });
    echoSiem = await startEchoSiem({ upstream: receiver.url, secretHeaders: ['x-api-key', 'x-auth-token', 'dd-api-key'] });
    configFile = join(workDir, 'acme.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        tenant: 'acme',
        archive: { enabled: true },
        routes: [
          // Representation not masked: only the credential scrubber stands between its secrets and the SIEM.
          { name: 'bearer', siem: { type: 'https', url: `${echoSiem.url}/ingest/bearer`, batch: 'ndjson', gzip: true, auth: { kind: 'bearer', token: secret.bearer } }, redaction: { mode: 'mask', adminFields: ['authDetails.ipAddress'] } },
          { name: 'header', siem: { type: 'https', url: `${echoSiem.url}/ingest/header?sig=${encodeURIComponent(secret.headerUrlSig)}`, batch: 'array', auth: { kind: 'header', name: 'X-Auth-Token', value: secret.header } } },
          { name: 'basic', siem: { type: 'https', url: `${echoSiem.url}/ingest/basic`, format: 'cef', auth: { kind: 'basic', username: 'ingest', password: secret.basicPassword } } },
          { name: 'splunk', siem: { type: 'splunk-hec', url: echoSiem.url, auth: { kind: 'bearer', token: secret.hecToken } } },
          { name: 'elastic', siem: { type: 'elastic', url: echoSiem.url, auth: { kind: 'apiKey', apiKey: secret.elasticApiKey } } },
          { name: 'datadog', siem: { type: 'datadog', url: echoSiem.url, auth: { kind: 'apiKey', apiKey: secret.datadogApiKey } } },
          { name: 'sumo', siem: { type: 'sumo-logic', url: echoSiem.url, auth: { kind: 'bearer', token: secret.sumoToken } } },
          { name: 'sentinel', siem: { type: 'sentinel', url: echoSiem.url, auth: { kind: 'clientSecret', clientSecret: secret.sentinelSecret }, sentinel: { ...SENTINEL, authorityHost: echoSiem.url } } },
          { name: 'syslog', siem: { type: 'syslog', url: syslog.url, caFile: certificate.certFile } },
        ],
      }),
    );
    badConfigFile = join(workDir, 'bad.json');
    writeFileSync(
      badConfigFile,
      JSON.stringify({
        routes: [{ name: 'hooks', siem: { url: `https://hooks:${refused.routeUrlPassword}@hooks.example.com/in`, auth: { kind: 'header', name: 'X-Api-Key', value: `${refused.routeHeaderLineBreak}\r\nX-Injected: 1` } } }],
      }),
    );
  });

  afterAll(async () => {
    await killAllCli();
    await echoSiem?.close();
    await echoMpas?.close();
    await syslog?.close();
    await receiver?.close();
    await simulator?.close();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** The environment of every command: MPAS and the default route's SIEM, with their secrets. */
  function environment(): Record<string, string> {
    return {
      MPAS_BASE_URL: echoMpas.url,
      MPAS_REALMS: 'acme',
      MPAS_AUTH_REALM: 'master',
      MPAS_CLIENT_ID: 'mpas-log-sync',
      MPAS_CLIENT_SECRET: secret.mpasClientSecret,
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD: secret.mpasPassword,
      MPAS_START_FROM: new Date(Date.now() - 3_600_000).toISOString(),
      SIEM_URL: `${echoSiem.url}/ingest/default?api_key=${encodeURIComponent(secret.siemUrlApiKey)}`,
      SIEM_BATCH: 'array',
      SIEM_AUTH_HEADER: `X-Api-Key: ${secret.siemHeaderValue}`,
      REDACT_MODE: 'hash',
      REDACT_HASH_KEY: secret.hashKey,
      STATE_DIR: stateDir,
      TENANT: 'acme',
      // Every attempt logged with its cause: what an operator turns on to look into a failure.
      LOG_LEVEL: 'debug',
      MPAS_LOG_SYNC_CONFIG: configFile,
    };
  }

  async function command(args: readonly string[], env: Record<string, string> = environment()): Promise<CliExit> {
    const exit = await runCli(args, env);
    const label = args.join(' ');
    places.push({ name: `stdout of ${label}`, text: exit.stdout }, { name: `stderr of ${label}`, text: exit.stderr });
    return exit;
  }

  /** The same, with settings that cannot be used. */
  function badEnvironment(): Record<string, string> {
    return {
      ...environment(),
      SIEM_URL: `https://ingest:${encodeURIComponent(refused.siemUrlPassword)}@siem.example.com/in`,
      MPAS_BASE_URL: `https://sync:${encodeURIComponent(refused.mpasUrlPassword)}@mpas.example.com`,
      SIEM_AUTH_HEADER: refused.headerWithoutName,
      MPAS_LOG_SYNC_CONFIG: badConfigFile,
    };
  }

  // The checks that the commands did what the sweep needs are soft: a failing one must not hide the leaks found.
  it('no canary in stdout, stderr, --json output, the state directory, dead letters, the archive or what the SIEMs receive', async () => {
    // These touch neither the echo servers nor the state directory: they run beside the others.
    const besides = Promise.all([
      command(['demo', '--duration', '1', '--quiet']),
      command(['check', '--json'], badEnvironment()),
      command(['run', '--once'], badEnvironment()),
    ]);
    echoMpas.echoNext({ token: 1 });
    const failedCheck = await command(['check']);
    expect.soft(failedCheck.code, failedCheck.stdout + failedCheck.stderr).toBe(1);
    echoMpas.echoNext({ events: 2 });
    const check = await command(['check', '--json', '--send-test-event']);
    expect.soft(check.stdout).toContain('"checks"');

    echoSiem.rearm();
    echoMpas.echoNext({ events: 2 });
    const run = await command(['run', '--once']);
    expect.soft(run.stdout).toContain('"stopped"');
    echoSiem.rearm();
    echoMpas.echoNext({ events: 1 });
    const from = new Date(Date.now() - 3_600_000).toISOString();
    await command(['backfill', '--from', from, '--json']);
    echoSiem.rearm();
    await command(['replay', '--from', from, '--to', new Date().toISOString(), '--json']);

    const readers = await Promise.all([
      command(['status']),
      command(['status', '--json']),
      command(['dlq', 'inspect', '--state', stateDir]),
      command(['dlq', 'inspect', '--state', stateDir, '--json']),
      command(['report', join(ROOT, 'reports', 'new-clients-and-credentials.json'), '--state', stateDir, '--format', 'json']),
    ]);
    for (const exit of readers) expect.soft(exit.code, exit.stderr).toBe(0);
    const [, statusJson, , dlqJson, report] = readers;
    expect.soft(statusJson?.stdout).toContain('acme');
    expect.soft(dlqJson?.stdout).toContain('rejected-by-siem');
    // The archive holds the UPDATE_PASSWORD event (with a canary in its details), so the report has a row to print.
    expect.soft(report?.stdout).toContain('UPDATE_PASSWORD');
    echoSiem.rearm();
    await command(['dlq', 'redrive', '--state', stateDir, '--json']);
    const [demo, ...refusals] = await besides;
    expect.soft(demo.code, demo.stderr).toBe(0);
    for (const refusal of refusals) expect.soft(refusal.stdout + refusal.stderr).toMatch(/SIEM_URL[\s\S]*MPAS_BASE_URL|MPAS_BASE_URL[\s\S]*SIEM_URL/);

    // The commands met the echoes they were meant to meet.
    expect.soft(echoMpas.echoed()).toEqual({ token: 1, events: 5 });
    expect.soft(echoSiem.echoed()[503]).toBeGreaterThan(0);
    expect.soft(echoSiem.echoed()[400]).toBeGreaterThan(0);
    expect.soft(syslog.received().length).toBeGreaterThan(0);

    const bodiesByPath = new Map<string, string[]>();
    for (const request of echoSiem.requests()) {
      // What Entra ID's token endpoint gets is the client secret, sent where it belongs.
      if (request.path.endsWith('/oauth2/v2.0/token')) continue;
      bodiesByPath.set(request.path, [...(bodiesByPath.get(request.path) ?? []), request.body]);
    }
    const siemBodies = [...bodiesByPath].map(([path, bodies]) => ({ name: `SIEM bodies to ${path}`, text: bodies.join('\n') }));
    const syslogMessages = { name: 'syslog messages', text: syslog.received().map((record) => record.msg).join('\n') };
    const findings = findCanaries(canaries.list(), [...places, ...filesUnder(stateDir, 'state'), ...siemBodies, syslogMessages]);

    // The search finds every canary where it was given: it would find it anywhere else.
    const inputs: Place[] = [
      { name: 'the environments', text: JSON.stringify([environment(), badEnvironment()]) },
      { name: 'the config files', text: readFileSync(configFile, 'utf8') + readFileSync(badConfigFile, 'utf8') },
      { name: 'the events MPAS holds', text: JSON.stringify(events) },
      { name: 'the access token the echo MPAS hands out', text: secret.accessToken },
    ];
    const given = new Set(findCanaries(canaries.list(), inputs).map((finding) => finding.canary.place));
    expect.soft(canaries.list().filter((canary) => !given.has(canary.place)).map((canary) => canary.place)).toEqual([]);
    expect(findings.length, describeFindings(findings)).toBe(0);
  });
});
