import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.js';
import { sinkFromConfig } from '../../../../lib/runtime/sink-from-config.js';
import type { Sink } from '../../../../lib/sinks/sink.js';
import { SINK_TYPES } from '../../../../lib/sinks/sink-types.js';

const baseEnv = { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'customers', MPAS_USERNAME: 'u', MPAS_PASSWORD: 'pw', SIEM_URL: 'https://siem.example.com' };
const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

describe('sinkFromConfig', () => {
  it.each([
    [{}, 'https'],
    [{ SIEM_TYPE: 'splunk-hec', SIEM_TOKEN: 't' }, 'splunk-hec'],
    [{ SIEM_TYPE: 'elastic', SIEM_API_KEY: 'k' }, 'elastic'],
    [{ SIEM_TYPE: 'datadog', SIEM_API_KEY: 'k' }, 'datadog'],
    [{ SIEM_TYPE: 'sumo-logic', SIEM_TOKEN: 'k' }, 'sumo-logic'],
    [{ SIEM_TYPE: 'syslog', SIEM_URL: 'syslog+tls://qradar.example.com:6514' }, 'syslog'],
    [{ SIEM_TYPE: 'sentinel', SIEM_CLIENT_SECRET: 's', SENTINEL_TENANT_ID: 'contoso.onmicrosoft.com', SENTINEL_CLIENT_ID: '0d8a7c39-5f1e-4b9a-9a55-3c3e6f1d2b4a', SENTINEL_DCR_ID: 'dcr-0123456789abcdef0123456789abcdef' }, 'sentinel'],
  ])('builds the sink of SIEM_TYPE (%j)', async (env, name) => {
    const siem = loadConfig({ env: { ...baseEnv, ...env } }).siem;
    const sink = sinkFromConfig(siem);
    sinks.push(sink);
    expect(sink.name).toBe(name);
    // What the sink defers to at its first use: the type's own module, loaded then.
    const sinkType = SINK_TYPES.find((candidate) => candidate.type === siem.type)!;
    const built = await (sinkType.create as (config: typeof siem) => Promise<Sink>)(siem);
    sinks.push(built);
    expect(built.name).toBe(name);
  });
});
