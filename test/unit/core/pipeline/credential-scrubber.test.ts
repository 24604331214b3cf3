import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdminEvent } from '../../../../lib/core/events/event-schemas.js';
import { MAX_JSON_LAYERS, MAX_SCRUB_VALUES, REMOVED, REMOVED_NOT_JSON, isCredentialKey, removedTooDeep, removedTooLarge, scrubCredentials } from '../../../../lib/core/pipeline/credential-scrubber.js';
import { MAX_EVENT_DEPTH } from '../../../../lib/sources/mpas/page-limits.js';

function adminEvent(representation: unknown, overrides: Partial<AdminEvent> = {}): AdminEvent {
  return {
    time: 1739388468633,
    realmId: 'realm-1',
    authDetails: { realmId: 'master', clientId: 'c-1', userId: 'admin-1', ipAddress: '198.51.100.4' },
    operationType: 'CREATE',
    resourceType: 'USER',
    resourcePath: 'users/u-1',
    representation: typeof representation === 'string' ? representation : JSON.stringify(representation),
    ...overrides,
  };
}

function scrubbedRepresentation(representation: unknown): unknown {
  const text = scrubCredentials(adminEvent(representation)).representation;
  return JSON.parse(text ?? 'null');
}

describe('scrubCredentials', () => {
  it('removes the plaintext password of a created user (credentials array)', () => {
    const user = {
      username: 'bob',
      enabled: true,
      credentials: [{ type: 'password', value: 'Hunter2!', temporary: false }],
    };
    expect(scrubbedRepresentation(user)).toEqual({
      username: 'bob',
      enabled: true,
      credentials: [{ type: 'password', value: REMOVED, temporary: false }],
    });
  });

  it('removes the value of any credentials array element, whatever its type says', () => {
    const user = { credentials: [{ type: 'webauthn-custom', value: 'opaque-1' }, { value: 'opaque-2' }] };
    expect(scrubbedRepresentation(user)).toEqual({ credentials: [{ type: 'webauthn-custom', value: REMOVED }, { value: REMOVED }] });
  });

  it.each(['password', 'secret', 'otp', 'TOTP', 'hotp'])('removes value from an object of type %s (reset-password body)', (type) => {
    expect(scrubbedRepresentation({ type, value: 'plain-text', temporary: true })).toEqual({ type, value: REMOVED, temporary: true });
  });

  it('keeps value in an object whose type is not a credential type', () => {
    const mapper = { name: 'email', type: 'string', value: 'visible' };
    const event = adminEvent(mapper);
    expect(scrubCredentials(event)).toBe(event);
  });

  it.each([
    'password',
    'PASSWORD',
    'newPassword',
    'secret',
    'clientSecret',
    'client_secret',
    'secretData',
    'credentialData',
    'privateKey',
    'private_key',
    'token',
    'accessToken',
    'refreshToken',
    'registrationAccessToken',
    'hashedSaltedValue',
    'salt',
    'bindCredential',
  ])('removes a member named %s at any depth', (key) => {
    const representation = { outer: [{ config: { [key]: 'sensitive-value', keep: 'visible' } }] };
    expect(scrubbedRepresentation(representation)).toEqual({ outer: [{ config: { [key]: REMOVED, keep: 'visible' } }] });
  });

  it('removes every string in the list of a secret-named member, keeping its shape (component config privateKey)', () => {
    const component = { providerId: 'rsa', config: { privateKey: ['-----BEGIN PRIVATE KEY-----abc'], certificate: ['MIIC...'], secret: { a: ['x', 2, true] } } };
    expect(scrubbedRepresentation(component)).toEqual({
      providerId: 'rsa',
      config: { privateKey: [REMOVED], certificate: ['MIIC...'], secret: { a: [REMOVED, 2, true] } },
    });
  });

  it('keeps booleans, nulls and look-alike names that hold no secret', () => {
    const realm = { resetPasswordAllowed: true, secret: null, accessTokenLifespan: 300, token_id: 't-1', tokenLifespan: 60 };
    const event = adminEvent(realm);
    expect(scrubCredentials(event)).toBe(event);
  });

  it('re-serializes compactly and keeps everything else', () => {
    const event = adminEvent('{ "username" : "bob",\n  "password": "x", "n": [1, 2] }');
    expect(scrubCredentials(event).representation).toBe('{"username":"bob","password":"<removed>","n":[1,2]}');
  });

  it('replaces a representation that is not JSON wholly', () => {
    const event = adminEvent('username=bob&password=Hunter2');
    const scrubbed = scrubCredentials(event);
    expect(scrubbed.representation).toBe(REMOVED_NOT_JSON);
    expect(event.representation).toBe('username=bob&password=Hunter2');
  });

  it('returns the very same event when nothing was found', () => {
    for (const event of [
      adminEvent({ username: 'bob' }),
      adminEvent('', {}),
      adminEvent(null, { representation: null }),
      adminEvent(undefined, { representation: undefined }),
    ]) {
      expect(scrubCredentials(event)).toBe(event);
    }
  });

  it('scrubs details values whose keys name credentials, and never adds absent members', () => {
    const event = adminEvent({ username: 'bob' }, { details: { client_secret: 's3cr3t', grant_type: 'password', note: 'x' } });
    delete event.representation;
    const scrubbed = scrubCredentials(event);
    expect(scrubbed.details).toEqual({ client_secret: REMOVED, grant_type: 'password', note: 'x' });
    expect(Object.hasOwn(scrubbed, 'representation')).toBe(false);
    expect(event.details?.['client_secret']).toBe('s3cr3t');
  });

  it('does not mutate its input and is idempotent', () => {
    const event = Object.freeze(adminEvent({ a: { password: 'p' } }, { details: Object.freeze({ secret: 's' }) }));
    const once = scrubCredentials(event);
    expect(event.representation).toBe('{"a":{"password":"p"}}');
    expect(scrubCredentials(once)).toBe(once);
  });

  it('keeps a JSON member named __proto__ as data', () => {
    const event = adminEvent('{"__proto__":{"password":"p"},"x":1}');
    expect(scrubCredentials(event).representation).toBe('{"__proto__":{"password":"<removed>"},"x":1}');
  });

  it('recognizes credential keys case- and separator-insensitively', () => {
    expect(isCredentialKey('Client-Secret')).toBe(true);
    expect(isCredentialKey('ID_TOKEN')).toBe(true);
    expect(isCredentialKey('username')).toBe(false);
    expect(isCredentialKey('tokenLifespan')).toBe(false);
  });
});

// Keys from an alphabet that cannot spell a credential name, so only planted members are secret.
const plainKey = fc.stringMatching(/^[a-c]{1,6}$/);
const plainLeaf = fc.oneof(fc.stringMatching(/^[a-c ]{0,8}$/), fc.integer(), fc.boolean(), fc.constant(null));
const plainJson = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    plainLeaf,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(plainKey, tie('node'), { maxKeys: 4 }),
  ),
})).node;

type Plant = (secret: string) => unknown;
const plantKinds: fc.Arbitrary<Plant> = fc.oneof(
  fc.constantFrom('password', 'Password', 'client_secret', 'clientSecret', 'secretData', 'accessToken', 'salt', 'privateKey').map(
    (key): Plant => (secret) => ({ [key]: secret }),
  ),
  fc.constantFrom('password', 'otp', 'totp', 'hotp', 'secret').map((type): Plant => (secret) => ({ type, value: secret })),
  fc.constant<Plant>((secret) => ({ credentials: [{ value: secret }] })),
  fc.constant<Plant>((secret) => ({ config: { bindCredential: [secret] } })),
);

/**
 * Puts `planted` somewhere in `tree`, guided by `choices` (a path of random numbers): it descends
 * into objects and arrays and adds the plant as a new member `slot`, never overwriting one (an
 * earlier plant must keep its shape).
 */
function plantInto(tree: unknown, planted: unknown, choices: number[], slot: string): unknown {
  const [choice, ...rest] = choices;
  if (Array.isArray(tree)) {
    const index = choice === undefined || tree.length === 0 ? -1 : choice % tree.length;
    const target: unknown = tree[index];
    if (index < 0 || target === null || typeof target !== 'object') return [...tree, planted];
    return tree.map((item, i) => (i === index ? plantInto(item, planted, rest, slot) : item));
  }
  if (tree === null || typeof tree !== 'object') return { [slot]: planted };
  const record = tree as Record<string, unknown>;
  const keys = Object.keys(record);
  const key = choice === undefined || keys.length === 0 ? undefined : keys[choice % keys.length];
  const target = key === undefined ? undefined : record[key];
  if (key === undefined || target === null || typeof target !== 'object') return { ...record, [slot]: planted };
  return { ...record, [key]: plantInto(target, planted, rest, slot) };
}

describe('scrubCredentials (property)', () => {
  it('never lets a planted credential through, wherever it sits', () => {
    fc.assert(
      fc.property(
        plainJson,
        fc.array(plantKinds, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.stringMatching(/^[0-9A-F]{12}$/),
        (tree, plants, path, nonce) => {
          let representation: unknown = tree;
          const secrets = plants.map((plant, i) => {
            const secret = `PLANTED${i}x${nonce}`;
            representation = plantInto(representation, plant(secret), path.slice(i), `p${i}`);
            return secret;
          });
          const scrubbed = scrubCredentials(adminEvent(representation));
          const text = JSON.stringify(scrubbed);
          for (const secret of secrets) expect(text, 'set FC_SEED to replay').not.toContain(secret);
        },
      ),
      { seed: Number(process.env['FC_SEED'] ?? 20250212), numRuns: 500 },
    );
  });
});

describe('scrubCredentials bounds', () => {
  it('walks an event nesting 100,000 levels without recursion, removing what lies deeper than the limit', () => {
    let deep: unknown = { password: 'deepest-secret' };
    for (let level = 0; level < 100_000; level += 1) deep = { level: [deep] };
    const event = { ...adminEvent({ username: 'bob' }), extra: deep } as AdminEvent;
    const scrubbed = scrubCredentials(event) as unknown as Record<string, unknown>;
    let node: unknown = scrubbed['extra'];
    let levels = 1;
    while (node !== null && typeof node === 'object') {
      node = Array.isArray(node) ? node[0] : (node as Record<string, unknown>)['level'];
      levels += 1;
    }
    expect(node).toBe(`<removed: nests more than ${MAX_EVENT_DEPTH} levels>`);
    expect(levels).toBeLessThanOrEqual(MAX_EVENT_DEPTH + 1);
    expect(JSON.stringify(scrubbed)).not.toContain('deepest-secret');
  });

  it('replaces JSON nesting 100,000 levels in any string by its depth, without parsing it', () => {
    const text = `${'['.repeat(100_000)}"secret-in-depth"${']'.repeat(100_000)}`;
    const scrubbed = scrubCredentials(adminEvent({ username: 'bob' }, { details: { note: text } }));
    expect(scrubbed.details?.['note']).toBe(removedTooDeep(100_000));
  });

  it(`removes JSON encoded into text more than ${MAX_JSON_LAYERS} times, and unwraps it up to that`, () => {
    const encoded = (times: number): string => {
      let value: unknown = { password: 'layered-secret' };
      for (let i = 0; i < times; i += 1) value = JSON.stringify(value);
      return value as string;
    };
    const within = scrubCredentials(adminEvent({ username: 'bob' }, { details: { note: encoded(MAX_JSON_LAYERS) } }));
    expect(JSON.stringify(within)).not.toContain('layered-secret');
    expect(JSON.stringify(within)).toContain('password');
    const beyond = scrubCredentials(adminEvent({ username: 'bob' }, { details: { note: encoded(MAX_JSON_LAYERS + 1) } }));
    expect(beyond.details?.['note']).toBe(`<removed: JSON encoded in text more than ${MAX_JSON_LAYERS} times>`);
  });

  it(`replaces a representation holding more than ${MAX_SCRUB_VALUES} values by a note, never passing it on`, () => {
    const values = Array.from({ length: MAX_SCRUB_VALUES }, () => 0);
    const event = adminEvent([...values, { password: 'late-secret' }]);
    expect(scrubCredentials(event).representation).toBe(removedTooLarge());
    // The array's elements, the object and its member: exactly the limit.
    const fits = adminEvent([...values.slice(2), { password: 'late-secret' }]);
    expect(scrubCredentials(fits).representation).toContain(`{"password":"${REMOVED}"}`);
  });
});
