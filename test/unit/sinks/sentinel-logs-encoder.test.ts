import { describe, expect, it } from 'vitest';
import { encodeSentinelRecord } from '../../../lib/sinks/sentinel/sentinel-logs-encoder.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';

const event = (payload: string, stream: 'user' | 'admin' = 'user'): OutboundEvent => ({ key: 'k"1', time: 1_739_388_468_633, realm: 'acme', stream, payload });

describe('encodeSentinelRecord', () => {
  it('flattens the envelope into the DCR columns, its event as a dynamic column', () => {
    const payload = JSON.stringify({ timestamp: '2025-02-12T19:27:48.633Z', eventType: 'admin-event', event: { operationType: 'DELETE', nested: { a: [1] } } });
    expect(JSON.parse(encodeSentinelRecord(event(payload, 'admin'), 'json'))).toEqual({
      TimeGenerated: '2025-02-12T19:27:48.633Z',
      EventType: 'admin-event',
      Realm: 'acme',
      Stream: 'admin',
      EventId: 'k"1',
      Event: { operationType: 'DELETE', nested: { a: [1] } },
    });
  });

  it('puts a CEF line, or a JSON payload that is no envelope, in Message', () => {
    const cef = 'CEF:0|Kelvin Zero|MPAS|1|s|n|3|msg=a\\=b';
    expect(JSON.parse(encodeSentinelRecord(event(cef), 'cef'))).toMatchObject({ EventType: 'user-event', Stream: 'user', Message: cef });
    expect(JSON.parse(encodeSentinelRecord(event('[1,2]'), 'json'))).toMatchObject({ Message: '[1,2]' });
    expect(JSON.parse(encodeSentinelRecord(event('not json'), 'json'))).toMatchObject({ Message: 'not json' });
  });
});
