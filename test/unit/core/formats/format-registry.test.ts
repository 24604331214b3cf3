import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { FORMAT_NAMES, formatDefinition, formatKind, formatterFor } from '../../../../lib/core/formats/format-registry.js';
import { createRedactor, DEFAULT_ADMIN_REDACTED_FIELDS, DEFAULT_USER_REDACTED_FIELDS } from '../../../../lib/core/pipeline/redactor.js';

const LOGIN = { id: 'e-1', time: 1_739_388_468_633, type: 'LOGIN', realmId: 'acme', userId: 'u-1', ipAddress: '10.0.0.1' };
const CONTEXT = { tenant: 't', realm: 'acme', stream: 'user' as const };

describe('format registry', () => {
  it('builds each format with its own name, and its texts are of its kind', () => {
    for (const name of FORMAT_NAMES) {
      const formatter = formatterFor(name, { version: '9.9.9' });
      expect(formatter.format).toBe(name);
      const text = formatter.encode(LOGIN, CONTEXT);
      expect(text).not.toMatch(/[\r\n]/);
      if (formatKind(name) === 'document') expect(JSON.parse(text)).toBeTypeOf('object');
      else expect(() => JSON.parse(text) as unknown).toThrow();
    }
  });

  it('reads back the catalog severity each format wrote', () => {
    for (const name of FORMAT_NAMES) {
      const definition = formatDefinition(name);
      const login = definition.create({ version: '1' }).encode(LOGIN, CONTEXT);
      const failed = definition.create({ version: '1' }).encode({ ...LOGIN, type: 'LOGIN_ERROR', error: 'invalid_user_credentials' }, CONTEXT);
      expect(definition.readSeverity(login, 'user'), name).toBe(3);
      expect(definition.readSeverity(failed, 'user'), name).toBeGreaterThan(3);
    }
  });

  it('keeps json and cef as they were: the envelope and the CEF line', () => {
    expect(formatKind('json')).toBe('document');
    expect(formatKind('cef')).toBe('line');
    expect(formatterFor('cef', { version: '2.0.0' }).encode(LOGIN, CONTEXT)).toMatch(/^CEF:0\|Kelvin Zero\|MPAS\|2\.0\.0\|/);
  });

  it('keeps a redacted field redacted in every format: the canary and the address appear nowhere', () => {
    const canary = 'canary-7f3a9c';
    const redact = createRedactor({ mode: 'mask', userFields: DEFAULT_USER_REDACTED_FIELDS, adminFields: DEFAULT_ADMIN_REDACTED_FIELDS });
    const user: UserEvent = { ...LOGIN, ipAddress: '192.0.2.55', details: { username: canary } };
    const admin: AdminEvent = { id: 'a-1', time: LOGIN.time, operationType: 'CREATE', resourceType: 'USER', representation: `{"password":"${canary}"}`, authDetails: { userId: 'adm-1', ipAddress: '192.0.2.55' } };
    for (const name of FORMAT_NAMES) {
      const formatter = formatterFor(name, { version: '1' });
      for (const text of [formatter.encode(redact(user, 'user'), CONTEXT), formatter.encode(redact(admin, 'admin'), { ...CONTEXT, stream: 'admin' })]) {
        expect(text, name).not.toContain(canary);
        expect(text, name).not.toContain('192.0.2.55');
        expect(text, name).toContain('<redacted>');
      }
    }
  });
});
