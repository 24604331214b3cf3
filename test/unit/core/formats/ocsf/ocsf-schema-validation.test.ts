import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdminEvent, MpasEvent, Stream, UserEvent } from '../../../../../lib/core/events/event-schemas.js';
import { toOcsfEvent } from '../../../../../lib/core/formats/ocsf/ocsf-event.js';
import { OCSF_CLASSES } from '../../../../../lib/core/formats/ocsf/ocsf-classes.js';
import { OCSF_VERSION, OCSF_VERSIONS } from '../../../../../lib/core/formats/ocsf/ocsf-version.js';
import type { OcsfVersion } from '../../../../../lib/core/formats/ocsf/ocsf-version.js';
import { ADMIN_OPERATIONS, ADMIN_RESOURCE_CATALOG, knownUserEventTypes } from '../../../../../lib/core/pipeline/event-catalog.js';
import { createRedactor } from '../../../../../lib/core/pipeline/redactor.js';
import { OCSF_SCHEMA_SOURCE, ocsfProblems, ocsfSchemaSource } from '../../../../support/ocsf-validator.js';

// Fixed, so a failure reproduces; fast-check prints it with the counterexample.
const SEED = 20260312;
const RUNS = 400;
const PRODUCT = { version: '0.1.0' };
const TIME = 1_739_388_468_633;

function ocsfOf(event: MpasEvent, stream: Stream, ocsfVersion: OcsfVersion = OCSF_VERSION) {
  return toOcsfEvent(event, { tenant: 'acme-tenant', realm: 'acme', stream }, { ...PRODUCT, ocsfVersion });
}

describe('OCSF events against the JSON Schemas of their classes', () => {
  it('uses schemas generated from the release the format declares, one per class it writes', () => {
    expect(OCSF_SCHEMA_SOURCE.version).toBe(OCSF_VERSION);
    expect(OCSF_SCHEMA_SOURCE.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(OCSF_SCHEMA_SOURCE.classes).map(Number).sort()).toEqual([...OCSF_CLASSES.keys()].sort());
  });

  it('refuses what the schema refuses: a wrong enum value, an attribute it lacks, a non-IP ip, a missing required object', () => {
    const login = ocsfOf({ id: 'e-1', time: TIME, type: 'LOGIN', userId: 'u-1', ipAddress: '10.0.0.1' }, 'user');
    expect(ocsfProblems(login)).toEqual([]);
    expect(ocsfProblems({ ...login, severity_id: 7 }).join()).toMatch(/severity_id/);
    expect(ocsfProblems({ ...login, type_uid: 300250 }).join()).toMatch(/type_uid/);
    expect(ocsfProblems({ ...login, realm: 'acme' }).join()).toMatch(/additional properties/);
    expect(ocsfProblems({ ...login, src_endpoint: { ip: '<redacted>' } }).join()).toMatch(/src_endpoint\/ip/);
    const { user: _user, ...withoutUser } = login;
    expect(ocsfProblems(withoutUser as typeof login).join()).toMatch(/required property 'user'/);
    expect(ocsfProblems({ ...login, user: {} }).join()).toMatch(/\/user must match a schema in anyOf/);
  });

});

describe.each(OCSF_VERSIONS)('OCSF %s events of the catalog against the JSON Schemas of their classes', (version) => {
  it('uses schemas generated from that release', () => {
    expect(ocsfSchemaSource(version).version).toBe(version);
    expect(Object.keys(ocsfSchemaSource(version).classes).map(Number).sort()).toEqual([...OCSF_CLASSES.keys()].sort());
  });

  it('validates every user event type of the catalog, success and failure, with and without its fields', () => {
    for (const type of knownUserEventTypes()) {
      const full: UserEvent = {
        id: `id-${type}`,
        time: TIME,
        type,
        realmId: 'realm-id',
        clientId: 'account-console',
        userId: 'u-1',
        sessionId: 's-1',
        ipAddress: '2001:db8::1',
        error: type.endsWith('_ERROR') ? 'invalid_user_credentials' : null,
        details: { username: 'alice', auth_method: 'openid-connect', impersonator: 'admin', impersonator_id: 'a-1', redirect_uri: 'https://app.example/cb' },
      };
      for (const event of [full, { time: TIME, type }]) {
        const ocsf = ocsfOf(event, 'user', version);
        expect(ocsfProblems(ocsf, version), `${type} ${JSON.stringify(ocsf)}`).toEqual([]);
        expect(ocsf.metadata['version']).toBe(version);
        expect(ocsf.class_uid, type).not.toBe(6003);
      }
    }
  });

  it('validates every admin operation on every resource type of the catalog, with and without its fields', () => {
    for (const resourceType of Object.keys(ADMIN_RESOURCE_CATALOG)) {
      for (const operationType of Object.keys(ADMIN_OPERATIONS)) {
        const full: AdminEvent = {
          id: `id-${operationType}-${resourceType}`,
          time: TIME,
          realmId: 'realm-id',
          authDetails: { realmId: 'master', clientId: 'security-admin-console', userId: 'admin-1', ipAddress: '192.0.2.7' },
          operationType,
          resourceType,
          resourcePath: 'users/u-1/groups/g-1',
          representation: JSON.stringify([{ id: 'r-1', name: 'offline_access' }]),
          error: 'unknown_error',
        };
        for (const event of [full, { time: TIME, operationType, resourceType }, { ...full, resourcePath: 'groups/g-1/role-mappings/realm' }]) {
          const ocsf = ocsfOf(event, 'admin', version);
          expect(ocsfProblems(ocsf, version), `${operationType} ${resourceType} ${JSON.stringify(ocsf)}`).toEqual([]);
          expect(ocsf.metadata['version']).toBe(version);
          expect(ocsf.class_uid, `${operationType} ${resourceType}`).not.toBe(6003);
        }
      }
    }
  });
});

// Event arbitraries: the catalog's types mixed with text a newer Keycloak (or a hostile proxy) might send.
const piece = fc.oneof(fc.constantFrom('|', '=', '\\', '\n', ' ', '😀', 'é', '/'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }));
const text = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
const nullableText = fc.option(text, { nil: null });
const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('<redacted>', 'hmac-sha256:3q2-7w', '', ' 10.0.0.1', 'fe80::1%eth0'), text);
const details = fc.option(
  fc.dictionary(fc.oneof(fc.constantFrom('username', 'auth_method', 'impersonator', 'impersonator_id', 'email'), text), fc.option(fc.oneof(text, fc.constantFrom('openid-connect', 'saml')), { nil: null }), {
    maxKeys: 5,
  }),
  { nil: null },
);
const userType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...knownUserEventTypes()) }, { weight: 1, arbitrary: text.filter((type) => type.length > 0) });
const resourcePath = fc.oneof(
  fc.constantFrom('users/u-1', 'users/u-1/reset-password', 'users/u-1/groups/g-1', 'groups/g-1/role-mappings/realm', 'organizations/o-1/members/u-2', 'groups/', '/'),
  text,
);
const representation = fc.oneof(
  fc.constantFrom('<redacted>', '[{"name":"admin"},{"id":"x"},3]', '{"name":"ops"}', '{"name":7}', 'null', '[]'),
  text,
);

const userEvent: fc.Arbitrary<UserEvent> = fc.record(
  { id: text, time: fc.nat(), type: userType, realmId: nullableText, clientId: nullableText, userId: nullableText, sessionId: nullableText, ipAddress: fc.option(address, { nil: null }), error: nullableText, details },
  { requiredKeys: ['time', 'type'] },
);
const adminEvent: fc.Arbitrary<AdminEvent> = fc.record(
  {
    id: text,
    time: fc.nat(),
    realmId: nullableText,
    authDetails: fc.option(fc.record({ realmId: nullableText, clientId: nullableText, userId: nullableText, ipAddress: fc.option(address, { nil: null }) }, { requiredKeys: [] }), { nil: null }),
    operationType: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.keys(ADMIN_OPERATIONS)) }, { weight: 1, arbitrary: text.filter((op) => op.length > 0) }),
    resourceType: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.keys(ADMIN_RESOURCE_CATALOG)) }, { weight: 1, arbitrary: nullableText }),
    resourcePath: fc.option(resourcePath, { nil: null }),
    representation: fc.option(representation, { nil: null }),
    error: nullableText,
    details,
    // A field of a newer Keycloak: kept by the event schema, so it must land in unmapped.
    newerField: fc.option(text, { nil: undefined }),
  },
  { requiredKeys: ['time', 'operationType'] },
);
const redaction = fc.constantFrom('none', 'mask', 'remove', 'hash');

describe.each(OCSF_VERSIONS)('OCSF %s property: every generated event of every type', (version) => {
  it('is valid for its class, with or without redaction', () => {
    const redactors = {
      mask: createRedactor({ mode: 'mask', userFields: ['ipAddress', 'details.username'], adminFields: ['authDetails.ipAddress', 'representation'] }),
      remove: createRedactor({ mode: 'remove', userFields: ['ipAddress', 'userId', 'details'], adminFields: ['authDetails', 'resourcePath'] }),
      hash: createRedactor({ mode: 'hash', hashKey: 'k', userFields: ['ipAddress', 'userId'], adminFields: ['authDetails.ipAddress', 'authDetails.userId'] }),
    };
    const input = fc.oneof(fc.tuple(userEvent, fc.constant('user' as const)), fc.tuple(adminEvent, fc.constant('admin' as const)));
    fc.assert(
      fc.property(input, redaction, ([event, stream], mode) => {
        const redacted = mode === 'none' ? event : redactors[mode](event, stream);
        const ocsf = ocsfOf(redacted, stream, version);
        expect(ocsfProblems(ocsf, version)).toEqual([]);
        expect(ocsf.type_uid).toBe(ocsf.class_uid * 100 + ocsf.activity_id);
        expect(JSON.parse(JSON.stringify(ocsf))).toEqual(ocsf);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
