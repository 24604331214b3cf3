import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { isSecretPath, mayQuote, schemaSecretPathPatterns, secretPathPatterns } from '../../../lib/config/config-secrets.js';
import { describeConfig } from '../../../lib/config/describe-config.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import type { LoadConfigOptions } from '../../../lib/config/load-config.js';
import { hideUrlSecrets, urlSecretParts } from '../../../lib/config/url-secrets.js';
import { ENV_VARS } from '../../../lib/config/env-var-table.js';
import { mayQuotePoller } from '../../../lib/config/load-poller-config.js';

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
      name: 'every secret of two routes, valid, and a route whose header value breaks a line',
      options: {
        env,
        configFile: json({
          routes: [
            { name: 'one', siem: { url: 'https://one', auth: { kind: 'header', name: 'X-Key', value: secret } }, redaction: { mode: 'hash', hashKey: secret } },
            { name: 'two', siem: { type: 'elastic', url: 'https://two', auth: { kind: 'apiKey', apiKey: secret.replace(/\s/g, '_') } } },
          ],
        }),
      },
      hidden: [secret, secret.replace(/\s/g, '_')],
    },
    {
      name: 'a route whose header value is refused, beside a misspelt key in its auth',
      options: {
        env,
        configFile: json({ routes: [{ name: 'one', siem: { url: 'https://one', auth: { kind: 'header', name: 'X-Key', value: `${secret}\n`, valu: secret } } }] }),
      },
      hidden: [secret],
    },
    {
      name: 'secret-looking query parameters and a Sumo Logic token in URLs',
      options: {
        env: {
          ...env,
          SIEM_URL: `https://siem.example.com/in?api-key=${encodeURIComponent(secret)}&sig=${encodeURIComponent(secret)}`,
          MPAS_BASE_URL: `https://mpas.example.com/?access_token=${encodeURIComponent(secret)}`,
        },
      },
      hidden: [encodeURIComponent(secret)],
    },
    {
      name: 'a Sumo Logic source URL pasted whole, token included',
      options: { env: { ...env, SIEM_TYPE: 'sumo-logic', SIEM_TOKEN: 'tok', SIEM_URL: `https://endpoint4.collection.sumologic.com/receiver/v1/http/${encodeURIComponent(secret)}` } },
      hidden: [encodeURIComponent(secret)],
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
    expect(hideUrlSecrets('https://user:pw@host/path')).toBe('https://***@host/path');
    expect(hideUrlSecrets('https://user:p@s/s w@host')).toBe('https://***@host');
    expect(hideUrlSecrets('https:user:pw@host')).toBe('https://***@host');
    expect(hideUrlSecrets('ERROR: user@host')).toBe('ERROR: user@host');
    expect(hideUrlSecrets('https://host/path')).toBe('https://host/path');
  });

  it('hides secret-looking query parameters and a Sumo Logic source token, and keeps the rest of the URL', () => {
    expect(hideUrlSecrets('https://h/p?api-key=K1&sv=2020&X-Amz-Signature=S2&code=C3&access_token=T4&limit=5#top')).toBe(
      'https://h/p?api-key=***&sv=2020&X-Amz-Signature=***&code=***&access_token=***&limit=5#top',
    );
    expect(hideUrlSecrets('https://e.sumologic.com/receiver/v1/http/ZaVnC4dhaV3==?x=1')).toBe('https://e.sumologic.com/receiver/v1/http/***?x=1');
    expect(urlSecretParts('https://u:p%40w@h/receiver/v1/http/SUMO?token=a%2Bb&page=2').sort()).toEqual(['SUMO', 'a+b', 'a%2Bb', 'p%40w', 'p@w', 'u:p%40w', 'u:p@w'].sort());
  });

  it('reads the secrets from the schema: every credential of every SIEM type, routes included, and the hash key', () => {
    expect(secretPathPatterns().sort()).toEqual(
      [
        'mpas.credentials.clientSecret',
        'mpas.credentials.password',
        'redaction.hashKey',
        ...['token', 'value', 'password', 'apiKey', 'clientSecret'].flatMap((field) => [`siem.auth.${field}`, `routes.*.siem.auth.${field}`]),
        'routes.*.redaction.hashKey',
      ].sort(),
    );
    for (const path of ['mpas.credentials.password', 'siem.auth.value', 'siem.auth.apiKey', 'routes.3.siem.auth.value', 'routes.0.redaction.hashKey']) {
      expect(isSecretPath(path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key))), path).toBe(true);
    }
    for (const path of ['mpas.credentials.username', 'siem.auth.name', 'siem.url', 'mpas.credentials.grant', 'routes.0.siem.auth.name']) {
      expect(isSecretPath(path.split('.')), path).toBe(false);
    }
  });

  it('marks secret in the table of settings exactly what the schema declares with secret(), routes included', () => {
    expect(secretPathPatterns().sort()).toEqual(schemaSecretPathPatterns().sort());
  });

  it('quotes only the harmless fields of credentials and auth, routes included', () => {
    expect(mayQuote(['siem', 'auth', 'kind'])).toBe(true);
    expect(mayQuote(['mpas', 'credentials', 'grant'])).toBe(true);
    expect(mayQuote(['mpas', 'credentials'])).toBe(false);
    expect(mayQuote(['siem', 'auth'])).toBe(false);
    expect(mayQuote(['mpas', 'credentials', 'pasword'])).toBe(false);
    expect(mayQuote(['routes', 1, 'siem', 'auth', 'valu'])).toBe(false);
    expect(mayQuote(['routes', 1, 'siem', 'auth', 'name'])).toBe(true);
    expect(mayQuote(['redaction', 'mode'])).toBe(true);
    expect(mayQuote(['mpas', 'pageSize'])).toBe(true);
  });
});

describe('the poller Lambda\'s own secret map (load-poller-config.ts)', () => {
  it('quotes in the poller sections exactly what the whole configuration quotes, misplaced and misspelt keys included', () => {
    const pollerSections = new Set(['tenant', 'mpas', 'polling', 'logLevel']);
    const rows = ENV_VARS.map((spec) => spec.path.split('.')).filter((path) => pollerSections.has(path[0] ?? ''));
    const paths = rows.flatMap((path) => [path, [...path.slice(0, -1), 'misspelt'], [...path, 'inside'], [...path, 0]]);
    expect(paths.length).toBeGreaterThan(40);
    for (const path of paths) expect(mayQuotePoller(path), path.join('.')).toBe(mayQuote(path));
    expect(mayQuotePoller(['mpas', 'credentials', 'password'])).toBe(false);
  });
});
