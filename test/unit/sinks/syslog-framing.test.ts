import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import { Severity } from '../../../lib/core/pipeline/severity.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';
import { catalogSeverity, isSyslogHeaderField, octetCountedFrame, syslogMessage, syslogPri, syslogSeverity } from '../../../lib/sinks/syslog/syslog-framing.js';

const TIME = 1_739_388_468_633;
const event = (payload: string, stream: 'user' | 'admin' = 'user'): OutboundEvent => ({ key: 'k', time: TIME, realm: 'acme', stream, payload });
const envelope = (inner: Record<string, unknown>, stream: 'user' | 'admin' = 'user') =>
  event(JSON.stringify({ timestamp: new Date(TIME).toISOString(), eventType: `${stream}-event`, event: inner }), stream);
const header = { facility: 10, hostname: 'sync-acme', appName: 'mpas-log-sync' };

describe('syslogSeverity', () => {
  it('inverts the seed scale back onto syslog levels', () => {
    expect(
      Object.entries(Severity).map(([name, level]) => [name, syslogSeverity(level)]),
    ).toEqual([
      ['Emergency', 0],
      ['Alert', 1],
      ['Critical', 2],
      ['Error', 3],
      ['Warning', 4],
      ['Notice', 5],
      ['Info', 6],
      ['Debug', 7],
      ['Trace', 7],
    ]);
  });

  it('puts the unused 5 with Notice and 0 with Debug', () => {
    expect([syslogSeverity(5), syslogSeverity(0)]).toEqual([5, 7]);
  });

  it('never makes a more severe event a less severe syslog level', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (a, b) => (a >= b ? syslogSeverity(a) <= syslogSeverity(b) : syslogSeverity(a) >= syslogSeverity(b))));
  });
});

describe('syslogPri', () => {
  it('is facility times eight plus severity', () => {
    expect([syslogPri(10, 6), syslogPri(13, 4), syslogPri(0, 0), syslogPri(23, 7)]).toEqual([86, 108, 0, 191]);
  });
});

describe('catalogSeverity', () => {
  it('reads the CEF header severity, past escaped pipes in the name', () => {
    expect(catalogSeverity(event('CEF:0|Kelvin Zero|MPAS|1.0|user_login|Login a\\|b|7|src=1.2.3.4 msg=x|y'), 'cef')).toBe(7);
  });

  it('looks a JSON envelope up in the catalog, failures included', () => {
    expect(catalogSeverity(envelope({ type: 'LOGIN' }), 'json')).toBe(Severity.Info);
    expect(catalogSeverity(envelope({ type: 'LOGIN', error: 'invalid_user_credentials' }), 'json')).toBeGreaterThan(Severity.Info);
    expect(catalogSeverity(envelope({ operationType: 'DELETE', resourceType: 'USER_SESSION' }, 'admin'), 'json')).toBe(Severity.Notice);
  });

  it('calls an unreadable payload Notice', () => {
    expect([catalogSeverity(event('not json'), 'json'), catalogSeverity(event('{"event":1}'), 'json'), catalogSeverity(event('CEF:0|broken'), 'cef')]).toEqual([4, 4, 4]);
  });
});

describe('syslogMessage', () => {
  it('writes the RFC 5424 header with the event time, the stream as MSGID and the payload as MSG', () => {
    const line = 'CEF:0|Kelvin Zero|MPAS|1.0|user_login|User logged in|3|msg=hi';
    expect(syslogMessage(event(line), 'cef', header)).toBe(`<86>1 2025-02-12T19:27:48.633Z sync-acme mpas-log-sync - user-event - ${line}`);
    expect(syslogMessage(event('CEF:0|V|P|1|s|n|8|', 'admin'), 'cef', { ...header, facility: 13 })).toBe('<106>1 2025-02-12T19:27:48.633Z sync-acme mpas-log-sync - admin-event - CEF:0|V|P|1|s|n|8|');
  });

  it('round-trips through the receiver parser', () => {
    const payload = JSON.stringify({ timestamp: 't', eventType: 'user-event', event: { type: 'LOGIN', note: 'ünïcode \n line' } });
    const record = parseMessage(syslogMessage(event(payload), 'json', header), 1, 0);
    expect(record).toMatchObject({ pri: 86, facility: 10, severity: 6, hostname: 'sync-acme', msgId: 'user-event', structuredData: '-', msg: payload, format: 'json' });
  });
});

describe('octetCountedFrame', () => {
  it('prefixes the message with its length in UTF-8 bytes and one space', () => {
    expect(octetCountedFrame('<86>1 - - - - - - abc').toString('utf8')).toBe('21 <86>1 - - - - - - abc');
    expect(octetCountedFrame('é€').toString('utf8')).toBe('5 é€');
  });

  it('frames any text so that the length prefix matches the body', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (text) => {
        const frame = octetCountedFrame(text);
        const space = frame.indexOf(0x20);
        return Number(frame.subarray(0, space).toString('ascii')) === frame.length - space - 1 && frame.subarray(space + 1).toString('utf8') === text;
      }),
    );
  });
});

describe('isSyslogHeaderField', () => {
  it('takes printable ASCII up to the limit, no spaces', () => {
    expect([isSyslogHeaderField('sync-acme', 255), isSyslogHeaderField('a b', 255), isSyslogHeaderField('', 48), isSyslogHeaderField('x'.repeat(49), 48), isSyslogHeaderField('hôte', 255)]).toEqual([true, false, false, false, false]);
  });
});
