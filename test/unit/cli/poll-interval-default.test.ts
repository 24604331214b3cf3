import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../lib/cli/run-command.js';
import { loadConfig } from '../../../lib/config/load-config.js';

const configurationDoc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

describe('POLL_INTERVAL_MS has one default', () => {
  it('the same in the configuration, run --help and docs/configuration.md', () => {
    const loaded = loadConfig({
      env: { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'acme', MPAS_USERNAME: 'sync', MPAS_PASSWORD: 'poll-interval-test-password', SIEM_URL: 'https://siem.example.com/ingest' },
    }).polling.intervalMs;
    const inHelp = /--poll-interval MS +pause between polls \(default: POLL_INTERVAL_MS, else (\d+)\)/.exec(runCommand.usage)?.[1];
    const inDocs = /^\| `POLL_INTERVAL_MS` \| `(\d+)` \|/m.exec(configurationDoc)?.[1];
    expect(inHelp).toBeDefined();
    expect(inDocs).toBeDefined();
    expect(Number(inHelp)).toBe(loaded);
    expect(Number(inDocs)).toBe(loaded);
  });
});
