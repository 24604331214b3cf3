import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load-config.js';

// Every configuration example of the README and docs/, run through the validation `check` and
// `run` share (loadConfig: schema, then filters, fields, redaction, sinks and CA files built).

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** A real PEM certificate, for the examples that name a CA file this machine does not have. */
const TEST_CA = fileURLToPath(new URL('../../fixtures/tls/test-ca.pem', import.meta.url));

/** MPAS settings for the examples that show only the SIEM's. */
const MPAS_ENV = { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'customers', MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: 'example-password' };
const BASE_ENV = { ...MPAS_ENV, SIEM_URL: 'https://siem.example.com/ingest' };

/** What the docs write where a value is the reader's own: a value of the right form stands in. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  SENTINEL_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  SENTINEL_CLIENT_ID: '0d8a7c39-5f1e-4b9a-9a55-3c3e6f1d2b4a',
};

/** The fenced block of `lang` that follows `marker` in `text`. */
function blockAfter(text: string, marker: string, lang: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`marker not found: ${marker}`);
  const open = text.indexOf('```' + lang + '\n', at);
  if (open < 0) throw new Error(`no ${lang} block after: ${marker}`);
  const start = open + lang.length + 4;
  return text.slice(start, text.indexOf('```', start));
}

/** `NAME=value` and `export A=b C='d'` lines; comments skipped; `<...>` placeholders filled in. */
function envOf(block: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const code = line.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '').replace(/^\s*export\s+/, '').trim();
    if (code === '' || !/^[A-Z_]+=/.test(code)) continue;
    for (const [, name, quoted, single, bare] of code.matchAll(/([A-Z_]+)=(?:"([^"]*)"|'([^']*)'|(\S*))/g)) {
      const value = (quoted ?? single ?? bare ?? '') as string;
      env[name as string] = /<[^>]*>|^\.\.\.$/.test(value) ? (PLACEHOLDERS[name as string] ?? value.replace(/<[^>]*>|^\.\.\.$/g, 'example-value')) : value;
    }
  }
  return env;
}

function problemsOf(env: Record<string, string>, configFile?: string): string[] {
  try {
    loadConfig({ env, ...(configFile ? { configFile } : {}) });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map(({ setting, message }) => `${setting}: ${message}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'config-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function fileWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('configuration examples of the README and docs', () => {
  it('docs/commands.md, run: the environment it exports', () => {
    expect(problemsOf(envOf(blockAfter(read('docs/commands.md'), '## run', 'sh')))).toEqual([]);
  });

  it('README, "Try it against the simulator": the settings it passes to run', () => {
    expect(problemsOf(envOf(blockAfter(read('README.md'), 'and in a third', 'sh')))).toEqual([]);
  });

  it('README, "A sample configuration": the file, with the secrets its text leaves to the environment', () => {
    const readme = read('README.md');
    const file = fileWith('readme-sample.json', blockAfter(readme, '## A sample configuration', 'json'));
    expect(problemsOf(envOf(blockAfter(readme, '## A sample configuration', 'sh')), file)).toEqual([]);
  });

  describe('README settings table: each Example value with the settings it goes with', () => {
    const rows = [...read('README.md').matchAll(/^\| `([A-Z_]+)` \|[^\n]*\| `([^`]*)` \|$/gm)].map(([, name, example]) => [name as string, example as string] as const);
    // Beside the base settings: what the example needs to mean anything (its SIEM type, its pair).
    const context: Readonly<Record<string, Record<string, string>>> = {
      MPAS_CLIENT_SECRET: {},
      SIEM_TYPE: { SIEM_TOKEN: 'example-token' },
      SIEM_URL: {},
      SIEM_USERNAME: { SIEM_PASSWORD: 'example-password' },
      SIEM_PASSWORD: { SIEM_USERNAME: 'ingest' },
      SIEM_API_KEY: { SIEM_TYPE: 'elastic' },
      SIEM_CLIENT_SECRET: { SIEM_TYPE: 'sentinel', SENTINEL_TENANT_ID: PLACEHOLDERS['SENTINEL_TENANT_ID']!, SENTINEL_CLIENT_ID: PLACEHOLDERS['SENTINEL_CLIENT_ID']!, SENTINEL_DCR_ID: 'dcr-0123456789abcdef0123456789abcdef' },
      REDACT_MODE: { REDACT_HASH_KEY: '6f1c0a9e4b7d2f83' },
    };
    const byPrefix: ReadonlyArray<readonly [string, Record<string, string>]> = [
      ['SPLUNK_', { SIEM_TYPE: 'splunk-hec', SIEM_TOKEN: 'example-token' }],
      ['ELASTIC_', { SIEM_TYPE: 'elastic' }],
      ['DATADOG_', { SIEM_TYPE: 'datadog', SIEM_API_KEY: 'example-key' }],
      ['SUMO_', { SIEM_TYPE: 'sumo-logic', SIEM_TOKEN: 'example-token' }],
      ['SENTINEL_', { SIEM_TYPE: 'sentinel', SIEM_CLIENT_SECRET: 'example-secret', ...context['SIEM_CLIENT_SECRET'] }],
      ['SYSLOG_', { SIEM_TYPE: 'syslog', SIEM_URL: 'syslog+tls://qradar.example.com:6514' }],
      ['EVENTBRIDGE_', { SIEM_TYPE: 'eventbridge' }],
      ['FIREHOSE_', { SIEM_TYPE: 'firehose', FIREHOSE_STREAM: 'mpas-audit' }],
      ['SECURITY_LAKE_', { SIEM_TYPE: 'security-lake', SECURITY_LAKE_BUCKET: 'aws-security-data-lake-eu-west-1-a1b2c3', SECURITY_LAKE_REGION: 'eu-west-1', SECURITY_LAKE_ACCOUNT_ID: '111122223333' }],
    ];
    // Paths of files this machine does not have: the example's form is checked with a real one.
    const files = new Set(['MPAS_CA_FILE', 'SIEM_CA_FILE', 'MPAS_LOG_SYNC_CONFIG']);

    it('has a row for every setting', () => {
      expect(rows.length).toBeGreaterThan(60);
    });

    it.each(rows.filter(([name]) => !files.has(name)))('%s=%s', (name, example) => {
      const around = context[name] ?? byPrefix.find(([prefix]) => name.startsWith(prefix))?.[1] ?? {};
      const env = { ...BASE_ENV, ...(name === 'SIEM_TYPE' ? byPrefix.find(([prefix]) => prefix.startsWith(example.split('-')[0]!.toUpperCase()))?.[1] : {}), ...around, [name]: example };
      if (name === 'SIEM_TYPE' && example === 'splunk-hec') env['SIEM_URL'] = 'https://splunk.example.com:8088';
      expect(problemsOf(env)).toEqual([]);
    });

    it.each(['MPAS_CA_FILE', 'SIEM_CA_FILE'])('%s with a file holding a PEM certificate', (name) => {
      expect(problemsOf({ ...BASE_ENV, [name]: TEST_CA })).toEqual([]);
    });
  });

  it('docs/configuration.md, "Config file": the whole file', () => {
    const file = fileWith('tenant.json', blockAfter(read('docs/configuration.md'), '## Config file', 'json'));
    expect(problemsOf({}, file)).toEqual([]);
  });

  it('docs/configuration.md: the error example, word for word', () => {
    const text = read('docs/configuration.md');
    const start = text.indexOf('invalid configuration (3 problems):');
    const shown = text.slice(start, text.indexOf('```', start)).split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const file = fileWith('tenant.json', JSON.stringify({ siem: { url: 'siem.example' }, redaction: { mode: 'hash' } }));
    const printed = problemsOf({ ...MPAS_ENV, MPAS_PAGE_SIZE: 'abc' }, file).map((line) => line.replaceAll(file, 'tenant.json'));
    expect(['invalid configuration (3 problems):', ...printed]).toEqual(shown);
  });

  it('docs/routes-archive-reports.md: the routes file, and each archive block in it', () => {
    const text = read('docs/routes-archive-reports.md');
    const routes = JSON.parse(blockAfter(text, 'Every event in CEF to QRadar', 'json')) as Record<string, unknown>;
    expect(problemsOf(MPAS_ENV, fileWith('routes.json', JSON.stringify(routes)))).toEqual([]);
    const archives = blockAfter(text, "as PAS 6.0's script", 'json').trim().split('\n');
    expect(archives).toHaveLength(2);
    for (const line of archives) {
      const withArchive = { ...routes, ...(JSON.parse(`{${line}}`) as Record<string, unknown>) };
      expect(problemsOf(MPAS_ENV, fileWith('archive.json', JSON.stringify(withArchive))), line).toEqual([]);
    }
  });

  it.each([
    ['Generic HTTPS (`https`)'],
    ['Splunk HTTP Event Collector (`splunk-hec`)'],
    ['Elasticsearch and OpenSearch'],
    ['Datadog'],
    ['Sumo Logic'],
    ['Microsoft Sentinel'],
    ['Syslog over TLS'],
  ])('docs/siems.md, %s: the settings it shows', (heading) => {
    const text = read('docs/siems.md');
    const section = text.slice(text.indexOf(`## ${heading}`));
    const env = envOf(blockAfter(section, '```sh\nSIEM_TYPE=', 'sh'));
    expect(env['SIEM_TYPE']).toBeDefined();
    expect(problemsOf({ ...MPAS_ENV, ...env })).toEqual([]);
  });
});
