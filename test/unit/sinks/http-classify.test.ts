import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS } from '../../../lib/net/retry-after.js';
import { EXCERPT_CHARS, excerpt } from '../../../lib/net/server-answer.js';
import { classifyFailure, classifyResponse } from '../../../lib/sinks/http-classify.js';

const NOW = Date.parse('2025-02-12T19:27:48.000Z');

function response(status: number, extra: { retryAfter?: string; bodyExcerpt?: string; eventCount?: number } = {}) {
  return classifyResponse({ status, bodyExcerpt: extra.bodyExcerpt ?? '', eventCount: extra.eventCount ?? 1, nowMs: NOW, retryAfter: extra.retryAfter });
}

describe('classifyResponse', () => {
  it.each([200, 201, 202, 204, 299])('accepts %s', (status) => {
    expect(response(status)).toEqual({ kind: 'ok' });
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %s without the auth flag', (status) => {
    expect(response(status)).toEqual({ kind: 'retry', reason: `HTTP ${status}`, status, auth: false });
  });

  it.each([401, 403])('retries %s with the auth flag', (status) => {
    expect(response(status, { bodyExcerpt: 'invalid token' })).toEqual({ kind: 'retry', reason: `HTTP ${status}: invalid token`, status, auth: true });
  });

  it('carries Retry-After on retriable statuses', () => {
    expect(response(429, { retryAfter: '3' })).toMatchObject({ kind: 'retry', retryAfterMs: 3_000 });
    expect(response(503, { retryAfter: 'Wed, 12 Feb 2025 19:28:18 GMT' })).toMatchObject({ kind: 'retry', retryAfterMs: 30_000 });
  });

  it('splits a 413 on several events and drops it on one', () => {
    expect(response(413, { eventCount: 2 })).toEqual({ kind: 'split', reason: 'HTTP 413', status: 413 });
    expect(response(413, { eventCount: 1 })).toMatchObject({ kind: 'drop', status: 413, reason: expect.stringContaining('too large') });
  });

  it.each([400, 404, 405, 409, 415, 422, 301, 302, 100])('drops %s with status and body excerpt', (status) => {
    expect(response(status, { bodyExcerpt: 'bad field' })).toEqual({ kind: 'drop', reason: `HTTP ${status}: bad field`, status });
  });
});

describe('classifyFailure', () => {
  it('retries a timeout, naming its length when known', () => {
    expect(classifyFailure(new Error('aborted'), true)).toEqual({ kind: 'retry', reason: 'timeout: no complete response in time', auth: false });
    expect(classifyFailure(new Error('aborted'), true, 300)).toEqual({ kind: 'retry', reason: 'timeout: no complete response within 300 ms', auth: false });
  });

  it('retries a refused connection, naming its code and the peer', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 });
    expect(classifyFailure(error, false)).toEqual({ kind: 'retry', reason: 'connection error ECONNREFUSED: connection refused by 127.0.0.1:9', auth: false });
    expect(classifyFailure('socket hang up', false)).toMatchObject({ kind: 'retry', reason: 'connection error: socket hang up' });
  });

  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
  ])('names a rejected TLS certificate by its code %s', (code, message) => {
    const error = Object.assign(new Error(message), { code });
    expect(classifyFailure(error, false)).toMatchObject({ reason: `connection error ${code}: TLS certificate rejected (${message})` });
  });

  it('reads the code fetch wraps in cause', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND siem.invalid'), { code: 'ENOTFOUND', hostname: 'siem.invalid' }) });
    expect(classifyFailure(error, false)).toMatchObject({ reason: 'connection error ENOTFOUND: host name siem.invalid not found (DNS)' });
  });
});

describe('excerpt of a body a server sent', () => {
  it('hides token-like values a server echoed', () => {
    expect(excerpt('{"error":"bad","access_token":"abc.def"}')).toBe('{"error":"bad","access_token":"***"}');
    expect(excerpt('rejected Authorization: Bearer 9f8e7d6c5b4a')).toBe('rejected Authorization: Bearer ***');
  });
});

describe('the Retry-After of a retried answer', () => {
  it('is read in seconds or as a date against the clock, and capped (lib/net has the full cases)', () => {
    expect(response(429, { retryAfter: ' 120 ' })).toMatchObject({ kind: 'retry', retryAfterMs: 120_000 });
    expect(response(503, { retryAfter: 'Wed, 12 Feb 2025 19:27:50 GMT' })).toMatchObject({ kind: 'retry', retryAfterMs: 2_000 });
    expect(response(429, { retryAfter: '3000000' })).toMatchObject({ kind: 'retry', retryAfterMs: MAX_RETRY_AFTER_MS });
    expect(response(429, { retryAfter: '-5' })).not.toHaveProperty('retryAfterMs');
  });
});

describe('excerpt', () => {
  it('collapses whitespace and cuts long bodies', () => {
    expect(excerpt('  a\n\n b\t c ')).toBe('a b c');
    const long = excerpt('y'.repeat(1000));
    expect(long).toBe('y'.repeat(EXCERPT_CHARS) + '...');
  });
});
