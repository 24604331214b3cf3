import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../lib/cli/check-command.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { createJsonLog } from '../../../lib/cli/json-log.js';
import { ConfigError } from '../../../lib/config/config-error.js';
import { secretPathPatterns } from '../../../lib/config/config-secrets.js';
import { describeConfig } from '../../../lib/config/describe-config.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { secretValuesOf } from '../../../lib/local/config-secret-values.js';

let counter = 0;
const canaries: string[] = [];
/** A canary of its own for each secret, so a leak names the setting it came from. */
function canary(): string {
  counter += 1;
  const value = `canary-${counter}-q7Zt3vX9pL2m`;
  canaries.push(value);
  return value;
}

const GUID = '0aecb4d7-0c4e-4c6c-8b47-9a2f1d2e3c4b';
const route = (name: string, siem: Record<string, unknown>) => ({ name, siem, redaction: { mode: 'hash', hashKey: canary() } });

/** A configuration with a canary in every secret setting and in every URL's credentials, routes of every SIEM type included. */
function canaryConfig() {
  return {
    mpas: {
      baseUrl: `https://mpas.example.com/?access_token=${canary()}`,
      realms: ['acme'],
      credentials: { grant: 'password', clientId: 'confidential', clientSecret: canary(), username: 'sync', password: canary() },
    },
    siem: { url: `https://siem.example.com/in?api-key=${canary()}&sig=${canary()}`, auth: { kind: 'header', name: 'X-Key', value: canary() } },
    redaction: { mode: 'hash', hashKey: canary() },
    routes: [
      route('bearer', { url: 'https://a.example.com', auth: { kind: 'bearer', token: canary() } }),
      route('header', { url: `https://b.example.com/p?X-Amz-Signature=${canary()}`, auth: { kind: 'header', name: 'X-Api-Key', value: canary() } }),
      route('basic', { url: 'https://c.example.com', auth: { kind: 'basic', username: 'u', password: canary() } }),
      route('hec', { type: 'splunk-hec', url: 'https://hec.example.com:8088', auth: { kind: 'bearer', token: canary() } }),
      route('elastic', { type: 'elastic', url: 'https://es.example.com:9200', auth: { kind: 'apiKey', apiKey: canary() } }),
      route('elastic-basic', { type: 'elastic', url: 'https://es2.example.com:9200', auth: { kind: 'basic', username: 'u', password: canary() } }),
      route('datadog', { type: 'datadog', url: 'https://http-intake.logs.datadoghq.eu', auth: { kind: 'apiKey', apiKey: canary() } }),
      route('sumo', { type: 'sumo-logic', url: 'https://endpoint4.collection.sumologic.com', auth: { kind: 'bearer', token: canary() } }),
      route('sentinel', {
        type: 'sentinel',
        url: 'https://dce.westeurope-1.ingest.monitor.azure.com',
        auth: { kind: 'clientSecret', clientSecret: canary() },
        sentinel: { tenantId: GUID, clientId: GUID, dcrImmutableId: `dcr-${'a'.repeat(32)}` },
      }),
    ],
  };
}

let dir: string;
let file: string;
const config = canaryConfig();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'secret-printers-'));
  file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function leaksIn(text: string): string[] {
  return canaries.filter((value) => text.includes(value) || text.includes(value.slice(0, 14)));
}

/** The dotted paths of `value` whose string holds a canary, list indices as `*`. */
function canaryPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return canaries.some((known) => value.includes(known)) ? [path.join('.')] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => canaryPaths(child, [...path, Array.isArray(value) ? '*' : key]));
}

describe('a canary in every secret setting', () => {
  it('stands in every path the schema marks secret (the sweep misses none)', () => {
    // `siem` and a route's `siem` are one schema: a SIEM type's credential is swept in a route.
    const covered = new Set(canaryPaths(config).map((path) => path.replace(/^routes\.\*\./, '')));
    expect(secretPathPatterns().filter((path) => !covered.has(path.replace(/^routes\.\*\./, '')))).toEqual([]);
  });

  it('is hidden in the start-up description and in every value the log is told to hide', () => {
    const loaded = loadConfig({ env: {}, configFile: file });
    expect(leaksIn(JSON.stringify(describeConfig(loaded)))).toEqual([]);
    const lines: string[] = [];
    const log = createJsonLog((line) => lines.push(line), 'debug', () => 0, secretValuesOf(loaded));
    // A cause that quotes what was sent, as an echoing server would, in raw, JSON and form-encoded shapes.
    log('warn', 'SIEM request failed', { cause: `echo: ${JSON.stringify(loaded)} ${new URLSearchParams({ c: canaries.join('"&') }).toString()}` });
    expect(leaksIn(lines.join('\n'))).toEqual([]);
  });

  it('is never quoted by a configuration error, nor by check --json, when the settings around it are wrong', async () => {
    const broken: Omit<ReturnType<typeof canaryConfig>, 'routes'> & { routes: unknown[] } = structuredClone(config);
    // A header value with a line break, a misspelt auth key and a too-short hash key beside the canaries.
    broken.routes[1] = { name: 'header', siem: { url: 'https://b.example.com', auth: { kind: 'header', name: 'X-Api-Key', value: `${canary()}\n`, valu: canary() } } };
    broken.redaction = { mode: 'hash', hashKey: canary().slice(0, 15) };
    const brokenFile = join(dir, 'broken.json');
    writeFileSync(brokenFile, JSON.stringify(broken));
    let message = '';
    try {
      loadConfig({ env: { MPAS_PAGE_SIZE: 'abc', SIEM_AUTH_HEADER: `X-Key: ${canary()}` }, configFile: brokenFile });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      message = `${error.message}\n${JSON.stringify(error.problems)}`;
    }
    expect(message).toMatch(/MPAS_PAGE_SIZE/);
    expect(leaksIn(message)).toEqual([]);
    const out: string[] = [];
    const io: CliIo = { out: (text) => out.push(text), err: (text) => out.push(text), isTty: false };
    const code = await checkCommand.run(['--json', '--config', brokenFile], { MPAS_PAGE_SIZE: 'abc' }, io);
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(/"problems"/);
    expect(leaksIn(out.join('\n'))).toEqual([]);
  });
});
