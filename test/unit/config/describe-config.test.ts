import { describe, expect, it } from 'vitest';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import { describeConfig } from '../../../lib/config/describe-config.js';

const secrets = {
  password: 'mpas-password-1',
  clientSecret: 'mpas-client-secret-2',
  headerValue: 'siem-header-value-3',
  basicPassword: 'siem-basic-password-4',
  token: 'siem-bearer-token-5',
  hashKey: 'redaction-hash-key-6',
  urlPassword: 'url-password-7',
};

function configWith(siemAuth: unknown) {
  const config = appConfigSchema.parse({
    mpas: {
      baseUrl: 'https://mpas.example.com',
      realms: ['customers'],
      credentials: { username: 'sync', password: secrets.password, clientSecret: secrets.clientSecret },
    },
    siem: { url: 'https://siem.example.com/ingest', auth: siemAuth },
    redaction: { mode: 'hash', hashKey: secrets.hashKey },
  });
  // The schema refuses user info in URLs; describeConfig still hides any, should one get through.
  return { ...config, mpas: { ...config.mpas, baseUrl: `https://sync:${secrets.urlPassword}@mpas.example.com` } };
}

describe('describeConfig', () => {
  it.each([
    ['header', { kind: 'header', name: 'X-Api-Key', value: secrets.headerValue }],
    ['basic', { kind: 'basic', username: 'ingest', password: secrets.basicPassword }],
    ['bearer', { kind: 'bearer', token: secrets.token }],
  ])('hides every secret of a config with %s SIEM auth', (_kind, auth) => {
    const shown = JSON.stringify(describeConfig(configWith(auth)));
    for (const [name, value] of Object.entries(secrets)) expect(shown, name).not.toContain(value);
  });

  it('keeps everything else as it is, for the start-up log', () => {
    const described = describeConfig(configWith({ kind: 'header', name: 'X-Api-Key', value: secrets.headerValue }));
    expect(described['mpas']).toMatchObject({
      baseUrl: 'https://***@mpas.example.com',
      credentials: { grant: 'password', clientId: 'admin-cli', username: 'sync', password: '***', clientSecret: '***' },
      realms: ['customers'],
      pageSize: 1000,
    });
    expect(described['siem']).toMatchObject({ auth: { kind: 'header', name: 'X-Api-Key', value: '***' }, url: 'https://siem.example.com/ingest' });
    expect(described['redaction']).toMatchObject({ mode: 'hash', hashKey: '***', userFields: ['ipAddress', 'details.username'] });
  });

  it('returns a copy, leaving the configuration untouched', () => {
    const config = configWith({ kind: 'bearer', token: secrets.token });
    describeConfig(config);
    expect(config.siem.auth).toEqual({ kind: 'bearer', token: secrets.token });
    expect(config.mpas.credentials).toMatchObject({ password: secrets.password });
  });
});
