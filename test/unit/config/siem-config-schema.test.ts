import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import type { ConfigProblem } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { forwarderStagesFromConfig } from '../../../lib/runtime/stages-from-config.js';

const HEC_TOKEN = 'hec-token-Vb77-secret';
const baseEnv = {
  MPAS_BASE_URL: 'https://mpas.example.com',
  MPAS_REALMS: 'customers',
  MPAS_USERNAME: 'mpas-log-sync',
  MPAS_PASSWORD: 'pw',
  SIEM_URL: 'https://splunk.example.com:8088',
};

function problemsOf(env: Record<string, string>): readonly ConfigProblem[] {
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('siemConfigSchema (splunk-hec)', () => {
  it('reads SIEM_TYPE=splunk-hec with the HEC token and the SPLUNK_* settings', () => {
    const config = loadConfig({
      env: { ...baseEnv, SIEM_TYPE: 'splunk-hec', SIEM_TOKEN: HEC_TOKEN, SPLUNK_INDEX: 'mpas', SPLUNK_SOURCETYPE: 'keycloak:audit', SPLUNK_HOST: 'sync-1', SPLUNK_USE_ACK: 'true', SPLUNK_ACK_TIMEOUT_MS: '120000' },
    });
    expect(config.siem).toMatchObject({
      type: 'splunk-hec',
      url: 'https://splunk.example.com:8088',
      auth: { kind: 'bearer', token: HEC_TOKEN },
      splunk: { index: 'mpas', source: 'mpas-log-sync', sourcetype: 'keycloak:audit', host: 'sync-1', useAck: true, ackTimeoutMs: 120_000 },
    });
  });

  it('fills the splunk block with its defaults when none is given', () => {
    const config = loadConfig({ env: { ...baseEnv, SIEM_TYPE: 'splunk-hec', SIEM_TOKEN: HEC_TOKEN } });
    expect(config.siem.type === 'splunk-hec' && config.siem.splunk).toEqual({ source: 'mpas-log-sync', useAck: false, ackTimeoutMs: 60_000 });
  });

  it('requires the HEC token and refuses other credentials, never quoting them', () => {
    expect(problemsOf({ ...baseEnv, SIEM_TYPE: 'splunk-hec' })).toEqual([{ setting: expect.stringContaining('SIEM_TOKEN'), message: 'is required' }]);
    const basic = problemsOf({ ...baseEnv, SIEM_TYPE: 'splunk-hec', SIEM_USERNAME: 'u', SIEM_PASSWORD: HEC_TOKEN });
    expect(basic.map((problem) => problem.message)).toEqual(['must be the HEC token alone: SIEM_TOKEN, or {"kind": "bearer", "token": "..."} in the file, got "basic"']);
    expect(JSON.stringify(basic)).not.toContain(HEC_TOKEN);
  });

  it('names a bad SPLUNK_* variable, and refuses them for another SIEM type', () => {
    expect(problemsOf({ ...baseEnv, SIEM_TYPE: 'splunk-hec', SIEM_TOKEN: HEC_TOKEN, SPLUNK_USE_ACK: 'maybe' })).toEqual([{ setting: 'SPLUNK_USE_ACK', message: 'must be true or false, got "maybe"' }]);
    expect(problemsOf({ ...baseEnv, SIEM_TYPE: 'https', SPLUNK_INDEX: 'mpas' }).map((problem) => problem.setting)).toEqual([expect.stringMatching(/siem|SPLUNK_INDEX/)]);
  });
});

describe('siemConfigSchema (elastic)', () => {
  const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
  const elasticEnv = { ...baseEnv, SIEM_TYPE: 'elastic', SIEM_URL: 'https://es.example.com:9200' };

  it('reads SIEM_API_KEY (trimmed) and defaults the target to the logs-mpas-default data stream', () => {
    const config = loadConfig({ env: { ...elasticEnv, SIEM_API_KEY: ` ${API_KEY}\n` } });
    expect(config.siem).toMatchObject({ type: 'elastic', auth: { kind: 'apiKey', apiKey: API_KEY }, elastic: { index: 'logs-mpas-default' } });
  });

  it('takes basic credentials, or none, and ELASTIC_INDEX', () => {
    const config = loadConfig({ env: { ...elasticEnv, SIEM_USERNAME: 'ingest', SIEM_PASSWORD: 'pw', ELASTIC_INDEX: 'mpas-audit' } });
    expect(config.siem).toMatchObject({ auth: { kind: 'basic', username: 'ingest', password: 'pw' }, elastic: { index: 'mpas-audit' } });
    expect(loadConfig({ env: elasticEnv }).siem.auth).toEqual({ kind: 'none' });
  });

  it('names a bad index, a second credential and a key in the wrong SIEM type, never quoting the key', () => {
    expect(problemsOf({ ...elasticEnv, ELASTIC_INDEX: 'Logs MPAS' })).toEqual([
      { setting: 'ELASTIC_INDEX', message: 'must be an index or data stream name: lowercase, no spaces or \\/*?"<>|,#:, not starting with -, _ or +, got "Logs MPAS"' },
    ]);
    const twice = problemsOf({ ...elasticEnv, SIEM_API_KEY: API_KEY, SIEM_TOKEN: 't' });
    expect(twice).toEqual([{ setting: 'SIEM_TOKEN, SIEM_API_KEY', message: expect.stringContaining('set only one SIEM authentication') }]);
    const wrongType = problemsOf({ ...baseEnv, SIEM_API_KEY: API_KEY });
    expect(wrongType.map((problem) => problem.message)).toEqual(['must be one of none, bearer, header, basic, got "apiKey"']);
    expect(JSON.stringify([...twice, ...wrongType])).not.toContain(API_KEY);
  });
});

describe('siemConfigSchema (datadog)', () => {
  const ddEnv = { ...baseEnv, SIEM_TYPE: 'datadog', SIEM_URL: 'https://http-intake.logs.datadoghq.eu' };

  it('reads SIEM_API_KEY and the DATADOG_* settings, with defaults', () => {
    expect(loadConfig({ env: { ...ddEnv, SIEM_API_KEY: 'k', DATADOG_TAGS: 'env:prod', DATADOG_HOSTNAME: 'h' } }).siem).toMatchObject({
      type: 'datadog',
      auth: { kind: 'apiKey', apiKey: 'k' },
      datadog: { source: 'mpas', service: 'mpas-log-sync', tags: 'env:prod', hostname: 'h' },
    });
  });

  it('requires the API key and refuses other credentials', () => {
    expect(problemsOf(ddEnv)).toEqual([{ setting: expect.stringContaining('SIEM_TOKEN'), message: 'is required' }]);
    expect(problemsOf({ ...ddEnv, SIEM_TOKEN: 'k' }).map((problem) => problem.message)).toEqual([
      'must be the Datadog API key alone: SIEM_API_KEY, or {"kind": "apiKey", "apiKey": "..."} in the file, got "bearer"',
    ]);
  });
});

describe('siemConfigSchema (sumo-logic)', () => {
  const sumoEnv = { ...baseEnv, SIEM_TYPE: 'sumo-logic', SIEM_URL: 'https://endpoint4.collection.sumologic.com' };

  it('reads the source token and the SUMO_* settings', () => {
    expect(loadConfig({ env: { ...sumoEnv, SIEM_TOKEN: 'abc==', SUMO_CATEGORY: 'sec/mpas', SUMO_FIELDS: 'tenant=acme,env=prod' } }).siem).toMatchObject({
      type: 'sumo-logic',
      auth: { kind: 'bearer', token: 'abc==' },
      sumo: { category: 'sec/mpas', fields: 'tenant=acme,env=prod' },
    });
  });

  it('refuses a whole source URL as the token without quoting it, and malformed fields', () => {
    const url = 'https://endpoint4.collection.sumologic.com/receiver/v1/http/abc==';
    const problems = problemsOf({ ...sumoEnv, SIEM_TOKEN: url, SUMO_FIELDS: 'tenant' });
    expect(problems).toEqual([
      { setting: 'SIEM_TOKEN', message: 'must be the last part of the source URL alone' },
      { setting: 'SUMO_FIELDS', message: 'must be key=value pairs separated by commas, such as tenant=acme,env=prod, got "tenant"' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('abc==');
  });
});

describe('siemConfigSchema (syslog)', () => {
  const syslogEnv = { ...baseEnv, SIEM_TYPE: 'syslog', SIEM_URL: 'syslog+tls://qradar.example.com:6514' };

  it('reads a syslog+tls URL, CEF by default, and the SYSLOG_* settings', () => {
    expect(loadConfig({ env: syslogEnv }).siem).toMatchObject({ type: 'syslog', format: 'cef', auth: { kind: 'none' }, syslog: { facility: 10, appName: 'mpas-log-sync', resendBytes: 1_048_576 } });
    const config = loadConfig({ env: { ...syslogEnv, SIEM_FORMAT: 'json', SYSLOG_FACILITY: '13', SYSLOG_HOSTNAME: 'sync-acme', SYSLOG_APP_NAME: 'mpas', SYSLOG_RESEND_BYTES: '0' } });
    expect(config.siem).toMatchObject({ format: 'json', syslog: { facility: 13, hostname: 'sync-acme', appName: 'mpas', resendBytes: 0 } });
  });

  it('refuses other URLs, a facility out of range, spaces in a header field, and credentials', () => {
    const problems = problemsOf({ ...syslogEnv, SIEM_URL: 'tcp://qradar.example.com:514', SYSLOG_FACILITY: '24', SYSLOG_HOSTNAME: 'sync acme', SIEM_TOKEN: 'syslog-secret-token' });
    expect(problems.map((problem) => problem.setting)).toEqual(['SIEM_URL', 'SIEM_TOKEN', 'SYSLOG_FACILITY', 'SYSLOG_HOSTNAME']);
    expect(problems[0]!.message).toMatch(/^must be syslog\+tls:\/\/host:port/);
    expect(JSON.stringify(problems)).not.toContain('syslog-secret-token');
  });
});

describe('siemConfigSchema (sentinel)', () => {
  const SECRET = 'Qx8Q~sentinel.secret_value';
  const sentinelEnv = {
    ...baseEnv,
    SIEM_TYPE: 'sentinel',
    SIEM_URL: 'https://mpas-dce-a1b2.westeurope-1.ingest.monitor.azure.com',
    SENTINEL_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    SENTINEL_CLIENT_ID: '0d8a7c39-5f1e-4b9a-9a55-3c3e6f1d2b4a',
    SENTINEL_DCR_ID: 'dcr-0123456789abcdef0123456789abcdef',
  };

  it('reads the client secret and the SENTINEL_* settings, with the stream and authority defaults', () => {
    expect(loadConfig({ env: { ...sentinelEnv, SIEM_CLIENT_SECRET: SECRET } }).siem).toMatchObject({
      type: 'sentinel',
      auth: { kind: 'clientSecret', clientSecret: SECRET },
      sentinel: { tenantId: sentinelEnv.SENTINEL_TENANT_ID, clientId: sentinelEnv.SENTINEL_CLIENT_ID, dcrImmutableId: sentinelEnv.SENTINEL_DCR_ID, streamName: 'Custom-MpasEvents_CL', authorityHost: 'https://login.microsoftonline.com' },
    });
    expect(loadConfig({ env: { ...sentinelEnv, SIEM_CLIENT_SECRET: SECRET, SENTINEL_STREAM: 'Custom-Audit_CL', SENTINEL_AUTHORITY: 'https://login.microsoftonline.us' } }).siem).toMatchObject({
      sentinel: { streamName: 'Custom-Audit_CL', authorityHost: 'https://login.microsoftonline.us' },
    });
  });

  it('names every missing or malformed id, and never quotes the secret', () => {
    const { SENTINEL_TENANT_ID: _tenant, ...withoutTenant } = sentinelEnv;
    const problems = problemsOf({ ...withoutTenant, SIEM_CLIENT_SECRET: SECRET, SENTINEL_CLIENT_ID: 'my-app', SENTINEL_DCR_ID: 'dcr-123', SENTINEL_STREAM: 'MpasEvents_CL' });
    expect(problems.map((problem) => [problem.setting, problem.message.replace(/, got .*/, '')])).toEqual([
      ['SENTINEL_TENANT_ID', 'is required'],
      ['SENTINEL_CLIENT_ID', 'must be the application (client) id, a GUID'],
      ['SENTINEL_DCR_ID', 'must be the DCR immutable id: dcr- and 32 hexadecimal digits'],
      ['SENTINEL_STREAM', 'must be a DCR stream name such as Custom-MpasEvents_CL'],
    ]);
    const twice = problemsOf({ ...sentinelEnv, SIEM_CLIENT_SECRET: SECRET, SIEM_TOKEN: 't' });
    expect(twice).toContainEqual({ setting: 'SIEM_TOKEN, SIEM_CLIENT_SECRET', message: expect.stringContaining('set only one SIEM authentication') });
    expect(JSON.stringify([problems, twice])).not.toContain(SECRET);
  });
});

describe('SIEM_FORMAT', () => {
  it.each([
    ['ecs', 'https', {}],
    ['leef', 'https', {}],
    ['ecs', 'elastic', { SIEM_TYPE: 'elastic', SIEM_API_KEY: 'key' }],
    ['leef', 'syslog', { SIEM_TYPE: 'syslog', SIEM_URL: 'syslog+tls://qradar.example.com:6514' }],
  ])('takes %s for %s, and the forwarder formats with it', (format, type, env) => {
    const config = loadConfig({ env: { ...baseEnv, ...env, SIEM_FORMAT: format } });
    expect(config.siem).toMatchObject({ type, format });
    expect(forwarderStagesFromConfig(config, { version: '1.0.0' }).formatter.format).toBe(format);
  });

  it('refuses a format it does not know, naming the setting', () => {
    expect(problemsOf({ ...baseEnv, SIEM_FORMAT: 'qradar' })).toEqual([{ setting: 'SIEM_FORMAT', message: expect.stringMatching(/^must be one of json, cef, ecs, leef\b.*, got "qradar"$/) as unknown }]);
  });
});
