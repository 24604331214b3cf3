import { describe, expect, it } from 'vitest';
import { hideSecrets } from '../../../lib/net/secret-texts.js';
import { authHeaders, secretsOf } from '../../../lib/sinks/http-auth.js';
import { createHttpsSink } from '../../../lib/sinks/https/https-sink.js';
import type { HttpsSinkOptions } from '../../../lib/sinks/https/https-sink-options.js';
import { validateHttpsSinkOptions } from '../../../lib/sinks/https/https-sink-options.js';
import { SinkConfigError } from '../../../lib/sinks/sink-errors.js';

function options(overrides: Partial<HttpsSinkOptions> = {}): HttpsSinkOptions {
  return {
    url: 'https://siem.example.com/ingest',
    batch: 'array',
    format: 'json',
    auth: { kind: 'bearer', token: 'secret-token-value' },
    timeoutMs: 10_000,
    concurrency: 4,
    maxBatchEvents: 500,
    maxBatchBytes: 1_000_000,
    attempts: 3,
    gzip: true,
    ...overrides,
  };
}

function problemsOf(candidate: HttpsSinkOptions): Array<{ setting: string; message: string }> {
  try {
    validateHttpsSinkOptions(candidate);
  } catch (error) {
    expect(error).toBeInstanceOf(SinkConfigError);
    return [...(error as SinkConfigError).problems];
  }
  return [];
}

describe('validateHttpsSinkOptions', () => {
  it('accepts a complete https configuration', () => {
    expect(problemsOf(options())).toEqual([]);
  });

  it('allows http to loopback hosts only', () => {
    expect(problemsOf(options({ url: 'http://127.0.0.1:8080/x' }))).toEqual([]);
    expect(problemsOf(options({ url: 'http://localhost:8080/x' }))).toEqual([]);
    expect(problemsOf(options({ url: 'http://siem.example.com/x' }))).toEqual([
      { setting: 'url', message: 'must use https (http is allowed to a loopback host only), got http://siem.example.com' },
    ]);
    expect(problemsOf(options({ url: 'ftp://siem.example.com/' }))[0]?.message).toBe('must use https, got ftp:');
  });

  it('refuses credentials in the URL without echoing them', () => {
    const problems = problemsOf(options({ url: 'https://user:hunter2@siem.example.com/' }));
    expect(problems).toEqual([{ setting: 'url', message: 'must not carry credentials: use the auth setting' }]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(problemsOf(options({ url: 'not a url hunter2' }))).toEqual([{ setting: 'url', message: 'is not a valid URL' }]);
  });

  it('reports every problem at once, each naming its setting', () => {
    const bad = options({
      batch: 'csv' as 'array',
      format: 'xml' as 'json',
      timeoutMs: 0,
      concurrency: 1.5,
      maxBatchEvents: -1,
      maxBatchBytes: Number.NaN,
      attempts: 0,
      backoffBaseMs: -1,
      auth: { kind: 'basic', username: 'a:b', password: '' },
    });
    expect(problemsOf(bad).map((problem) => problem.setting)).toEqual([
      'batch',
      'format',
      'timeoutMs',
      'concurrency',
      'maxBatchEvents',
      'maxBatchBytes',
      'attempts',
      'backoffBaseMs',
      'auth.username',
      'auth.password',
    ]);
    expect(() => createHttpsSink(bad)).toThrow(/the https sink's settings are invalid:\n {2}batch: must be single, array or ndjson, got "csv"/);
  });

  it('checks each auth kind without putting a secret in a message', () => {
    expect(problemsOf(options({ auth: { kind: 'bearer', token: '' } }))).toEqual([{ setting: 'auth.token', message: 'must not be empty' }]);
    expect(problemsOf(options({ auth: { kind: 'bearer', token: 'abc\r\nX-Evil: 1' } }))).toEqual([{ setting: 'auth.token', message: 'must be one line' }]);
    expect(problemsOf(options({ auth: { kind: 'header', name: 'Bad Name', value: 'v-secret' } }))[0]?.setting).toBe('auth.name');
    expect(problemsOf(options({ auth: { kind: 'header', name: 'Content-Type', value: 'v-secret' } }))[0]?.message).toMatch(/set by the sink itself/);
    expect(problemsOf(options({ auth: { kind: 'magic' } as unknown as HttpsSinkOptions['auth'] }))).toEqual([
      { setting: 'auth.kind', message: 'must be none, bearer, header or basic' },
    ]);
    const messages = JSON.stringify([
      problemsOf(options({ auth: { kind: 'bearer', token: 'abc\nsecret-line' } })),
      problemsOf(options({ auth: { kind: 'header', name: 'X-Key', value: 'secret-line\n' } })),
    ]);
    expect(messages).not.toContain('secret-line');
  });

  it('names an unreadable CA file', () => {
    expect(() => createHttpsSink(options({ caFile: '/nonexistent/ca.pem' }))).toThrow(/caFile: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
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
