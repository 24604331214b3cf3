import { describe, expect, it } from 'vitest';
import { parseDateText } from '../../../lib/config/date-text.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { startFromSchema } from '../../../lib/config/mpas-config-schema.js';
import { ConfigError } from '../../../lib/config/config-error.js';
import { parseReplayDate } from '../../../lib/local/replay-range.js';

const env = {
  MPAS_BASE_URL: 'https://mpas.example.com',
  MPAS_REALMS: 'acme',
  MPAS_USERNAME: 'sync',
  MPAS_PASSWORD: 'start-from-test-password',
  SIEM_URL: 'https://siem.example.com/ingest',
};

const startFromOf = (value: string): 'now' | number => loadConfig({ env: { ...env, MPAS_START_FROM: value } }).mpas.startFrom;

describe('MPAS_START_FROM and --from read a date alike', () => {
  it.each([
    ['a date (midnight UTC)', '2026-11-01', Date.UTC(2026, 10, 1)],
    ['a date-time without a zone (UTC)', '2026-11-01T08:30:00', Date.UTC(2026, 10, 1, 8, 30)],
    ['a date-time with Z', '2026-11-01T08:30:00Z', Date.UTC(2026, 10, 1, 8, 30)],
    ['a date-time with an offset', '2026-11-01T08:30:00+01:00', Date.UTC(2026, 10, 1, 7, 30)],
    ['epoch milliseconds', '1790000000000', 1_790_000_000_000],
  ])('accepts %s: %s', (_form, text, expected) => {
    expect(parseReplayDate('from', text)).toBe(expected);
    expect(startFromOf(text)).toBe(expected);
  });

  it.each(['yesterday', '2026-13-01', '2026-02-30', '20261101', '2026-11-01 08:00'])('refuses %s in both, naming the setting or the option', (text) => {
    expect(parseDateText(text)).toBeUndefined();
    expect(() => parseReplayDate('from', text)).toThrow(`--from must be a date (2026-11-01, midnight UTC)`);
    expect(() => startFromOf(text)).toThrow(ConfigError);
    expect(() => startFromOf(text)).toThrow(`MPAS_START_FROM: must be "now", a date (2026-11-01, midnight UTC)`);
  });

  it('keeps "now" (any case), and a number in the config file as epoch milliseconds', () => {
    expect(startFromOf('NOW')).toBe('now');
    expect(startFromSchema.parse(1_739_318_400_000)).toBe(1_739_318_400_000);
  });
});
