import { describe, expect, it } from 'vitest';
import { eventKey } from '../../../../lib/core/events/event-key.js';
import { eventKeyCandidates, legacyEventKey } from '../../../../lib/core/events/legacy-key.js';

const legacyEvent = { time: 1_795_302_811_061, type: 'LOGIN', realmId: 'r1', clientId: 'portal', details: { username: 'alice', auth_method: 'openid-connect' } };

describe('legacyEventKey', () => {
  it('is the key a Keycloak < 26.2 read gave the same event, once the upgraded server sends an id', () => {
    const before = eventKey(legacyEvent);
    // The upgraded server adds the id, members in another order: the legacy key is still the archived hash.
    const after = { id: '26ef7d3a-256b-456d-a869-f50144141660', details: { auth_method: 'openid-connect', username: 'alice' }, clientId: 'portal', realmId: 'r1', type: 'LOGIN', time: legacyEvent.time };
    expect(before).toMatch(/^h:/);
    expect(eventKey(after)).toBe(after.id);
    expect(legacyEventKey(after)).toBe(before);
    expect(eventKeyCandidates(after)).toEqual([after.id, before]);
  });

  it('is the ordinary key of an event without an id, which has one candidate only', () => {
    expect(legacyEventKey(legacyEvent)).toBe(eventKey(legacyEvent));
    expect(eventKeyCandidates(legacyEvent)).toEqual([eventKey(legacyEvent)]);
  });

  it('differs for events that differ in anything but the id', () => {
    expect(legacyEventKey({ ...legacyEvent, id: 'a' })).not.toBe(legacyEventKey({ ...legacyEvent, id: 'b', type: 'LOGOUT' }));
    expect(legacyEventKey({ ...legacyEvent, id: 'a' })).toBe(legacyEventKey({ ...legacyEvent, id: 'b' }));
  });
});
