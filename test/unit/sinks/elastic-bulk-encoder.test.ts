import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulkEventBytes, elasticDocument, encodeBulkBody } from '../../../lib/sinks/elastic/elastic-bulk-encoder.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';

const TIME = 1_739_388_468_633;
const event = (payload: string, key = 'k1'): OutboundEvent => ({ key, time: TIME, realm: 'acme', stream: 'admin', payload });

describe('elasticDocument', () => {
  it('puts @timestamp first in the envelope without re-serialising it', () => {
    expect(elasticDocument(event('{"timestamp":"2025-02-12T19:27:48.633Z","eventType":"admin-event","event":{"b":1,"a":2}}'), 'json')).toBe(
      '{"@timestamp":"2025-02-12T19:27:48.633Z","timestamp":"2025-02-12T19:27:48.633Z","eventType":"admin-event","event":{"b":1,"a":2}}',
    );
    expect(elasticDocument(event(' { } '), 'json')).toBe('{"@timestamp":"2025-02-12T19:27:48.633Z"}');
  });

  it('wraps a CEF line, or a JSON payload that is not an object, as the message', () => {
    expect(JSON.parse(elasticDocument(event('CEF:0|V|P|1|S|N|3|msg=a\\=b "q"'), 'cef'))).toEqual({ '@timestamp': '2025-02-12T19:27:48.633Z', message: 'CEF:0|V|P|1|S|N|3|msg=a\\=b "q"' });
    expect(JSON.parse(elasticDocument(event('[1]'), 'json'))).toEqual({ '@timestamp': '2025-02-12T19:27:48.633Z', message: '[1]' });
  });

  it('always gives a JSON object holding the payload members and @timestamp', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string().filter((key) => key !== '@timestamp' && key !== '__proto__'), fc.jsonValue()), (document) => {
        const parsed = JSON.parse(elasticDocument(event(JSON.stringify(document)), 'json')) as Record<string, unknown>;
        expect(parsed).toEqual(JSON.parse(JSON.stringify({ '@timestamp': '2025-02-12T19:27:48.633Z', ...document })));
      }),
    );
  });
});

describe('encodeBulkBody', () => {
  it('writes a create action with the event key as _id before each document, every line ending in a newline', () => {
    const body = encodeBulkBody([event('{"a":1}', 'k1'), event('{"a":2}', 'k2')], 'json', 'logs-mpas-default');
    expect(body).toBe(
      '{"create":{"_index":"logs-mpas-default","_id":"k1"}}\n{"@timestamp":"2025-02-12T19:27:48.633Z","a":1}\n' +
        '{"create":{"_index":"logs-mpas-default","_id":"k2"}}\n{"@timestamp":"2025-02-12T19:27:48.633Z","a":2}\n',
    );
    const sizes = [event('{"a":1}', 'k1'), event('{"a":2}', 'k2')].map((item) => bulkEventBytes(item, 'json', 'logs-mpas-default'));
    expect(sizes[0]! + sizes[1]!).toBe(Buffer.byteLength(body));
  });
});
