import { describe, expect, it } from 'vitest';
import { declaredDelimiter, escapeLeefHeader, valueEscaper } from '../../../../lib/core/formats/leef/leef-escape.js';
import { createLeefFormatter, LeefOptionsError, leefLineSeverity, leefSeverity } from '../../../../lib/core/formats/leef/leef-formatter.js';
import { ADMIN_CONTEXT, CREATE_USER, LOGIN, USER_CONTEXT } from '../../../support/identity-events.js';

const formatter = createLeefFormatter({ version: '1.2.3' });
const [login, createUser, userContext, adminContext] = [LOGIN, CREATE_USER, USER_CONTEXT, ADMIN_CONTEXT];

/** The header's six fields and the attributes, split as QRadar splits them: on `|`, then on the declared delimiter. */
function parse(line: string): { header: string[]; attributes: Map<string, string> } {
  const header = /^((?:(?:\\.|[^|\\])*\|){6})/.exec(line)![1]!;
  const fields = header.slice(0, -1).split(/(?<!\\)\|/);
  const declared = fields[5]!;
  const delimiter = declared.startsWith('x') ? String.fromCharCode(parseInt(declared.slice(1), 16)) : declared;
  const attributes = new Map(line.slice(header.length).split(delimiter).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as [string, string]));
  return { header: fields, attributes };
}

describe('createLeefFormatter', () => {
  it('writes the LEEF 2.0 header with the catalog event id and a tab declared as x09', () => {
    const line = formatter.encode(login, userContext);
    expect(line.startsWith('LEEF:2.0|Kelvin Zero|MPAS|1.2.3|user_login|x09|devTime=2025-02-12T19:27:50.156+0000\t')).toBe(true);
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('writes a login with QRadar\'s predefined keys first', () => {
    expect([...parse(formatter.encode(login, userContext)).attributes]).toEqual([
      ['devTime', '2025-02-12T19:27:50.156+0000'],
      ['devTimeFormat', "yyyy-MM-dd'T'HH:mm:ss.SSSZ"],
      ['cat', 'authentication'],
      ['sev', '3'],
      ['src', '203.0.113.7'],
      ['identSrc', '203.0.113.7'],
      ['usrName', 'alice'],
      ['realm', 'customers'],
      ['msg', 'User logged in'],
      ['externalId', 'key-1'],
      ['action', 'LOGIN'],
      ['outcome', 'success'],
      ['userId', 'u-1'],
      ['clientId', 'portal'],
      ['authMethod', 'openid-connect'],
    ]);
  });

  it('says a failed login failed, with a higher sev and its reason', () => {
    const { header, attributes } = parse(formatter.encode({ ...login, type: 'LOGIN_ERROR', error: 'invalid_user_credentials' }, userContext));
    expect(header[4]).toBe('user_login_error');
    expect(Number(attributes.get('sev'))).toBeGreaterThan(3);
    expect([attributes.get('outcome'), attributes.get('reason')]).toEqual(['failure', 'invalid_user_credentials']);
  });

  it('writes an admin event: the acting admin as usrName, the path as resource, the rest as details', () => {
    const { header, attributes } = parse(formatter.encode({ ...createUser, representation: '{"username":"bob"}' }, adminContext));
    expect(header[4]).toBe('admin_user_create');
    expect(Object.fromEntries(attributes)).toMatchObject({ usrName: 'adm-1', resource: 'users/u-9', action: 'CREATE', resourceType: 'USER', cat: 'admin-change', sev: '4', src: '198.51.100.4' });
    // The remainder as canonical JSON, its backslashes escaped for LEEF.
    expect(attributes.get('details')).toBe(String.raw`{"authDetails":{"realmId":"customers"},"representation":"{\\"username\\":\\"bob\\"}"}`);
  });

  it('escapes what would split a value: the delimiter, =, line breaks and backslashes; pipes stay in values', () => {
    const line = formatter.encode({ ...login, error: 'a\tb=c\nd\re\\f|g' }, userContext);
    expect(parse(line).attributes.get('reason')).toBe('a\\tb\\=c\\nd\\re\\\\f|g');
    expect(line.split('\t').every((pair) => /^[A-Za-z]+=/.test(pair.replace(/^LEEF:[^\t]*\|x09\|/, '')))).toBe(true);
  });

  it('escapes pipes and backslashes in the header, and makes its line breaks spaces', () => {
    expect(escapeLeefHeader('a|b\\c\r\nd')).toBe('a\\|b\\\\c d');
    const line = createLeefFormatter({ vendor: 'K|Z', version: '1' }).encode(login, userContext);
    expect(parse(line).header.slice(0, 4)).toEqual(['LEEF:2.0', 'K\\|Z', 'MPAS', '1']);
  });

  it('takes another delimiter, declares it, and writes it inside a value as \\xHH', () => {
    const line = createLeefFormatter({ version: '1', delimiter: '^' }).encode({ ...login, error: 'up^down\tx' }, userContext);
    expect(line).toContain('|user_login_error|^|devTime=');
    expect(parse(line).attributes.get('reason')).toBe('up\\x5edown\\tx');
    expect(declaredDelimiter('\t')).toBe('x09');
    expect(declaredDelimiter(' ')).toBe('x20');
    expect(valueEscaper('^')('a^b')).toBe('a\\x5eb');
  });

  it('refuses a delimiter that would make attributes unreadable, naming the setting', () => {
    for (const delimiter of ['', 'ab', 'a', '7', '=', '|', '\\', '\n']) {
      expect(() => createLeefFormatter({ delimiter })).toThrow(LeefOptionsError);
      expect(() => createLeefFormatter({ delimiter })).toThrow(/^leef\.delimiter: /);
    }
  });

  it('maps the catalog severity onto sev 1-10 and reads it back for syslog', () => {
    expect([leefSeverity(0), leefSeverity(1), leefSeverity(7), leefSeverity(10)]).toEqual([1, 1, 7, 10]);
    expect(leefLineSeverity(formatter.encode({ ...login, type: 'USER_DISABLED_BY_PERMANENT_LOCKOUT' }, userContext))).toBe(8);
    expect(leefLineSeverity(createLeefFormatter({ delimiter: '^' }).encode(createUser, adminContext))).toBe(4);
    expect([leefLineSeverity('LEEF:2.0|broken'), leefLineSeverity('CEF:0|a|b|c|d|e|3|')]).toEqual([undefined, undefined]);
  });

  it('keeps a masked address out of src and identSrc, in details, and a masked username as usrName', () => {
    const { attributes } = parse(formatter.encode({ ...login, ipAddress: '<redacted>', details: { username: '<redacted>' } }, userContext));
    expect([attributes.has('src'), attributes.has('identSrc'), attributes.get('usrName'), attributes.get('details')]).toEqual([false, false, '<redacted>', '{"ipAddress":"<redacted>"}']);
  });
});
