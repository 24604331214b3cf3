import { describe, expect, it } from 'vitest';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import { SIEM_TYPES } from '../../../lib/config/siem-config-schema.js';
import { FORMAT_NAMES } from '../../../lib/core/formats/format-registry.js';

const minimal = {
  mpas: { baseUrl: 'https://mpas.example.com/', realms: ['customers', 'staff'], credentials: { username: 'sync', password: 'pw' } },
  siem: { url: 'https://siem.example.com/ingest' },
};

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  const result = appConfigSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('appConfigSchema', () => {
  it('fills every default of the original product around the required settings', () => {
    const config = appConfigSchema.parse(minimal);
    expect(config).toEqual({
      tenant: 'default',
      mpas: {
        baseUrl: 'https://mpas.example.com',
        realms: ['customers', 'staff'],
        authRealm: 'customers',
        credentials: { grant: 'password', clientId: 'admin-cli', username: 'sync', password: 'pw' },
        streams: ['user', 'admin'],
        startFrom: 'now',
        pageSize: 1000,
        settleMs: 5000,
        lookbackMs: 360_000,
        maxPageBytes: 33_554_432,
        requestTimeoutMs: 10_000,
      },
      siem: {
        type: 'https',
        url: 'https://siem.example.com/ingest',
        format: 'json',
        batch: 'single',
        auth: { kind: 'none' },
        timeoutMs: 10_000,
        concurrency: 4,
        maxBatchEvents: 500,
        maxBatchBytes: 1_000_000,
        attempts: 3,
        gzip: false,
      },
      redaction: {
        mode: 'mask',
        userFields: ['ipAddress', 'details.username'],
        adminFields: ['authDetails.ipAddress', 'representation'],
      },
      fields: '*',
      polling: { intervalMs: 5_000, leaseMs: 120_000, queueMaxMessageBytes: 1_048_576 },
      stateDir: '.state',
      logLevel: 'info',
    });
  });

  it('keeps an explicit auth realm and turns an ISO-8601 start into epoch milliseconds', () => {
    const config = appConfigSchema.parse({ ...minimal, mpas: { ...minimal.mpas, authRealm: 'master', startFrom: '2025-02-12T01:00:00+01:00' } });
    expect(config.mpas.authRealm).toBe('master');
    expect(config.mpas.startFrom).toBe(Date.UTC(2025, 1, 12));
  });

  it('infers the client_credentials grant from a client secret without a username', () => {
    const config = appConfigSchema.parse({ ...minimal, mpas: { ...minimal.mpas, credentials: { clientId: 'sync', clientSecret: 'cs' } } });
    expect(config.mpas.credentials).toEqual({ grant: 'client_credentials', clientId: 'sync', clientSecret: 'cs' });
  });

  it('reports each missing setting of a missing section, not the section', () => {
    expect(issuesOf({})).toEqual([
      { path: 'mpas.baseUrl', message: 'is required' },
      { path: 'mpas.realms', message: 'is required' },
      { path: 'mpas.credentials', message: expect.stringContaining('is required: set username and password') as unknown as string },
      { path: 'siem.url', message: 'is required' },
    ]);
  });

  it('refuses unknown keys, so a misspelt setting is not ignored in silence', () => {
    const issues = appConfigSchema.safeParse({ ...minimal, siem: { ...minimal.siem, gzipped: true } }).error?.issues ?? [];
    expect(issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['gzipped'], path: ['siem'] })]);
  });

  it('requires a hash key in hash mode even when another redaction setting is wrong too', () => {
    expect(issuesOf({ ...minimal, redaction: { mode: 'hash', userFields: ['a..b'] } })).toEqual([
      { path: 'redaction.userFields.0', message: 'must be a dotted field path such as details.username' },
      { path: 'redaction.hashKey', message: expect.stringContaining('is required when the redaction mode is hash') as unknown as string },
    ]);
  });

  it('refuses a hash key shorter than 16 characters', () => {
    expect(issuesOf({ ...minimal, redaction: { mode: 'hash', hashKey: '0123456789abcde' } })).toEqual([
      { path: 'redaction.hashKey', message: 'must be at least 16 characters long' },
    ]);
  });

  it.each([
    ['a non-JSON-object filter', { filter: ['AND'] }, 'filter', 'must be a JSON object'],
    ['an empty field list', { fields: [] }, 'fields', 'must be "*" or a non-empty list of dotted field paths such as details.username'],
    ['a tenant with capitals', { tenant: 'Acme' }, 'tenant', 'must be 1 to 40 lowercase letters, digits or dashes'],
    ['a queue message above 1 MiB', { polling: { queueMaxMessageBytes: 1_048_577 } }, 'polling.queueMaxMessageBytes', 'must be an integer from 1024 to 1048576'],
    ['a log level that does not exist', { logLevel: 'trace' }, 'logLevel', 'must be one of debug, info, warn, error'],
  ])('refuses %s', (_name, patch, path, message) => {
    expect(issuesOf({ ...minimal, ...patch })).toEqual([{ path, message }]);
  });

  it.each([
    ['a page size of 0', { pageSize: 0 }, 'mpas.pageSize', 'must be an integer from 1 to 5000'],
    ['a fractional settle time', { settleMs: 1.5 }, 'mpas.settleMs', 'must be an integer from 0 to 600000'],
    ['a non-http base URL', { baseUrl: 'ftp://mpas' }, 'mpas.baseUrl', 'must be an absolute http:// or https:// URL'],
    ['no realms', { realms: [] }, 'mpas.realms', 'must name at least one realm'],
    ['a realm named twice', { realms: ['a', 'a'] }, 'mpas.realms', 'must not name the same realm twice'],
    ['an unknown stream', { streams: ['user', 'login'] }, 'mpas.streams.1', 'must be one of user, admin'],
    ['a start that is no date', { startFrom: '2025-02-30' }, 'mpas.startFrom', expect.stringContaining('must be "now"')],
    ['credentials without a grant', { credentials: { clientId: 'x' } }, 'mpas.credentials.grant', expect.stringContaining('names no grant')],
    ['an unknown grant', { credentials: { grant: 'implicit' } }, 'mpas.credentials.grant', 'must be password or client_credentials'],
    ['client_credentials without a client id', { credentials: { grant: 'client_credentials', clientSecret: 'x' } }, 'mpas.credentials.clientId', expect.stringContaining('admin-cli')],
    ['a password in client_credentials', { credentials: { clientId: 'c', clientSecret: 'x', password: 'p' } }, 'mpas.credentials.password', expect.stringContaining('belongs to the password grant')],
  ])('refuses %s in mpas', (_name, patch, path, message) => {
    expect(issuesOf({ ...minimal, mpas: { ...minimal.mpas, ...patch } })).toEqual([{ path, message }]);
  });

  it.each([
    ['an unknown SIEM type', { type: 'kafka' }, 'siem.type', `must be one of ${SIEM_TYPES.join(', ')}`],
    ['an unknown format', { format: 'xml' }, 'siem.format', `must be one of ${FORMAT_NAMES.join(', ')}`],
    ['an unknown batch mode', { batch: 'many' }, 'siem.batch', 'must be one of single, array, ndjson'],
    ['a gzip that is not a boolean', { gzip: 'yes' }, 'siem.gzip', 'must be true or false'],
    ['no attempts', { attempts: 0 }, 'siem.attempts', 'must be an integer from 1 to 20'],
    ['an unknown auth kind', { auth: { kind: 'oauth' } }, 'siem.auth.kind', 'must be one of none, bearer, header, basic'],
    ['a bearer auth without a token', { auth: { kind: 'bearer' } }, 'siem.auth.token', 'is required'],
    ['a header name with a space', { auth: { kind: 'header', name: 'X Key', value: 'v' } }, 'siem.auth.name', expect.stringContaining('must be an HTTP header name')],
    ['a header value with a line break', { auth: { kind: 'header', name: 'X-Key', value: 'v\r\nX-Evil: 1' } }, 'siem.auth.value', 'must not contain line breaks'],
    ['a basic user with a colon', { auth: { kind: 'basic', username: 'a:b', password: 'p' } }, 'siem.auth.username', 'must not contain ":"'],
    ['an auth that is a string', { auth: 'bearer' }, 'siem.auth', 'must be a JSON object'],
  ])('refuses %s in siem', (_name, patch, path, message) => {
    expect(issuesOf({ ...minimal, siem: { ...minimal.siem, ...patch } })).toEqual([{ path, message }]);
  });
});
