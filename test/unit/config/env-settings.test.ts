import { describe, expect, it } from 'vitest';
import { readEnvSettings, writeEnvSettings } from '../../../lib/config/env-settings.js';
import { ENV_VARS } from '../../../lib/config/env-var-table.js';

describe('readEnvSettings', () => {
  it('reads every variable of the contract into the nested shape', () => {
    const { values, problems } = readEnvSettings({
      MPAS_BASE_URL: ' https://mpas.example.com ',
      MPAS_REALMS: 'customers, staff',
      MPAS_AUTH_REALM: 'master',
      MPAS_CLIENT_ID: 'sync-client',
      MPAS_CLIENT_SECRET: ' client secret ',
      MPAS_USERNAME: 'sync',
      MPAS_PASSWORD: ' pass word ',
      MPAS_STREAMS: 'Admin',
      MPAS_START_FROM: '2025-02-12T00:00:00Z',
      MPAS_PAGE_SIZE: '250',
      MPAS_SETTLE_MS: '0',
      MPAS_REQUEST_TIMEOUT_MS: '+30000',
      MPAS_CA_FILE: '/ca/mpas.pem',
      SIEM_TYPE: 'HTTPS',
      SIEM_URL: 'https://siem.example.com/ingest',
      SIEM_FORMAT: 'CEF',
      SIEM_BATCH: 'ndjson',
      SIEM_TOKEN: 'tok',
      SIEM_TIMEOUT_MS: '20000',
      SIEM_CONCURRENCY: '8',
      SIEM_MAX_BATCH_EVENTS: '100',
      SIEM_MAX_BATCH_BYTES: '65536',
      SIEM_ATTEMPTS: '5',
      SIEM_GZIP: 'TRUE',
      SIEM_CA_FILE: '/ca/siem.pem',
      REDACT_MODE: 'hash',
      REDACT_USER_FIELDS: 'ipAddress,details.username, userId',
      REDACT_ADMIN_FIELDS: '',
      REDACT_HASH_KEY: 'k'.repeat(16),
      FILTER: '{"NOT": {"type": {"equals": "CODE_TO_TOKEN"}}}',
      FIELDS: 'time, type',
      TENANT: 'acme',
      POLL_INTERVAL_MS: '30000',
      LEASE_MS: '300000',
      QUEUE_MAX_MESSAGE_BYTES: '262144',
      STATE_DIR: '/var/lib/sync',
      LOG_LEVEL: 'DEBUG',
      MPAS_LOG_SYNC_CONFIG: '/etc/sync.json',
    });
    expect(problems).toEqual([]);
    expect(values).toEqual({
      mpas: {
        baseUrl: 'https://mpas.example.com',
        realms: ['customers', 'staff'],
        authRealm: 'master',
        credentials: { grant: 'password', clientId: 'sync-client', clientSecret: ' client secret ', username: 'sync', password: ' pass word ' },
        streams: ['admin'],
        startFrom: '2025-02-12T00:00:00Z',
        pageSize: 250,
        settleMs: 0,
        requestTimeoutMs: 30_000,
        caFile: '/ca/mpas.pem',
      },
      siem: {
        type: 'https',
        url: 'https://siem.example.com/ingest',
        format: 'cef',
        batch: 'ndjson',
        auth: { kind: 'bearer', token: 'tok' },
        timeoutMs: 20_000,
        concurrency: 8,
        maxBatchEvents: 100,
        maxBatchBytes: 65_536,
        attempts: 5,
        gzip: true,
        caFile: '/ca/siem.pem',
      },
      redaction: { mode: 'hash', userFields: ['ipAddress', 'details.username', 'userId'], adminFields: [], hashKey: 'k'.repeat(16) },
      filter: { NOT: { type: { equals: 'CODE_TO_TOKEN' } } },
      fields: ['time', 'type'],
      tenant: 'acme',
      polling: { intervalMs: 30_000, leaseMs: 300_000, queueMaxMessageBytes: 262_144 },
      stateDir: '/var/lib/sync',
      logLevel: 'debug',
    });
  });

  it('records which variable set each path, without the text of secrets', () => {
    const { sources } = readEnvSettings({ MPAS_PAGE_SIZE: 'abc', MPAS_PASSWORD: 'pw', MPAS_USERNAME: 'u', SIEM_AUTH_HEADER: 'X-Key: v' });
    expect(sources.get('mpas.pageSize')).toEqual({ name: 'MPAS_PAGE_SIZE', raw: 'abc' });
    expect(sources.get('mpas.credentials.password')).toEqual({ name: 'MPAS_PASSWORD' });
    expect(sources.get('mpas.credentials.grant')).toEqual({ name: 'MPAS_USERNAME' });
    expect(sources.get('siem.auth')).toEqual({ name: 'SIEM_AUTH_HEADER' });
    expect(sources.get('siem.auth.value')).toEqual({ name: 'SIEM_AUTH_HEADER' });
  });

  it('passes text that is not the expected type on as text, for the schema to name', () => {
    const { values } = readEnvSettings({ MPAS_PAGE_SIZE: '1e3', SIEM_GZIP: 'maybe', MPAS_START_FROM: 'NOW', MPAS_SETTLE_MS: '99999999999999999999' });
    expect(values).toEqual({ mpas: { pageSize: '1e3', startFrom: 'now', settleMs: '99999999999999999999' }, siem: { gzip: 'maybe' } });
  });

  it('leaves epoch milliseconds in MPAS_START_FROM as text (the schema reads dates) and reads yes/no, 1/0 as booleans', () => {
    expect(readEnvSettings({ MPAS_START_FROM: '1739318400000', SIEM_GZIP: 'no' }).values).toEqual({
      mpas: { startFrom: '1739318400000' },
      siem: { gzip: false },
    });
    expect(readEnvSettings({ SIEM_GZIP: '1' }).values).toEqual({ siem: { gzip: true } });
  });

  it('treats empty variables as unset, except the redaction lists where empty means none', () => {
    const { values } = readEnvSettings({ MPAS_BASE_URL: '', MPAS_PASSWORD: '', SIEM_TOKEN: ' ', REDACT_USER_FIELDS: '', FIELDS: '' });
    expect(values).toEqual({ redaction: { userFields: [] } });
  });

  it('reads FIELDS=* as every field', () => {
    expect(readEnvSettings({ FIELDS: ' * ' }).values).toEqual({ fields: '*' });
  });

  it('leaves the grant open without MPAS_USERNAME, for the schema to infer from the client secret', () => {
    expect(readEnvSettings({ MPAS_CLIENT_ID: 'c', MPAS_CLIENT_SECRET: 's' }).values).toEqual({ mpas: { credentials: { clientId: 'c', clientSecret: 's' } } });
  });

  it('reads SIEM_AUTH_HEADER as a header name and a trimmed value', () => {
    expect(readEnvSettings({ SIEM_AUTH_HEADER: 'X-Api-Key:  a:b:c ' }).values).toEqual({ siem: { auth: { kind: 'header', name: 'X-Api-Key', value: 'a:b:c' } } });
  });

  it('reads SIEM_USERNAME and SIEM_PASSWORD as basic authentication', () => {
    expect(readEnvSettings({ SIEM_USERNAME: 'ingest', SIEM_PASSWORD: ' p ' }).values).toEqual({ siem: { auth: { kind: 'basic', username: 'ingest', password: ' p ' } } });
  });

  it('refuses a SIEM_AUTH_HEADER without a name and does not quote it', () => {
    for (const header of ['justasecretvalue', ': justasecretvalue']) {
      const { problems, values } = readEnvSettings({ SIEM_AUTH_HEADER: header });
      expect(problems).toEqual([{ setting: 'SIEM_AUTH_HEADER', message: 'must look like "Name: value", such as "X-Api-Key: <key>"' }]);
      expect(values).toEqual({});
    }
  });

  it('refuses two SIEM authentications at once and names the variables', () => {
    const { problems, values } = readEnvSettings({ SIEM_TOKEN: 't', SIEM_USERNAME: 'u', SIEM_PASSWORD: 'p' });
    expect(problems).toEqual([{ setting: 'SIEM_TOKEN, SIEM_USERNAME, SIEM_PASSWORD', message: expect.stringContaining('set only one SIEM authentication') }]);
    expect(values).toEqual({});
  });

  it('refuses half of basic authentication', () => {
    expect(readEnvSettings({ SIEM_USERNAME: 'u' }).problems).toEqual([
      { setting: 'SIEM_USERNAME', message: 'is set but SIEM_PASSWORD is not: basic authentication needs both' },
    ]);
    expect(readEnvSettings({ SIEM_PASSWORD: 'p' }).problems).toEqual([
      { setting: 'SIEM_PASSWORD', message: 'is set but SIEM_USERNAME is not: basic authentication needs both' },
    ]);
  });

  it('refuses FILTER text that is not JSON, saying where', () => {
    expect(readEnvSettings({ FILTER: '{"AND": [\n  {"type": 1},\n]}' }).problems).toEqual([
      { setting: 'FILTER', message: expect.stringMatching(/^is not valid JSON: .* at line 3 column 1$/) },
    ]);
  });
});

describe('writeEnvSettings', () => {
  const config = {
    tenant: 'acme',
    mpas: { baseUrl: 'https://mpas.example.com', realms: ['customers', 'staff'], credentials: { grant: 'password', username: 'sync', password: ' pw 1 ' }, pageSize: 200, startFrom: 'now' },
    siem: { url: 'https://siem.example.com', gzip: true, auth: { kind: 'header', name: 'X-Api-Key', value: 'k3y' } },
    redaction: { mode: 'hash', userFields: [], adminFields: ['representation'], hashKey: 'a-hash-key-of-16+' },
    filter: { type: 'LOGIN' },
    fields: '*',
  };

  it('writes what readEnvSettings reads back, every kind, the SIEM credential as its group', () => {
    const environment = writeEnvSettings(config, ENV_VARS);
    expect(environment).toMatchObject({ MPAS_REALMS: 'customers,staff', SIEM_AUTH_HEADER: 'X-Api-Key: k3y', REDACT_USER_FIELDS: '', FILTER: '{"type":"LOGIN"}', SIEM_GZIP: 'true' });
    const { values, problems } = readEnvSettings(environment);
    expect(problems).toEqual([]);
    expect(values).toEqual(config);
  });

  it('writes only the rows it is given, and reads back only the sections asked for', () => {
    const carried = ENV_VARS.filter((spec) => spec.secret !== true && spec.besideSecret !== true);
    const environment = writeEnvSettings(config, carried);
    for (const name of ['MPAS_PASSWORD', 'MPAS_USERNAME', 'SIEM_AUTH_HEADER', 'REDACT_HASH_KEY']) expect(environment).not.toHaveProperty(name);
    expect(Object.keys(readEnvSettings(writeEnvSettings(config, ENV_VARS), new Set(['tenant', 'mpas'])).values).sort()).toEqual(['mpas', 'tenant']);
  });
});
