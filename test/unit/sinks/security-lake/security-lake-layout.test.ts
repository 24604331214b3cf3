import { describe, expect, it } from 'vitest';
import { eventDayOf, fileHashOf, lakeObjectKeyOf, partitionPrefix } from '../../../../lib/sinks/security-lake/security-lake-layout.js';

const LOCATION = { bucket: 'aws-security-data-lake-eu-west-1-abc', region: 'eu-west-1', accountId: '123456789012' };
const EVENTS = [
  { realm: 'acme', stream: 'user', key: 'id:0b6f' },
  { realm: 'acme', stream: 'user', key: 'id:1c2d' },
  { realm: 'staff', stream: 'admin', key: 'id:0b6f' },
];

describe('Security Lake layout', () => {
  it('puts a record in the UTC day of its time, yyyyMMdd', () => {
    expect(eventDayOf(Date.parse('2025-03-04T23:59:59.999Z'))).toBe('20250304');
    expect(eventDayOf(Date.parse('2025-03-05T00:00:00.000Z'))).toBe('20250305');
    expect(eventDayOf(Date.parse('2024-12-31T23:00:00.000-02:00'))).toBe('20250101');
  });

  it('names the partition as the custom-source layout does', () => {
    expect(partitionPrefix(LOCATION, 'mpas-authentication', '20250304')).toBe('ext/mpas-authentication/region=eu-west-1/accountId=123456789012/eventDay=20250304/');
  });

  it('hashes a file\'s class, day and events, whatever their order', () => {
    const hash = fileHashOf({ classUid: 3002, eventDay: '20250304', events: EVENTS });
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(fileHashOf({ classUid: 3002, eventDay: '20250304', events: [...EVENTS].reverse() })).toBe(hash);
  });

  it('names a lake file after its class and hash, in its source partition', () => {
    expect(lakeObjectKeyOf(LOCATION, 'mpas-authentication', '20250304', 3002, '0123456789abcdef0123456789abcdef')).toBe(
      'ext/mpas-authentication/region=eu-west-1/accountId=123456789012/eventDay=20250304/mpas-3002-0123456789abcdef0123456789abcdef.parquet',
    );
  });

  it('gives another hash to any other set of events, class or day', () => {
    const names = new Set([
      fileHashOf({ classUid: 3002, eventDay: '20250304', events: EVENTS }),
      fileHashOf({ classUid: 3002, eventDay: '20250304', events: EVENTS.slice(1) }),
      fileHashOf({ classUid: 3001, eventDay: '20250304', events: EVENTS }),
      fileHashOf({ classUid: 3002, eventDay: '20250305', events: EVENTS }),
      // The same key in another realm or stream is another event.
      fileHashOf({ classUid: 3002, eventDay: '20250304', events: [{ realm: 'acme', stream: 'admin', key: 'id:0b6f' }] }),
      fileHashOf({ classUid: 3002, eventDay: '20250304', events: [{ realm: 'acme', stream: 'user', key: 'id:0b6f' }] }),
    ]);
    expect(names.size).toBe(6);
  });
});
