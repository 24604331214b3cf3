import { describe, expect, it } from 'vitest';
import { hideTokenLike } from '../../../lib/net/token-like.js';

describe('hideTokenLike', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIiOiIx.c2ln rejected', 'Authorization: Bearer *** rejected'],
    ['Basic dXNlcjpwYXNzd29yZDEy', 'Basic ***'],
    ['Splunk 1b4e28ba-2fa1-11d2-883f-0016d3cca427 is not valid', 'Splunk *** is not valid'],
    ['api_key=abcd1234&x=1', 'api_key=***&x=1'],
    ['{"error":"invalid_grant","access_token":"xyz"}', '{"error":"invalid_grant","access_token":"***"}'],
    ["client_secret: 's3cr3t-value'", "client_secret: '***'"],
    ['token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig here', 'token *** here'],
    ['key AbCdEf0123456789AbCdEf0123456789zz end', 'key *** end'],
  ])('hides %s', (text, hidden) => {
    expect(hideTokenLike(text)).toBe(hidden);
  });

  it.each([
    '{"text":"Invalid token","code":4}',
    'Basic authentication failed',
    'document 26ef7d3a-256b-456d-a869-f50144141660: version conflict',
    'HTTP 503 Service Unavailable',
  ])('leaves prose and event ids alone: %s', (text) => {
    expect(hideTokenLike(text)).toBe(text);
  });
});
