import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCefFormatter } from '../../../../lib/core/formats/cef-formatter.js';
import { CefOptionsError } from '../../../../lib/core/formats/cef-options.js';
import type { FormatContext } from '../../../../lib/core/formats/formatter.js';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { parseCef } from '../../../support/cef-parser.js';

function seedSample<T>(name: string): T {
  const url = new URL(`../../../fixtures/seed-samples/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { event: T }).event;
}

const userContext: FormatContext = { tenant: 'acme', realm: 'customers', stream: 'user' };
const adminContext: FormatContext = { ...userContext, stream: 'admin' };
const formatter = createCefFormatter({ version: '1.2.3' });

function loginError(overrides: Partial<UserEvent> = {}): UserEvent {
  return {
    id: '0f6a2c1e-4b7d-4a51-9c3e-2d8f1b7a6e90',
    time: 1739388470156,
    type: 'LOGIN_ERROR',
    clientId: 'portal',
    userId: 'u-1',
    ipAddress: '203.0.113.7',
    error: 'invalid_user_credentials',
    details: { auth_method: 'openid-connect', username: 'alice' },
    ...overrides,
  };
}

function extensionOf(line: string): Record<string, string> {
  return Object.fromEntries(parseCef(line).extension);
}

describe('createCefFormatter', () => {
  it('writes the seed user event as one CEF line, the redacted IP kept out of src', () => {
    expect(formatter.encode(seedSample<UserEvent>('user-event'), userContext)).toBe(
      'CEF:0|Kelvin Zero|MPAS|1.2.3|user_login|User logged in|3|rt=1739388470156 act=LOGIN outcome=success ' +
        'duser=<redacted> duid=8069b335-7653-4339-bd54-aad69a1f1cca cs1Label=realm cs1=customers cs2Label=client cs2=admin-cli ' +
        'cs3Label=session cs3=d81367f3-b449-4f4e-92a7-8fab95940160 cs4Label=authMethod cs4=openid-connect cs6Label=details ' +
        'cs6={"details":{"client_auth_method":"client-secret","grant_type":"password","refresh_token_id":"b28dfff9-3d54-430d-907b-444aef903d9d",' +
        '"refresh_token_type":"Refresh","scope":"profile email","token_id":"d4e59faa-ab60-4520-8180-e18518b61322"},' +
        '"ipAddress":"<redacted>","realmId":"51881d96-bc7f-4c97-aa51-77548224d5e0"}',
    );
  });

  it('writes the seed admin event with the acting admin in suser/suid and the path in request', () => {
    expect(formatter.encode(seedSample<AdminEvent>('admin-event'), adminContext)).toBe(
      'CEF:0|Kelvin Zero|MPAS|1.2.3|admin_user_session_delete|Admin deleted user session|4|rt=1739388468633 act=DELETE outcome=success ' +
        'suser=82e179b6-e630-4bae-95fd-e7d88cd2b183 suid=82e179b6-e630-4bae-95fd-e7d88cd2b183 ' +
        'request=sessions/887cec96-6bc1-4e80-b773-c060ed1935ae cs1Label=realm cs1=customers ' +
        'cs2Label=client cs2=d5ba73e7-33b2-4947-ba61-a12b530c7725 cs5Label=resourceType cs5=USER_SESSION cs6Label=details ' +
        'cs6={"authDetails":{"ipAddress":"<redacted>","realmId":"9bafbd1b-7323-4da3-955a-56a5def096fa"},' +
        '"realmId":"51881d96-bc7f-4c97-aa51-77548224d5e0","representation":"<redacted>"}',
    );
  });

  it('reports a failed login with its id, reason, outcome, source address and Warning severity', () => {
    expect(formatter.encode(loginError(), userContext)).toBe(
      'CEF:0|Kelvin Zero|MPAS|1.2.3|user_login_error|User login failed|6|rt=1739388470156 ' +
        'externalId=0f6a2c1e-4b7d-4a51-9c3e-2d8f1b7a6e90 act=LOGIN_ERROR outcome=failure reason=invalid_user_credentials ' +
        'src=203.0.113.7 duser=alice duid=u-1 cs1Label=realm cs1=customers cs2Label=client cs2=portal cs4Label=authMethod cs4=openid-connect',
    );
  });

  it('puts an IPv6 address in src and a hashed address in the details, never an invalid src', () => {
    expect(extensionOf(formatter.encode(loginError({ ipAddress: '0:0:0:0:0:0:0:1' }), userContext)).src).toBe('0:0:0:0:0:0:0:1');
    const hashed = extensionOf(formatter.encode(loginError({ ipAddress: 'hmac-sha256:q1w2e3' }), userContext));
    expect(hashed.src).toBeUndefined();
    expect(hashed.cs6).toBe('{"ipAddress":"hmac-sha256:q1w2e3"}');
  });

  it('drops the remaining details when extraDetails is drop', () => {
    const line = createCefFormatter({ extraDetails: 'drop' }).encode(seedSample<UserEvent>('user-event'), userContext);
    expect(line).not.toContain('cs6');
    expect(line.startsWith('CEF:0|Kelvin Zero|MPAS|unknown|user_login|')).toBe(true);
  });

  it('escapes = and backslash in values and writes line breaks as \\n and \\r', () => {
    const line = formatter.encode(loginError({ error: 'bad=value\\path\r\nnext line' }), userContext);
    expect(line).toContain('reason=bad\\=value\\\\path\\r\\nnext line ');
    expect(line).not.toMatch(/[\r\n]/);
    expect(extensionOf(line).reason).toBe('bad=value\\path\r\nnext line');
  });

  it('leaves a pipe in an extension value unescaped and escapes one in the header', () => {
    const line = createCefFormatter({ vendor: 'Kelvin|Zero' }).encode(loginError({ error: 'a|b' }), userContext);
    expect(line.startsWith('CEF:0|Kelvin\\|Zero|MPAS|')).toBe(true);
    expect(line).toContain('reason=a|b ');
  });

  it('truncates values to the CEF limits before escaping', () => {
    const type = 'X'.repeat(62) + '==';
    const line = formatter.encode(loginError({ type, error: '=' + 'e'.repeat(2000) }), userContext);
    const extension = extensionOf(line);
    expect(extension.act).toBe('X'.repeat(62) + '=');
    expect(line).toContain(`act=${'X'.repeat(62)}\\= `);
    expect(extension.reason).toHaveLength(1023);
  });

  it('describes an unknown type generically and keeps the line valid', () => {
    const line = formatter.encode(loginError({ type: 'NEW|TYPE\nX', error: null }), userContext);
    const parsed = parseCef(line);
    expect([parsed.signatureId, parsed.name, parsed.severity]).toEqual(['user_unknown_new_type_x', 'Unrecognised user event NEW_TYPE_X', '4']);
    expect(extensionOf(line).act).toBe('NEW|TYPE\nX');
  });

  it('marks a failed admin event with the _error signature and at least Warning', () => {
    const event: AdminEvent = { ...seedSample<AdminEvent>('admin-event'), error: 'unknown_error', operationType: 'CREATE', resourceType: 'USER' };
    const parsed = parseCef(formatter.encode(event, adminContext));
    expect([parsed.signatureId, parsed.name, parsed.severity]).toEqual(['admin_user_create_error', 'Admin failed to create user', '6']);
    expect(Object.fromEntries(parsed.extension)).toMatchObject({ outcome: 'failure', reason: 'unknown_error' });
  });

  it.each([
    [{ vendor: '' }, 'cef.vendor: must not be empty'],
    [{ product: 'P'.repeat(64) }, 'cef.product: at most 63 characters'],
    [{ version: '1\n2' }, 'cef.version: must not contain line breaks'],
    [{ extraDetails: 'all' as 'cs' }, 'cef.extraDetails: expected "cs" or "drop"'],
  ])('rejects the option %o naming it', (options, message) => {
    expect(() => createCefFormatter(options)).toThrow(CefOptionsError);
    expect(() => createCefFormatter(options)).toThrow(message);
  });
});
