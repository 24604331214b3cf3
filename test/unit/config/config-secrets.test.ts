import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { hideUrlUserInfo, isSecretPath, mayQuote } from '../../../lib/config/config-secrets.js';
import { describeConfig } from '../../../lib/config/describe-config.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import type { LoadConfigOptions } from '../../../lib/config/load-config.js';

const SEED = 424242;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-secrets-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const env = { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'customers', SIEM_URL: 'https://siem.example.com' };

/** Ways an operator may hand the service a secret; `hidden` lists every string that must never be shown. */
function scenarios(secret: string, file: (content: string) => string): Array<{ name: string; options: LoadConfigOptions; hidden: string[] }> {
  const json = (value: unknown) => file(JSON.stringify(value));
  return [
    {
      name: 'valid, every secret from the environment',
      options: {
        env: { ...env, MPAS_USERNAME: 'u', MPAS_PASSWORD: secret, MPAS_CLIENT_SECRET: secret, SIEM_AUTH_HEADER: `X-Key: ${secret}`, REDACT_MODE: 'hash', REDACT_HASH_KEY: secret, SIEM_URL: `https://u:${secret}@siem` },
      },
      hidden: [secret],
    },
    {
      name: 'secrets beside a bad setting, two SIEM auths and a short hash key',
      options: {
        env: { ...env, MPAS_USERNAME: 'u', MPAS_PASSWORD: secret, SIEM_TOKEN: secret, SIEM_AUTH_HEADER: secret, REDACT_HASH_KEY: secret.slice(0, 15), MPAS_PAGE_SIZE: 'abc' },
      },
      hidden: [secret, secret.slice(0, 15)],
    },
    {
      name: 'a bad URL with a password, a header without a name, half of basic auth',
      options: { env: { ...env, MPAS_BASE_URL: `ftp://u:${secret}@mpas`, SIEM_AUTH_HEADER: `:${secret}`, MPAS_CLIENT_SECRET: secret } },
      hidden: [secret],
    },
    {
      name: 'half of basic auth',
      options: { env: { ...env, SIEM_PASSWORD: secret, MPAS_PASSWORD: secret } },
      hidden: [secret],
    },
    {
      name: 'valid, every secret from the file',
      options: {
        configFile: json({
          mpas: { baseUrl: `https:u:${secret}@mpas`, realms: ['r'], credentials: { grant: 'client_credentials', clientId: 'c', clientSecret: secret } },
          siem: { url: 'https://siem', auth: { kind: 'basic', username: 'u', password: secret } },
          redaction: { mode: 'hash', hashKey: secret },
        }),
      },
      hidden: [secret],
    },
    {
      name: 'secrets in the wrong places of the file',
      options: {
        env,
        configFile: json({
          mpas: { credentials: secret },
          siem: { auth: { kind: 'bearer', token: [secret], pasword: secret } },
          redaction: { hashKey: secret.slice(0, 15), mode: 'hash' },
        }),
      },
      hidden: [secret, secret.slice(0, 15)],
    },
    {
      name: 'a typo beside a secret, and a secret where the auth block belongs',
      options: { env: { ...env, MPAS_USERNAME: 'u' }, configFile: json({ mpas: { credentials: { pasword: secret } }, siem: { auth: secret, url: `https://u:${secret}@` } }) },
      hidden: [secret],
    },
    {
      name: 'a file that is not JSON around the secret',
      options: { env, configFile: file(`{"mpas": {"credentials": {"password": ${secret}}}, "siem": {"auth": "${secret}"`) },
      hidden: [secret],
    },
  ];
}

/** Everything an operator could see: the error's message and problems, or the start-up description. */
function shownFor(options: LoadConfigOptions): string {
  try {
    return JSON.stringify(describeConfig(loadConfig(options)));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return `${error.message}\n${JSON.stringify(error.problems)}`;
  }
}

describe('config secrets', () => {
  it('never shows a secret in an error or in describeConfig, wherever it was written', () => {
    let files = 0;
    const file = (content: string): string => {
      const path = join(dir, `config-${(files += 1)}.json`);
      writeFileSync(path, content);
      return path;
    };
    // Printable ASCII without surrounding spaces (HTTP trims header values), long enough for a hash key.
    const secrets = fc.string({ minLength: 16, maxLength: 48 }).filter((value) => value.trim() === value);
    fc.assert(
      fc.property(secrets, (secret) => {
        for (const scenario of scenarios(secret, file)) {
          const shown = shownFor(scenario.options);
          for (const hidden of scenario.hidden) {
            const escaped = JSON.stringify(hidden).slice(1, -1);
            const where = `seed ${SEED}, scenario "${scenario.name}", secret ${JSON.stringify(hidden)}:\n${shown}`;
            expect(shown.includes(hidden) || shown.includes(escaped), where).toBe(false);
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('hides the user info of URLs, with or without slashes', () => {
    expect(hideUrlUserInfo('https://user:pw@host/path')).toBe('https://***@host/path');
    expect(hideUrlUserInfo('https://user:p@s/s w@host')).toBe('https://***@host');
    expect(hideUrlUserInfo('https:user:pw@host')).toBe('https://***@host');
    expect(hideUrlUserInfo('ERROR: user@host')).toBe('ERROR: user@host');
    expect(hideUrlUserInfo('https://host/path')).toBe('https://host/path');
  });

  it('knows the secrets by path and by key name', () => {
    for (const path of ['mpas.credentials.password', 'mpas.credentials.clientSecret', 'siem.auth.token', 'siem.auth.value', 'siem.auth.password', 'redaction.hashKey', 'siem.apiKey']) {
      expect(isSecretPath(path.split('.')), path).toBe(true);
    }
    for (const path of ['mpas.credentials.username', 'siem.auth.name', 'siem.url', 'mpas.credentials.grant']) {
      expect(isSecretPath(path.split('.')), path).toBe(false);
    }
  });

  it('quotes only the harmless fields of credentials and auth', () => {
    expect(mayQuote(['siem', 'auth', 'kind'])).toBe(true);
    expect(mayQuote(['mpas', 'credentials', 'grant'])).toBe(true);
    expect(mayQuote(['mpas', 'credentials'])).toBe(false);
    expect(mayQuote(['siem', 'auth'])).toBe(false);
    expect(mayQuote(['mpas', 'credentials', 'pasword'])).toBe(false);
    expect(mayQuote(['mpas', 'pageSize'])).toBe(true);
  });
});
