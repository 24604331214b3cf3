import { describe, expect, it } from 'vitest';
import { compileFieldSelection } from '../../../../lib/core/pipeline/field-selection.js';
import { FieldSelectionError } from '../../../../lib/core/pipeline/filter-error.js';

function loginEvent(): Record<string, unknown> {
  return {
    id: 'e-1',
    time: 1739388470156,
    type: 'LOGIN',
    clientId: 'portal',
    ipAddress: '<redacted>',
    details: { auth_method: 'openid-connect', username: 'alice', scope: 'profile email' },
  };
}

describe('compileFieldSelection', () => {
  it('returns the event itself for *', () => {
    const event = loginEvent();
    expect(compileFieldSelection('*')(event)).toBe(event);
  });

  it("picks PAS 6.0's comma-separated list, dotted paths included, always keeping time and type", () => {
    expect(compileFieldSelection('clientId,details.username')(loginEvent())).toEqual({
      time: 1739388470156,
      type: 'LOGIN',
      clientId: 'portal',
      details: { username: 'alice' },
    });
  });

  it('picks an array of paths and keeps an admin event its operationType', () => {
    const admin = { time: 1, operationType: 'DELETE', resourceType: 'USER', authDetails: { userId: 'a-1', ipAddress: 'x' } };
    expect(compileFieldSelection(['authDetails.userId'])(admin)).toEqual({ time: 1, operationType: 'DELETE', authDetails: { userId: 'a-1' } });
  });

  it('returns a copy: changing it leaves the event alone', () => {
    const event = loginEvent();
    const selected = compileFieldSelection(['details'])(event) as { details: Record<string, unknown> };
    selected.details.username = 'mallory';
    expect((event.details as Record<string, unknown>).username).toBe('alice');
  });

  it('leaves out paths the event lacks, and a whole object overlapping a path inside it', () => {
    expect(compileFieldSelection('details.absent,missing.deep,details,details.scope')(loginEvent())).toEqual({
      time: 1739388470156,
      type: 'LOGIN',
      details: { auth_method: 'openid-connect', username: 'alice', scope: 'profile email' },
    });
  });

  it('does not walk into the prototype', () => {
    expect(compileFieldSelection('constructor,details.toString')({ time: 1, type: 'LOGIN', details: {} })).toEqual({ time: 1, type: 'LOGIN' });
  });

  it.each([
    ['type, clientId', 'fields: field path " clientId" contains whitespace'],
    ['type,,clientId', 'fields: empty field path'],
    [['type', 'details..username'], 'fields[1]: field path "details..username" has an empty segment'],
    [[], 'fields: expected at least one field path'],
    [[1] as unknown as string[], 'fields: expected "*", a comma-separated list such as "type,details.username" or an array of field paths'],
  ])('rejects %j naming the bad entry', (spec, message) => {
    expect(() => compileFieldSelection(spec)).toThrow(FieldSelectionError);
    expect(() => compileFieldSelection(spec)).toThrow(message);
  });
});
