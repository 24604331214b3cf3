import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigFileError } from '../../../lib/config/config-error.js';
import type { ConfigProblem } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import type { LoadConfigOptions } from '../../../lib/config/load-config.js';
import { SIEM_TYPES } from '../../../lib/config/siem-config-schema.js';
import { FORMAT_NAMES } from '../../../lib/core/formats/format-registry.js';

/** The smallest environment the service starts with. */
const baseEnv = {
  MPAS_BASE_URL: 'https://mpas.example.com',
  MPAS_REALMS: 'customers',
  MPAS_USERNAME: 'mpas-log-sync',
  MPAS_PASSWORD: 'pw',
  SIEM_URL: 'https://siem.example.com/ingest',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'load-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeJson(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function problemsOf(options: LoadConfigOptions): readonly ConfigProblem[] {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts from the environment alone with the defaults of the original service', () => {
    const config = loadConfig({ env: baseEnv });
    expect(config.mpas).toMatchObject({ realms: ['customers'], authRealm: 'customers', streams: ['user', 'admin'], settleMs: 5000 });
    expect(config.mpas.credentials).toEqual({ grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: 'pw' });
    expect(config.siem).toMatchObject({ type: 'https', format: 'json', batch: 'single', auth: { kind: 'none' } });
    expect(config.polling.intervalMs).toBe(5_000);
  });

  it('lets the environment win over the file, key by key', () => {
    const configFile = writeJson('tenant.json', {
      tenant: 'acme',
      mpas: { baseUrl: 'https://file.example.com', realms: ['a', 'b'], pageSize: 100, credentials: { username: 'file-user' } },
      siem: { url: 'https://file-siem.example.com', format: 'cef', gzip: true },
    });
    const config = loadConfig({ configFile, env: { MPAS_PAGE_SIZE: '200', MPAS_PASSWORD: 'from-env', SIEM_FORMAT: 'json' } });
    expect(config.tenant).toBe('acme');
    expect(config.mpas).toMatchObject({ baseUrl: 'https://file.example.com', realms: ['a', 'b'], pageSize: 200 });
    expect(config.mpas.credentials).toMatchObject({ grant: 'password', username: 'file-user', password: 'from-env' });
    expect(config.siem).toMatchObject({ url: 'https://file-siem.example.com', format: 'json', gzip: true });
  });

  it('replaces the file\'s whole SIEM auth and filter with the environment\'s', () => {
    const configFile = writeJson('tenant.json', {
      siem: { auth: { kind: 'header', name: 'X-Key', value: 'file-value' } },
      filter: { AND: [{ 'event.type': { equals: 'LOGIN' } }] },
    });
    const config = loadConfig({ configFile, env: { ...baseEnv, SIEM_TOKEN: 'env-token', FILTER: '{"NOT": {"event.type": {"equals": "LOGOUT"}}}' } });
    expect(config.siem.auth).toEqual({ kind: 'bearer', token: 'env-token' });
    expect(config.filter).toEqual({ NOT: { 'event.type': { equals: 'LOGOUT' } } });
  });

  it('reads the file named by MPAS_LOG_SYNC_CONFIG, unless a config file is given', () => {
    const byEnv = writeJson('by-env.json', { tenant: 'by-env' });
    const byOption = writeJson('by-option.json', { tenant: 'by-option' });
    expect(loadConfig({ env: { ...baseEnv, MPAS_LOG_SYNC_CONFIG: byEnv } }).tenant).toBe('by-env');
    expect(loadConfig({ env: { ...baseEnv, MPAS_LOG_SYNC_CONFIG: byEnv }, configFile: byOption }).tenant).toBe('by-option');
  });

  it('puts the caller\'s defaults below the file and the environment', () => {
    const configFile = writeJson('tenant.json', { polling: { leaseMs: 30_000 } });
    const config = loadConfig({ env: baseEnv, configFile, defaults: { polling: { intervalMs: 5000, leaseMs: 10_000 }, logLevel: 'debug' } });
    expect(config.polling).toMatchObject({ intervalMs: 5000, leaseMs: 30_000 });
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['MPAS_BASE_URL', 'mpas.example.com', 'must be an absolute http:// or https:// URL, got "mpas.example.com"'],
    ['MPAS_REALMS', 'a,,b', 'item 2 must be a realm name (not empty), got ""'],
    ['MPAS_STREAMS', 'user,user', 'must not name the same stream twice, got "user,user"'],
    ['MPAS_START_FROM', 'yesterday', 'must be "now", a date (2026-11-01, midnight UTC), an ISO date-time (2026-11-01T08:00:00Z; a zone offset, or none for UTC) or epoch milliseconds, got "yesterday"'],
    ['MPAS_PAGE_SIZE', 'abc', 'must be an integer from 1 to 5000, got "abc"'],
    ['MPAS_PAGE_SIZE', '5001', 'must be an integer from 1 to 5000, got "5001"'],
    ['MPAS_SETTLE_MS', '-1', 'must be an integer from 0 to 600000, got "-1"'],
    ['MPAS_REQUEST_TIMEOUT_MS', '1.5', 'must be an integer from 1 to 600000, got "1.5"'],
    ['MPAS_AUTH_REALM', ' ', undefined],
    ['SIEM_TYPE', 'kafka', `must be one of ${SIEM_TYPES.join(', ')}, got "kafka"`],
    ['SIEM_URL', 'https://user:hunter2@', 'must be an absolute http:// or https:// URL, got "https://***@"'],
    ['SIEM_FORMAT', 'xml', `must be one of ${FORMAT_NAMES.join(', ')}, got "xml"`],
    ['SIEM_BATCH', 'bulk', 'must be one of single, array, ndjson, got "bulk"'],
    ['SIEM_TIMEOUT_MS', '0', 'must be an integer from 1 to 600000, got "0"'],
    ['SIEM_CONCURRENCY', 'four', 'must be an integer from 1 to 256, got "four"'],
    ['SIEM_MAX_BATCH_EVENTS', '0', 'must be an integer from 1 to 100000, got "0"'],
    ['SIEM_MAX_BATCH_BYTES', '10', 'must be an integer from 1024 to 104857600, got "10"'],
    ['SIEM_ATTEMPTS', '21', 'must be an integer from 1 to 20, got "21"'],
    ['SIEM_GZIP', 'maybe', 'must be true or false, got "maybe"'],
    ['REDACT_MODE', 'blur', 'must be one of mask, remove, hash, got "blur"'],
    ['REDACT_USER_FIELDS', 'ipAddress,details..username', 'item 2 must be a dotted field path such as details.username, got "details..username"'],
    ['REDACT_ADMIN_FIELDS', 'a b', 'item 1 must be a dotted field path such as details.username, got "a b"'],
    ['REDACT_HASH_KEY', 'short-key', 'must be at least 16 characters long'],
    ['FILTER', '[1, 2]', 'must be a JSON object, got "[1, 2]"'],
    ['FILTER', '{"AND": [}', 'is not valid JSON: unexpected character at line 1 column 10'],
    ['FIELDS', 'time,,type', 'item 2 must be a dotted field path such as details.username, got ""'],
    ['TENANT', 'ACME', 'must be 1 to 40 lowercase letters, digits or dashes, got "ACME"'],
    ['POLL_INTERVAL_MS', '10', 'must be an integer from 1000 to 86400000, got "10"'],
    ['LEASE_MS', '1e5', 'must be an integer from 1000 to 3600000, got "1e5"'],
    ['QUEUE_MAX_MESSAGE_BYTES', '2097152', 'must be an integer from 1024 to 1048576, got "2097152"'],
    ['LOG_LEVEL', 'verbose', 'must be one of debug, info, warn, error, got "verbose"'],
    ['MPAS_CA_FILE', '/nonexistent/ca.pem', 'cannot be read (no such file): /nonexistent/ca.pem'],
    ['SIEM_CA_FILE', '/nonexistent/siem.pem', 'cannot be read (no such file): /nonexistent/siem.pem'],
  ])('names %s and what is wrong with %j', (name, value, message) => {
    const problems = problemsOfOrNone({ env: { ...baseEnv, [name]: value } });
    // A blank variable counts as unset: MPAS_AUTH_REALM then defaults to the first realm.
    expect(problems).toEqual(message === undefined ? [] : [{ setting: name, message }]);
  });

  it('names the JSON path and the file for a bad value in the file', () => {
    const configFile = writeJson('tenant.json', {
      mpas: { pageSize: '100', realms: ['a', ''], streams: 'user' },
      siem: { url: 'siem.example.com', auth: { kind: 'bearer', token: 42 } },
      redaction: { mode: 'hash', hashKey: 'too-short' },
      polling: { intervalMz: 1000 },
    });
    expect(problemsOf({ configFile, env: { MPAS_BASE_URL: 'https://mpas', MPAS_USERNAME: 'u', MPAS_PASSWORD: 'p' } })).toEqual([
      { setting: `mpas.realms[1] (in ${configFile})`, message: 'must be a realm name (not empty), got ""' },
      { setting: `mpas.streams (in ${configFile})`, message: 'must be a list of streams, got "user"' },
      { setting: `mpas.pageSize (in ${configFile})`, message: 'must be an integer from 1 to 5000, got "100"' },
      { setting: `siem.url (in ${configFile})`, message: 'must be an absolute http:// or https:// URL, got "siem.example.com"' },
      { setting: `siem.auth.token (in ${configFile})`, message: 'must be a non-empty string' },
      { setting: `redaction.hashKey (in ${configFile})`, message: 'must be at least 16 characters long' },
      { setting: `polling.intervalMz (in ${configFile})`, message: 'is not a known setting' },
    ]);
  });

  it('names both the variable and the file path of a required setting that neither gives', () => {
    const configFile = writeJson('tenant.json', { tenant: 'acme' });
    expect(problemsOf({ configFile, env: { MPAS_REALMS: 'a', MPAS_USERNAME: 'u', MPAS_PASSWORD: 'p' } })).toEqual([
      { setting: `MPAS_BASE_URL (or mpas.baseUrl in ${configFile})`, message: 'is required' },
      { setting: `SIEM_URL (or siem.url in ${configFile})`, message: 'is required' },
    ]);
  });

  it('reports several problems at once, one line each', () => {
    let caught: unknown;
    try {
      loadConfig({ env: { MPAS_PAGE_SIZE: 'abc', SIEM_GZIP: 'maybe', SIEM_TOKEN: 't', SIEM_AUTH_HEADER: 'X-Key: v' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems.map((problem) => problem.setting)).toEqual([
      'SIEM_TOKEN, SIEM_AUTH_HEADER',
      'MPAS_BASE_URL',
      'MPAS_REALMS',
      'MPAS_USERNAME or MPAS_CLIENT_SECRET',
      'MPAS_PAGE_SIZE',
      'SIEM_URL',
      'SIEM_GZIP',
    ]);
    expect(error.message.split('\n')).toEqual([
      'invalid configuration (7 problems):',
      ...error.problems.map((problem) => `${problem.setting}: ${problem.message}`),
    ]);
    expect(error.message).toContain('MPAS_PAGE_SIZE: must be an integer from 1 to 5000, got "abc"');
  });

  it('fails on a missing file, naming it', () => {
    const configFile = join(dir, 'missing.json');
    expect(() => loadConfig({ configFile, env: baseEnv })).toThrow(ConfigFileError);
    expect(problemsOf({ configFile, env: baseEnv })).toEqual([{ setting: configFile, message: 'cannot be read (no such file)' }]);
  });

  it('fails on a directory given as the file', () => {
    const configFile = join(dir, 'a-dir');
    mkdirSync(configFile);
    expect(problemsOf({ configFile, env: baseEnv })).toEqual([{ setting: configFile, message: 'cannot be read (it is a directory)' }]);
  });

  it('fails on invalid JSON with its line and column, without quoting the file', () => {
    const configFile = writeJson('tenant.json', '{\n  "mpas": {\n    "credentials": { "password": hunter2-secret }\n  }\n}');
    const problems = problemsOf({ configFile, env: baseEnv });
    expect(problems).toEqual([{ setting: configFile, message: 'is not valid JSON: unexpected character at line 3 column 34' }]);
    let caught: unknown;
    try {
      loadConfig({ configFile, env: baseEnv });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigFileError);
    expect((caught as ConfigFileError).file).toBe(configFile);
    expect(JSON.stringify(caught, Object.getOwnPropertyNames(caught))).not.toContain('hunter2');
  });

  it('fails on a file that holds JSON but not an object', () => {
    const configFile = writeJson('tenant.json', '["mpas"]');
    expect(problemsOf({ configFile, env: baseEnv })).toEqual([{ setting: configFile, message: expect.stringContaining('must hold a JSON object') }]);
  });

  it('accepts a readable CA file that holds a PEM certificate', () => {
    const caFile = fileURLToPath(new URL('../../fixtures/tls/test-ca.pem', import.meta.url));
    expect(loadConfig({ env: { ...baseEnv, MPAS_CA_FILE: caFile } }).mpas.caFile).toBe(caFile);
  });

  describe('credentials', () => {
    const env = { MPAS_BASE_URL: 'https://mpas', MPAS_REALMS: 'r', SIEM_URL: 'https://siem' };

    it('uses the password grant when MPAS_USERNAME is set, with a client secret for a confidential client', () => {
      expect(loadConfig({ env: { ...env, MPAS_USERNAME: 'u', MPAS_PASSWORD: 'p', MPAS_CLIENT_ID: 'c', MPAS_CLIENT_SECRET: 's' } }).mpas.credentials).toEqual({
        grant: 'password',
        clientId: 'c',
        clientSecret: 's',
        username: 'u',
        password: 'p',
      });
    });

    it('uses client_credentials when only MPAS_CLIENT_SECRET is set', () => {
      expect(loadConfig({ env: { ...env, MPAS_CLIENT_ID: 'c', MPAS_CLIENT_SECRET: 's' } }).mpas.credentials).toEqual({
        grant: 'client_credentials',
        clientId: 'c',
        clientSecret: 's',
      });
    });

    it('says what to set when neither is set', () => {
      expect(problemsOf({ env })).toEqual([
        {
          setting: 'MPAS_USERNAME or MPAS_CLIENT_SECRET',
          message:
            'is required: set username and password (MPAS_USERNAME, MPAS_PASSWORD) for the password grant, ' +
            'or clientId and clientSecret (MPAS_CLIENT_ID, MPAS_CLIENT_SECRET) for the client_credentials grant',
        },
      ]);
    });

    it('says what to set when only a password is set', () => {
      expect(problemsOf({ env: { ...env, MPAS_PASSWORD: 'p' } })).toEqual([
        { setting: 'MPAS_USERNAME or MPAS_CLIENT_SECRET', message: expect.stringMatching(/^names no grant: set username and password/) },
      ]);
    });

    it('asks for MPAS_PASSWORD when only MPAS_USERNAME is set', () => {
      expect(problemsOf({ env: { ...env, MPAS_USERNAME: 'u' } })).toEqual([{ setting: 'MPAS_PASSWORD', message: 'is required' }]);
    });

    it('asks for MPAS_CLIENT_ID for client_credentials, and refuses a password there', () => {
      expect(problemsOf({ env: { ...env, MPAS_CLIENT_SECRET: 's', MPAS_PASSWORD: 'p' } })).toEqual([
        { setting: 'MPAS_CLIENT_ID', message: 'is required for the client_credentials grant (admin-cli, the default client, cannot use it)' },
        { setting: 'MPAS_PASSWORD', message: 'belongs to the password grant, which also needs the username (MPAS_USERNAME)' },
      ]);
    });
  });

  it('asks for REDACT_HASH_KEY in hash mode', () => {
    expect(problemsOf({ env: { ...baseEnv, REDACT_MODE: 'hash' } })).toEqual([
      { setting: 'REDACT_HASH_KEY', message: 'is required when the redaction mode is hash (a random string of at least 16 characters)' },
    ]);
    expect(loadConfig({ env: { ...baseEnv, REDACT_MODE: 'hash', REDACT_HASH_KEY: 'k'.repeat(16) } }).redaction.hashKey).toBe('k'.repeat(16));
  });
});

function problemsOfOrNone(options: LoadConfigOptions): readonly ConfigProblem[] {
  try {
    loadConfig(options);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
