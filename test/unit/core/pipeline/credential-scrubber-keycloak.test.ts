import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { generateAdminEvent } from '../../../../devtools/generators/admin-event-generator.js';
import { createRandom } from '../../../../devtools/generators/random.js';
import { REMOVED, scrubCredentials, scrubUntrusted } from '../../../../lib/core/pipeline/credential-scrubber.js';

// Fixed so a failure replays; FC_SEED overrides it (fast-check prints the seed and path on failure).
const SEED = Number(process.env['FC_SEED'] ?? 20_261_204);

/**
 * The names Keycloak stores secrets under (docs/secrets-in-events.md), as words, so that every
 * spelling can be generated from them: `saml.signing.private.key`, `SAML_SIGNING_PRIVATE_KEY`,
 * `samlSigningPrivateKey` ...
 */
const SECRET_NAME_WORDS: ReadonlyArray<readonly string[]> = [
  ['password'], ['passwd'], ['pwd'], ['passphrase'], ['secret'], ['client', 'secret'], ['secret', 'data'],
  ['credential', 'data'], ['hashed', 'salted', 'value'], ['salt'], ['private', 'key'], ['bind', 'credential'],
  ['keystore', 'password'], ['key', 'password'], ['keystore'], ['api', 'key'], ['authorization'], ['credential'],
  ['registration', 'access', 'token'], ['access', 'token'], ['refresh', 'token'], ['id', 'token'], ['token'],
  ['auth', 'token', 'client', 'secret'], ['client', 'secret', 'rotated'], ['saml', 'signing', 'private', 'key'],
  ['saml', 'encryption', 'private', 'key'], ['new', 'password'], ['password', 'confirm'], ['private', 'key', 'pem'],
];

/** One spelling of a name: words joined by `.`, `_`, `-` or nothing, in lower, upper, camel or Pascal case. */
const spelledName = (words: fc.Arbitrary<readonly string[]>): fc.Arbitrary<string> =>
  fc
    .tuple(words, fc.constantFrom('', '_', '-', '.'), fc.constantFrom('lower', 'upper', 'camel', 'pascal'))
    .map(([parts, separator, casing]) =>
      parts
        .map((word, index) => {
          if (casing === 'upper') return word.toUpperCase();
          if (casing === 'pascal' || (casing === 'camel' && index > 0)) return word[0]!.toUpperCase() + word.slice(1);
          return word;
        })
        .join(separator),
    );
const secretName = spelledName(fc.constantFrom(...SECRET_NAME_WORDS));
const secretParameter = spelledName(fc.constantFrom(['client', 'secret'], ['access', 'token'], ['password'], ['code'], ['api', 'key'], ['id', 'token']));

/** A shape Keycloak (or its admin API's callers) puts a secret in; `secret` is the canary. */
type Shape = (secret: string) => unknown;

const shapes: fc.Arbitrary<Shape> = fc.oneof(
  // UserRepresentation.credentials: CredentialRepresentation objects, bare strings, or one object.
  fc.constantFrom('password', 'otp', 'secret', 'webauthn', 'kerberos').map((type): Shape => (secret) => ({
    username: 'bob', enabled: true, credentials: [{ type, value: secret, temporary: false }],
  })),
  fc.constant<Shape>((secret) => ({ username: 'bob', credentials: [secret] })),
  fc.constantFrom('credentials', 'Credentials', 'credential').map((key): Shape => (secret) => ({ [key]: { type: 'password', value: secret } })),
  fc.constant<Shape>((secret) => ({ credentials: [{ type: 'password', secretData: `{"value":"${secret}","salt":"x"}`, credentialData: '{}' }] })),
  // The reset-password and client-secret bodies.
  fc.constantFrom('password', 'secret', 'totp', 'Password').map((type): Shape => (secret) => ({ type, value: secret, temporary: true })),
  // ClientRepresentation: secret and its attributes (SAML keys, the rotated secret).
  secretName.map((attribute): Shape => (secret) => ({
    clientId: 'app', protocol: 'saml', attributes: { [attribute]: secret, 'saml.signing.certificate': 'MIIC-cert', 'saml.signature.algorithm': 'RSA_SHA256' },
  })),
  // ComponentRepresentation.config, a MultivaluedHashMap: every value is a list.
  secretName.map((key): Shape => (secret) => ({
    name: 'ldap', providerId: 'ldap', providerType: 'org.keycloak.storage.UserStorageProvider',
    config: { [key]: [secret], bindDn: ['cn=admin,dc=example,dc=org'], enabled: ['true'] },
  })),
  // IdentityProviderRepresentation.config and RealmRepresentation.smtpServer: maps of strings.
  secretName.map((key): Shape => (secret) => ({ alias: 'google', providerId: 'oidc', config: { clientId: 'kc', [key]: secret, syncMode: 'IMPORT' } })),
  secretName.map((key): Shape => (secret) => ({ realm: 'acme', smtpServer: { host: 'smtp.example.com', user: 'mailer', auth: 'true', [key]: secret } })),
  // Name/value pairs.
  fc.tuple(fc.constantFrom('name', 'key', 'Name', 'type', 'parameter'), secretName, fc.constantFrom('value', 'values', 'Value')).map(
    ([nameMember, name, valueMember]): Shape => (secret) => ({ [nameMember]: name, [valueMember]: valueMember === 'values' ? [secret] : secret }),
  ),
  // Secrets recognised by their form, under names that say nothing.
  fc.constant<Shape>((secret) => ({ note: `-----BEGIN RSA PRIVATE KEY-----\nMIIE${secret}\n-----END RSA PRIVATE KEY-----` })),
  fc.constant<Shape>((secret) => ({ note: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIi${secret}.c2lnbmF0dXJl` })),
  fc.constantFrom('Bearer', 'bearer', 'Basic', 'NTLM').map((scheme): Shape => (secret) => ({ header: `${scheme} ${secret}` })),
  fc.constant<Shape>((secret) => ({ url: `https://svc:${secret}@ldap.example.org:636/` })),
  secretParameter.map((parameter): Shape => (secret) => ({ redirectUri: `https://app.example.com/cb?state=s1&${parameter}=${secret}#x` })),
  secretParameter.map((parameter): Shape => (secret) => `grant_type=password&username=bob&${parameter}=${secret}`),
);

/** The shape as it is, or JSON-encoded into a string once or twice (`{"body": "{\"password\": ...}"}`). */
const encodings = fc.constantFrom(0, 1, 2);
function encode(value: unknown, times: number): unknown {
  let encoded = value;
  for (let i = 0; i < times; i += 1) encoded = JSON.stringify(encoded);
  return encoded;
}

/** Harmless surroundings: keys from an alphabet that spells no secret name. */
const plainKey = fc.stringMatching(/^[a-c]{1,5}$/);
const surroundings = fc.dictionary(plainKey, fc.oneof(fc.stringMatching(/^[a-c ]{0,6}$/), fc.integer(), fc.boolean()), { maxKeys: 3 });

function adminEvent(fields: Partial<AdminEvent>): AdminEvent {
  return {
    id: 'e-1', time: 1_795_000_000_000, realmId: 'realm-1',
    authDetails: { realmId: 'master', clientId: 'c-1', userId: 'admin-1', ipAddress: '198.51.100.4' },
    operationType: 'UPDATE', resourceType: 'CLIENT', resourcePath: 'clients/c-2', ...fields,
  };
}

/** Where in an admin event the secret-bearing value goes. */
type Placement = (value: unknown, around: Record<string, unknown>) => AdminEvent;
const adminPlacements: fc.Arbitrary<Placement> = fc.constantFrom<Placement>(
  (value, around) => adminEvent({ representation: JSON.stringify({ ...around, nested: [{ body: value }] }) }),
  (value) => adminEvent({ representation: JSON.stringify(value) }),
  (value) => adminEvent({ representation: JSON.stringify(JSON.stringify(value)) }),
  (value, around) => adminEvent({ details: { note: JSON.stringify({ ...around, value }) } }),
  (value) => ({ ...adminEvent({}), extra: { deeper: [value] } }) as AdminEvent,
  (value) => adminEvent({ authDetails: { realmId: 'master', extra: value } as AdminEvent['authDetails'] }),
);

const nonce = fc.stringMatching(/^[0-9A-Z]{12}$/);

describe('scrubCredentials on Keycloak-like events (property)', () => {
  it('leaves no canary in an admin event, whatever the shape, spelling, encoding and place of its secrets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(shapes, encodings), { minLength: 1, maxLength: 3 }), adminPlacements, surroundings, nonce, (planted, place, around, id) => {
        const canaries = planted.map((_, index) => `CANARY${index}x${id}`);
        const value = planted.map(([shape, times], index) => encode(shape(canaries[index]!), times));
        const scrubbed = scrubCredentials(place(value, around));
        const text = JSON.stringify(scrubbed);
        for (const canary of canaries) expect(text).not.toContain(canary);
        expect(scrubCredentials(scrubbed)).toBe(scrubbed);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('leaves no canary in the details of a user event, nor in a rejected element', () => {
    const userDetails: fc.Arbitrary<(secret: string) => Record<string, string>> = fc.oneof(
      secretName.map((key) => (secret: string) => ({ auth_method: 'openid-connect', [key]: secret })),
      fc.tuple(shapes, encodings).map(([shape, times]) => (secret: string) => ({ reason: String(encode(shape(secret), Math.max(times, 1))) })),
      secretParameter.map((parameter) => (secret: string) => ({ redirect_uri: `https://app.example.com/cb?${parameter}=${secret}` })),
    );
    fc.assert(
      fc.property(userDetails, nonce, (details, id) => {
        const canary = `CANARY${id}`;
        const event: UserEvent = { id: 'u-1', time: 1, type: 'LOGIN_ERROR', realmId: 'r', clientId: 'app', details: details(canary) };
        expect(JSON.stringify(scrubCredentials(event))).not.toContain(canary);
        expect(JSON.stringify(scrubUntrusted({ ...event, time: 'not a number' }))).not.toContain(canary);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('scrubCredentials keeps what holds no secret', () => {
  it('returns the very same event for a realm, a client, a component and user-event details full of look-alike names', () => {
    const realm = {
      realm: 'acme', passwordPolicy: 'length(12) and notUsername', resetPasswordAllowed: true, accessTokenLifespan: 300,
      actionTokenGeneratedByUserLifespan: 300, resetCredentialsFlow: 'reset credentials', otpPolicyType: 'totp',
      smtpServer: { host: 'smtp.example.com', user: 'mailer', password: '**********', authTokenClientSecret: '${vault.smtp}' },
      requiredActions: [{ alias: 'UPDATE_PASSWORD', name: 'Update Password', enabled: true }],
    };
    const client = {
      clientId: 'app', clientAuthenticatorType: 'client-secret', secret: '**********', authorizationServicesEnabled: true,
      attributes: {
        'saml.signing.certificate': 'MIIC-cert', 'client.secret.creation.time': '1795000000', 'use.refresh.tokens': 'true',
        'client_credentials.use_refresh_token': 'false', 'tls.client.certificate.bound.access.tokens': 'false', 'jwt.credential.certificate': 'MIIC-jwt',
      },
      protocolMappers: [{ name: 'email', protocolMapper: 'oidc-usermodel-property-mapper', config: { 'user.attribute': 'email' } }],
    };
    const component = {
      providerId: 'hmac-generated', config: { secretSize: ['64'], priority: ['100'], kid: ['k-1'], algorithm: ['HS512'], certificate: ['MIIC'] },
      subComponents: {}, ldap: { allowPasswordAuthentication: ['true'], validatePasswordPolicy: ['false'], usePasswordModifyExtendedOp: ['true'] },
    };
    for (const body of [realm, client, component, { name: 'email', type: 'string', value: 'visible' }]) {
      const event = adminEvent({ representation: JSON.stringify(body) });
      expect(scrubCredentials(event)).toBe(event);
    }
    const login: UserEvent = {
      id: 'u-1', time: 1, type: 'CODE_TO_TOKEN', realmId: 'r', clientId: 'app',
      details: {
        token_id: 't-1', refresh_token_id: 'r-1', refresh_token_type: 'Refresh', grant_type: 'authorization_code', code_id: 's-1',
        client_auth_method: 'client-secret', credential_type: 'password', auth_method: 'validate_access_token', scope: 'openid email',
        redirect_uri: 'https://app.example.com/cb?state=abc&session_state=x', reason: 'Basic authentication failed',
      },
    };
    expect(scrubCredentials(login)).toBe(login);
  });

  it('keeps numbers and booleans under secret names, and the shape of what it removes', () => {
    const event = adminEvent({ representation: JSON.stringify({ config: { password: ['p', 7, true, null] }, token: 3, secret: false }) });
    expect(JSON.parse(scrubCredentials(event).representation!)).toEqual({ config: { password: [REMOVED, 7, true, null] }, token: 3, secret: false });
  });
});

describe('scrubCredentials on the simulator\'s admin events that carry secrets', () => {
  const generated = (operation: Parameters<typeof generateAdminEvent>[1]['operation']) => {
    const event = generateAdminEvent(createRandom(5), { realmId: 'realm-1', time: 1, operation });
    return { event, body: JSON.parse(event.representation!) as Record<string, Record<string, string>>, scrubbed: scrubCredentials(event) };
  };

  it('removes the SAML private keys of a client and keeps its certificate and flags', () => {
    const { body, scrubbed } = generated('update-saml-client');
    const text = JSON.stringify(scrubbed);
    expect(text).not.toContain(body['attributes']!['saml.signing.private.key']);
    expect(text).not.toContain(body['attributes']!['saml.encryption.private.key']);
    expect(JSON.parse(scrubbed.representation!).attributes).toMatchObject({
      'saml.signing.certificate': body['attributes']!['saml.signing.certificate'], 'client_credentials.use_refresh_token': 'false',
    });
  });

  it('removes an invalidated rotated secret and a reCAPTCHA secret key, keeping the public site key', () => {
    const rotated = generated('invalidate-rotated-secret');
    expect(JSON.stringify(rotated.scrubbed)).not.toContain(String(rotated.body['value']));
    const recaptcha = generated('create-recaptcha-config');
    expect(JSON.stringify(recaptcha.scrubbed)).not.toContain(recaptcha.body['config']!['secret.key']);
    expect(JSON.parse(recaptcha.scrubbed.representation!).config['site.key']).toBe(recaptcha.body['config']!['site.key']);
  });

  it('leaves an LDAP provider whose bindCredential Keycloak masked as it is', () => {
    const { event, scrubbed } = generated('create-ldap-provider');
    expect(scrubbed).toBe(event);
  });
});
