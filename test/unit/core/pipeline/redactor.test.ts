import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import {
  DEFAULT_ADMIN_REDACTED_FIELDS,
  DEFAULT_USER_REDACTED_FIELDS,
  HASH_PREFIX,
  REDACTED,
  RedactionConfigError,
  createRedactor,
} from '../../../../lib/core/pipeline/redactor.js';
import type { RedactionOptions } from '../../../../lib/core/pipeline/redactor.js';

function userEvent(overrides: Partial<UserEvent> = {}): UserEvent {
  return {
    time: 1739388470156,
    type: 'LOGIN',
    realmId: 'realm-1',
    clientId: 'admin-cli',
    userId: 'user-1',
    ipAddress: '203.0.113.7',
    details: { auth_method: 'openid-connect', username: 'alice@example.com' },
    ...overrides,
  };
}

function adminEvent(overrides: Partial<AdminEvent> = {}): AdminEvent {
  return {
    time: 1739388468633,
    realmId: 'realm-1',
    authDetails: { realmId: 'master', clientId: 'c-1', userId: 'admin-1', ipAddress: '198.51.100.4' },
    operationType: 'UPDATE',
    resourceType: 'USER',
    resourcePath: 'users/u-1',
    representation: '{"email":"bob@example.com"}',
    ...overrides,
  };
}

function defaults(overrides: Partial<RedactionOptions> = {}): RedactionOptions {
  return {
    mode: 'mask',
    userFields: DEFAULT_USER_REDACTED_FIELDS,
    adminFields: DEFAULT_ADMIN_REDACTED_FIELDS,
    ...overrides,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

describe('createRedactor', () => {
  it('masks the default user fields with the literal <redacted>', () => {
    const redacted = createRedactor(defaults())(userEvent(), 'user') as UserEvent;
    expect(redacted.ipAddress).toBe(REDACTED);
    expect(redacted.details).toEqual({ auth_method: 'openid-connect', username: REDACTED });
    expect(redacted.userId).toBe('user-1');
  });

  it('masks the default admin fields, nested authDetails.ipAddress included', () => {
    const redacted = createRedactor(defaults())(adminEvent(), 'admin') as AdminEvent;
    expect(redacted.authDetails).toEqual({ realmId: 'master', clientId: 'c-1', userId: 'admin-1', ipAddress: REDACTED });
    expect(redacted.representation).toBe(REDACTED);
    expect(redacted.resourcePath).toBe('users/u-1');
  });

  it('applies the user paths to user events and the admin paths to admin events only', () => {
    const redact = createRedactor(defaults({ userFields: ['userId'], adminFields: ['resourcePath'] }));
    expect((redact(userEvent(), 'user') as UserEvent).userId).toBe(REDACTED);
    expect((redact(userEvent(), 'user') as UserEvent).ipAddress).toBe('203.0.113.7');
    expect((redact(adminEvent(), 'admin') as AdminEvent).resourcePath).toBe(REDACTED);
    expect((redact(adminEvent(), 'admin') as AdminEvent).representation).toBe('{"email":"bob@example.com"}');
  });

  it('removes the fields in remove mode, leaving their parents in place', () => {
    const redact = createRedactor(defaults({ mode: 'remove' }));
    const user = redact(userEvent(), 'user') as UserEvent;
    expect(Object.hasOwn(user, 'ipAddress')).toBe(false);
    expect(user.details).toEqual({ auth_method: 'openid-connect' });
    const admin = redact(adminEvent(), 'admin') as AdminEvent;
    expect(Object.hasOwn(admin, 'representation')).toBe(false);
    expect(admin.authDetails).toEqual({ realmId: 'master', clientId: 'c-1', userId: 'admin-1' });
  });

  it('hashes with a keyed HMAC-SHA256 rendered as hmac-sha256:<base64url>', () => {
    const redact = createRedactor(defaults({ mode: 'hash', hashKey: 'k'.repeat(32) }));
    const user = redact(userEvent(), 'user') as UserEvent;
    expect(user.ipAddress).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    expect(user.details?.['username']).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    expect(user.ipAddress).not.toBe(user.details?.['username']);
  });

  it('hashes exactly as HMAC-SHA256 over the value text does', () => {
    const key = 'reference-key-0001';
    const user = createRedactor(defaults({ mode: 'hash', hashKey: key }))(userEvent(), 'user') as UserEvent;
    expect(user.ipAddress).toBe(HASH_PREFIX + createHmac('sha256', key).update('203.0.113.7').digest('base64url'));
  });

  it('keeps hashing correctly past its memo size, with many distinct values', () => {
    const key = 'memo-key-00000001';
    const redact = createRedactor(defaults({ mode: 'hash', hashKey: key }));
    for (let i = 0; i < 12_000; i += 1) redact(userEvent({ ipAddress: `ip-${i}` }), 'user');
    // ip-5 was memoized, then dropped when the memo filled up: hashed again, the same.
    const again = redact(userEvent({ ipAddress: 'ip-5' }), 'user') as UserEvent;
    expect(again.ipAddress).toBe(HASH_PREFIX + createHmac('sha256', key).update('ip-5').digest('base64url'));
  });

  it('hashes the same value to the same text, so a SIEM can correlate one user', () => {
    const options = defaults({ mode: 'hash', hashKey: 'correlation-key-0001' });
    const first = createRedactor(options)(userEvent(), 'user') as UserEvent;
    const second = createRedactor(options)(userEvent({ time: 1, type: 'LOGOUT' }), 'user') as UserEvent;
    expect(first.ipAddress).toBe(second.ipAddress);
    expect(first.details?.['username']).toBe(second.details?.['username']);
  });

  it('hashes differently under a different key', () => {
    const one = createRedactor(defaults({ mode: 'hash', hashKey: 'first-key-0000001' }))(userEvent(), 'user') as UserEvent;
    const two = createRedactor(defaults({ mode: 'hash', hashKey: 'second-key-000002' }))(userEvent(), 'user') as UserEvent;
    expect(one.ipAddress).not.toBe(two.ipAddress);
    expect(one.ipAddress?.startsWith(HASH_PREFIX)).toBe(true);
  });

  it('hashes an object value by its canonical JSON, whatever its key order', () => {
    const redact = createRedactor(defaults({ mode: 'hash', hashKey: 'object-key-000001', adminFields: ['authDetails'] }));
    const a = redact(adminEvent({ authDetails: { userId: 'u', ipAddress: 'i' } }), 'admin') as AdminEvent;
    const b = redact(adminEvent({ authDetails: { ipAddress: 'i', userId: 'u' } }), 'admin') as AdminEvent;
    expect(a.authDetails).toBe(b.authDetails);
    expect(typeof a.authDetails).toBe('string');
  });

  it.each(['mask', 'remove', 'hash'] as const)('never adds a field that was absent, in %s mode', (mode) => {
    const redact = createRedactor(defaults({ mode, hashKey: 'absent-key-000001' }));
    const event = userEvent({ details: { auth_method: 'otp' } });
    delete event.ipAddress;
    const redacted = redact(event, 'user') as UserEvent;
    expect(Object.hasOwn(redacted, 'ipAddress')).toBe(false);
    expect(redacted.details).toEqual({ auth_method: 'otp' });
    expect(redacted).toBe(event);
  });

  it.each(['mask', 'remove', 'hash'] as const)('keeps null as null, in %s mode', (mode) => {
    const redact = createRedactor(defaults({ mode, hashKey: 'null-key-00000001' }));
    const event = userEvent({ ipAddress: null, details: null });
    expect(redact(event, 'user')).toEqual(event);
    const admin = adminEvent({ authDetails: null, representation: null });
    expect(redact(admin, 'admin')).toEqual(admin);
  });

  it('does not descend into a value that is not an object', () => {
    const redact = createRedactor(defaults({ adminFields: ['resourcePath.inner', 'authDetails.ipAddress.deeper'] }));
    const event = adminEvent();
    expect(redact(event, 'admin')).toBe(event);
  });

  it('redacts deep paths and copies only the objects on them', () => {
    const shared = { keep: 'me' };
    const event = { ...userEvent(), nested: { a: { b: 'secret', c: 1 }, shared }, other: { x: 1 } } as UserEvent;
    const redacted = createRedactor(defaults({ userFields: ['nested.a.b'] }))(event, 'user') as unknown as { nested: { a: unknown; shared: unknown }; other: unknown; details: unknown };
    expect(redacted.nested.a).toEqual({ b: REDACTED, c: 1 });
    expect(redacted.nested.shared).toBe(shared);
    expect(redacted.other).toBe((event as Record<string, unknown>)['other']);
    expect(redacted.details).toBe(event.details);
  });

  it('redacts a whole subtree when both a path and a longer path under it are listed', () => {
    const redact = createRedactor(defaults({ userFields: ['details.username', 'details'] }));
    expect((redact(userEvent(), 'user') as UserEvent).details).toBe(REDACTED);
  });

  it.each(['mask', 'remove', 'hash'] as const)('never mutates its input, in %s mode', (mode) => {
    const redact = createRedactor(defaults({ mode, hashKey: 'mutation-key-0001' }));
    const user = deepFreeze(userEvent());
    const before = JSON.stringify(user);
    redact(user, 'user');
    expect(JSON.stringify(user)).toBe(before);
    const admin = deepFreeze(adminEvent());
    const adminBefore = JSON.stringify(admin);
    redact(admin, 'admin');
    expect(JSON.stringify(admin)).toBe(adminBefore);
  });

  it('returns the same event when no listed field is present', () => {
    const event = userEvent();
    expect(createRedactor(defaults({ userFields: [] }))(event, 'user')).toBe(event);
  });

  it('refuses hash mode without a key, naming the setting', () => {
    expect(() => createRedactor(defaults({ mode: 'hash' }))).toThrow(RedactionConfigError);
    expect(() => createRedactor(defaults({ mode: 'hash', hashKey: '' }))).toThrow(/redaction\.hashKey: is required/);
  });

  it('refuses an unknown mode and malformed paths, naming the setting', () => {
    expect(() => createRedactor(defaults({ mode: 'blur' as 'mask' }))).toThrow(/redaction\.mode: must be mask, remove or hash, got "blur"/);
    expect(() => createRedactor(defaults({ userFields: ['ipAddress', 'details..username'] }))).toThrow(
      /redaction\.userFields\[1\]: "details\.\.username" is not a dotted field path/,
    );
    expect(() => createRedactor(defaults({ adminFields: ['__proto__.polluted'] }))).toThrow(/adminFields\[0\].*reserved name "__proto__"/);
    try {
      createRedactor(defaults({ adminFields: [''] }));
      expect.unreachable('an empty path must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(RedactionConfigError);
      expect((error as RedactionConfigError).setting).toBe('adminFields[0]');
    }
  });
});
