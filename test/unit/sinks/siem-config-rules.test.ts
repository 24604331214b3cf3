import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConfigError } from '../../../lib/config/config-error.js';
import type { ConfigProblem } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { hideSecrets } from '../../../lib/net/secret-texts.js';
import { datadogSiemSchema } from '../../../lib/sinks/datadog/config.js';
import { elasticSiemSchema } from '../../../lib/sinks/elastic/config.js';
import { authHeaders, secretsOf } from '../../../lib/sinks/http-auth.js';
import { httpsSiemSchema, httpsSinkType } from '../../../lib/sinks/https/config.js';
import { sentinelSiemSchema } from '../../../lib/sinks/sentinel/config.js';
import { splunkHecSiemSchema } from '../../../lib/sinks/splunk-hec/config.js';
import { sumoLogicSiemSchema } from '../../../lib/sinks/sumo-logic/config.js';
import { syslogSiemSchema } from '../../../lib/sinks/syslog/config.js';

// Each SIEM type's schema (lib/sinks/<type>/config.ts) is the only check of its settings: these
// are the cases each sink used to check again when it was built.

const MPAS_ENV = { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'customers', MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: 'pw' };

/** The schema's problems: each setting's path in the `siem` block, and its message. */
function problemsOf(schema: z.ZodType, input: Record<string, unknown>): Array<{ path: string; message: string }> {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** The problems `check` and `run` report for a `siem` block: named after the setting, the value quoted unless secret. */
function loadedProblems(siem: Record<string, unknown>): readonly ConfigProblem[] {
  try {
    loadConfig({ env: MPAS_ENV, defaults: { siem } });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the https SIEM type', () => {
  const https = (overrides: Record<string, unknown> = {}) => ({ type: 'https', url: 'https://siem.example.com/ingest', auth: { kind: 'bearer', token: 'secret-token-value' }, ...overrides });

  it('accepts a complete https configuration', () => {
    expect(problemsOf(httpsSiemSchema, https({ batch: 'array', format: 'json', timeoutMs: 10_000, concurrency: 4, maxBatchEvents: 500, maxBatchBytes: 1_000_000, attempts: 3, gzip: true }))).toEqual([]);
  });

  it('allows http to loopback hosts only', () => {
    expect(problemsOf(httpsSiemSchema, https({ url: 'http://127.0.0.1:8080/x' }))).toEqual([]);
    expect(problemsOf(httpsSiemSchema, https({ url: 'http://localhost:8080/x' }))).toEqual([]);
    expect(problemsOf(httpsSiemSchema, https({ url: 'http://[::1]:8080/x' }))).toEqual([]);
    expect(problemsOf(httpsSiemSchema, https({ url: 'http://siem.example.com/x' }))).toEqual([{ path: 'url', message: 'must use https (http is allowed to a loopback host only)' }]);
    expect(problemsOf(httpsSiemSchema, https({ url: 'ftp://siem.example.com/' }))).toEqual([{ path: 'url', message: 'must be an absolute http:// or https:// URL' }]);
  });

  it('refuses credentials in the URL without echoing them', () => {
    const problems = loadedProblems(https({ url: 'https://user:hunter2@siem.example.com/' }));
    expect(problems).toEqual([{ setting: 'SIEM_URL', message: expect.stringMatching(/^must not carry a user name or password/) }]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(problemsOf(httpsSiemSchema, https({ url: 'not a url hunter2' }))).toEqual([{ path: 'url', message: 'must be an absolute http:// or https:// URL' }]);
  });

  it('reports every problem at once, each naming its setting', () => {
    const bad = https({ batch: 'csv', format: 'xml', timeoutMs: 0, concurrency: 1.5, maxBatchEvents: -1, maxBatchBytes: Number.NaN, attempts: 0, auth: { kind: 'basic', username: 'a:b', password: '' } });
    expect(problemsOf(httpsSiemSchema, bad).map((problem) => problem.path)).toEqual([
      'format',
      'batch',
      'auth.username',
      'auth.password',
      'timeoutMs',
      'concurrency',
      'maxBatchEvents',
      'maxBatchBytes',
      'attempts',
    ]);
    expect(loadedProblems(bad)).toContainEqual({ setting: 'SIEM_BATCH', message: 'must be one of single, array, ndjson, got "csv"' });
  });

  it('checks each auth kind without putting a secret in a message', () => {
    expect(problemsOf(httpsSiemSchema, https({ auth: { kind: 'bearer', token: '' } }))).toEqual([{ path: 'auth.token', message: 'must be a non-empty string' }]);
    expect(problemsOf(httpsSiemSchema, https({ auth: { kind: 'bearer', token: 'abc\r\nX-Evil: 1' } }))).toEqual([{ path: 'auth.token', message: 'must not contain line breaks' }]);
    expect(problemsOf(httpsSiemSchema, https({ auth: { kind: 'header', name: 'Bad Name', value: 'v-secret' } }))[0]?.path).toBe('auth.name');
    expect(problemsOf(httpsSiemSchema, https({ auth: { kind: 'header', name: 'Content-Type', value: 'v-secret' } }))).toEqual([
      { path: 'auth.name', message: expect.stringMatching(/^names a header the sink sets itself/) },
    ]);
    expect(problemsOf(httpsSiemSchema, https({ auth: { kind: 'magic' } }))).toEqual([{ path: 'auth.kind', message: 'must be one of none, bearer, header, basic' }]);
    const messages = JSON.stringify([
      loadedProblems(https({ auth: { kind: 'bearer', token: 'abc\nsecret-line' } })),
      loadedProblems(https({ auth: { kind: 'header', name: 'X-Key', value: 'secret-line\n' } })),
    ]);
    expect(messages).toContain('must not contain line breaks');
    expect(messages).not.toContain('secret-line');
  });

  it('names an unreadable CA file when the sink is built', async () => {
    const config = httpsSiemSchema.parse(https({ caFile: '/nonexistent/ca.pem' }));
    await expect(httpsSinkType.create(config)).rejects.toThrow(/caFile: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
  });
});

describe('the other SIEM types', () => {
  it('splunk-hec: names every problem, never the token', () => {
    const TOKEN = '6c1f0e55-hec-Tq93-very-secret';
    const bad = { type: 'splunk-hec', url: 'ftp://x', timeoutMs: 0, auth: { kind: 'bearer', token: `a\n${TOKEN}` }, splunk: { index: ' ' } };
    expect(problemsOf(splunkHecSiemSchema, bad).map((problem) => problem.path)).toEqual(['url', 'auth.token', 'timeoutMs', 'splunk.index']);
    expect(problemsOf(splunkHecSiemSchema, { ...bad, splunk: { source: 'a\nb', sourcetype: '', host: 'h\r' } })).toEqual(
      expect.arrayContaining(['splunk.source', 'splunk.sourcetype', 'splunk.host'].map((path) => ({ path, message: 'must be a non-empty single line' }))),
    );
    expect(JSON.stringify(loadedProblems(bad))).not.toContain(TOKEN);
  });

  it('elastic: names every problem, never the key', () => {
    const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
    const bad = { type: 'elastic', url: 'not a url', concurrency: 0, auth: { kind: 'apiKey', apiKey: `two ${API_KEY}` }, elastic: { index: 'Logs' } };
    expect(problemsOf(elasticSiemSchema, bad).map((problem) => problem.path)).toEqual(['url', 'auth.apiKey', 'concurrency', 'elastic.index']);
    expect(JSON.stringify(loadedProblems(bad))).not.toContain(API_KEY);
  });

  it('datadog: names every problem, never the key', () => {
    const API_KEY = 'dd0c6f4e8a1b2c3d4e5f60718293a4b5';
    const bad = { type: 'datadog', url: 'http://intake.example.com', attempts: 0, auth: { kind: 'apiKey', apiKey: `a\n${API_KEY}` }, datadog: { tags: '' } };
    expect(problemsOf(datadogSiemSchema, bad).map((problem) => problem.path)).toEqual(['url', 'auth.apiKey', 'attempts', 'datadog.tags']);
    expect(problemsOf(datadogSiemSchema, { ...bad, datadog: { source: ' ', service: 'a\nb', hostname: '' } })).toEqual(
      expect.arrayContaining(['datadog.source', 'datadog.service', 'datadog.hostname'].map((path) => ({ path, message: 'must be a non-empty single line' }))),
    );
    expect(JSON.stringify(loadedProblems(bad))).not.toContain(API_KEY);
  });

  it('sumo-logic: names every problem, never the token', () => {
    const TOKEN = 'ZaVnC4dhaV2ZCWrx-sumo-source-token==';
    const bad = { type: 'sumo-logic', url: 'https://collectors.example.com', maxBatchEvents: 0, auth: { kind: 'bearer', token: `${TOKEN}/x` }, sumo: { fields: 'a b' } };
    expect(problemsOf(sumoLogicSiemSchema, bad).map((problem) => problem.path)).toEqual(['auth.token', 'maxBatchEvents', 'sumo.fields']);
    expect(problemsOf(sumoLogicSiemSchema, { ...bad, sumo: { category: '', sourceName: ' ', host: 'a\nb' } })).toEqual(
      expect.arrayContaining(['sumo.category', 'sumo.sourceName', 'sumo.host'].map((path) => ({ path, message: 'must be a non-empty single line' }))),
    );
    expect(JSON.stringify(loadedProblems(bad))).not.toContain(TOKEN);
  });

  it('sentinel: names every problem, never the secret; the authority takes http only to a loopback host', () => {
    const SECRET = 'Qx8Q~sentinel-client-secret.value_42';
    const bad = {
      type: 'sentinel',
      url: 'https://dce.westeurope-1.ingest.monitor.azure.com',
      maxBatchEvents: 0,
      auth: { kind: 'clientSecret', clientSecret: SECRET },
      sentinel: { authorityHost: 'http://login.example.com', tenantId: 'acme', clientId: 'app', dcrImmutableId: 'dcr-123', streamName: 'MpasEvents_CL' },
    };
    expect(problemsOf(sentinelSiemSchema, bad).map((problem) => problem.path)).toEqual([
      'maxBatchEvents',
      'sentinel.tenantId',
      'sentinel.clientId',
      'sentinel.dcrImmutableId',
      'sentinel.streamName',
      'sentinel.authorityHost',
    ]);
    expect(JSON.stringify(loadedProblems(bad))).not.toContain(SECRET);
    const good = { ...bad, maxBatchEvents: 1, sentinel: { tenantId: 'contoso.onmicrosoft.com', clientId: '0d8a7c39-5f1e-4b9a-9a55-3c3e6f1d2b4a', dcrImmutableId: 'dcr-0123456789abcdef0123456789abcdef' } };
    expect(problemsOf(sentinelSiemSchema, { ...good, sentinel: { ...good.sentinel, authorityHost: 'http://127.0.0.1:9443' } })).toEqual([]);
    expect(problemsOf(sentinelSiemSchema, { ...good, auth: { kind: 'clientSecret', clientSecret: `${SECRET}\n` } })).toEqual([{ path: 'auth.clientSecret', message: 'must not contain line breaks' }]);
  });

  it('syslog: names every problem, and takes syslog+tls://host:port alone', () => {
    const bad = { type: 'syslog', url: 'tcp://siem.example.com:514', maxBatchEvents: 0, syslog: { facility: 24, hostname: 'a b', appName: 'x'.repeat(49) } };
    expect(problemsOf(syslogSiemSchema, bad).map((problem) => problem.path)).toEqual(['url', 'maxBatchEvents', 'syslog.facility', 'syslog.hostname', 'syslog.appName']);
    expect(problemsOf(syslogSiemSchema, { type: 'syslog', url: 'syslog+tls://siem.example.com:6514/x?y' })).toEqual([{ path: 'url', message: 'must be syslog+tls://host:port alone: no user, path or query' }]);
    expect(problemsOf(syslogSiemSchema, { type: 'syslog', url: 'syslog+tls://siem.example.com:6514', syslog: { resendBytes: -1 } }).map((problem) => problem.path)).toEqual(['syslog.resendBytes']);
  });
});

describe('http auth', () => {
  it('builds the headers of each kind', () => {
    expect(authHeaders({ kind: 'none' })).toEqual({});
    expect(authHeaders({ kind: 'bearer', token: 't' })).toEqual({ authorization: 'Bearer t' });
    expect(authHeaders({ kind: 'header', name: 'X-Api-Key', value: 'v' })).toEqual({ 'x-api-key': 'v' });
    expect(authHeaders({ kind: 'basic', username: 'u', password: 'p' })).toEqual({ authorization: 'Basic dTpw' });
  });

  it('hides every form of a secret, longest first', () => {
    const secrets = secretsOf({ kind: 'basic', username: 'user', password: 'pass-word' });
    const encoded = Buffer.from('user:pass-word').toString('base64');
    expect(hideSecrets(`got ${encoded} and pass-word twice: pass-word`, secrets)).toBe('got *** and *** twice: ***');
    expect(secretsOf({ kind: 'none' })).toEqual([]);
  });
});
