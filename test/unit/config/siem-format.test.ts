import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { forwarderStagesFromConfig } from '../../../lib/runtime/stages-from-config.js';

const baseEnv = {
  MPAS_BASE_URL: 'https://mpas.example.com',
  MPAS_REALMS: 'customers',
  MPAS_USERNAME: 'mpas-log-sync',
  MPAS_PASSWORD: 'pw',
  SIEM_URL: 'https://siem.example.com/ingest',
};

describe('SIEM_FORMAT', () => {
  it.each([
    ['ecs', 'https', baseEnv],
    ['leef', 'https', baseEnv],
    ['ecs', 'elastic', { ...baseEnv, SIEM_TYPE: 'elastic', SIEM_API_KEY: 'key' }],
    ['leef', 'syslog', { ...baseEnv, SIEM_TYPE: 'syslog', SIEM_URL: 'syslog+tls://qradar.example.com:6514' }],
  ])('takes %s for %s, and the forwarder formats with it', (format, type, env) => {
    const config = loadConfig({ env: { ...env, SIEM_FORMAT: format } });
    expect(config.siem).toMatchObject({ type, format });
    expect(forwarderStagesFromConfig(config, { version: '1.0.0' }).formatter.format).toBe(format);
  });

  it('refuses a format it does not know, naming the setting', () => {
    let error: unknown;
    try {
      loadConfig({ env: { ...baseEnv, SIEM_FORMAT: 'qradar' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([{ setting: 'SIEM_FORMAT', message: expect.stringMatching(/^must be one of json, cef, ecs, leef\b.*, got "qradar"$/) as unknown }]);
  });
});
