import { describe, expect, it } from 'vitest';
import { noResponseKind } from '../../../lib/aws/forward-metrics.js';
import { unreachableKind } from '../../../lib/aws/poll-metrics.js';

describe('the status dimension of a failure without a response', () => {
  it.each([
    ['timeout: no complete response within 300 ms', 'timeout'],
    ['connection error ECONNREFUSED: connection refused by 10.0.0.5:443', 'ECONNREFUSED'],
    ['connection error DEPTH_ZERO_SELF_SIGNED_CERT: TLS certificate rejected (self-signed certificate)', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['connection error: socket hang up', 'none'],
  ])('SIEM: %s -> %s', (reason, kind) => {
    expect(noResponseKind(reason)).toBe(kind);
  });

  it.each([
    ['a timeout (no complete response within 10000 ms)', 'timeout'],
    ['a connection failure (CERT_HAS_EXPIRED: TLS certificate rejected (certificate has expired))', 'CERT_HAS_EXPIRED'],
    ['a connection failure (other side closed)', 'unreachable'],
    [undefined, 'unreachable'],
  ])('MPAS: %s -> %s', (lastFailure, kind) => {
    expect(unreachableKind(lastFailure)).toBe(kind);
  });
});
