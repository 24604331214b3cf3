import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datadogLogBytes, encodeDatadogBody, encodeDatadogLog } from '../../../lib/sinks/datadog/datadog-logs-encoder.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';

const event = (payload: string): OutboundEvent => ({ key: 'k', time: 1_739_388_468_633, realm: 'acme', stream: 'user', payload });
const metadata = { source: 'mpas', service: 'mpas-log-sync' };

describe('encodeDatadogLog', () => {
  it('puts the reserved attributes first and the envelope members after them, raw', () => {
    expect(encodeDatadogLog(event('{"timestamp":"t","event":{"b":1}}'), 'json', { ...metadata, hostname: 'h', tags: 'env:prod' })).toBe(
      '{"ddsource":"mpas","service":"mpas-log-sync","hostname":"h","ddtags":"env:prod","timestamp":"t","event":{"b":1}}',
    );
    expect(encodeDatadogLog(event('{}'), 'json', metadata)).toBe('{"ddsource":"mpas","service":"mpas-log-sync"}');
  });

  it('sends a CEF line as the message with the event time', () => {
    expect(JSON.parse(encodeDatadogLog(event('CEF:0|V|P|1|S|N|3|msg=a\\=b'), 'cef', metadata))).toEqual({
      ddsource: 'mpas',
      service: 'mpas-log-sync',
      timestamp: '2025-02-12T19:27:48.633Z',
      message: 'CEF:0|V|P|1|S|N|3|msg=a\\=b',
    });
  });

  it('gives a JSON array of the documents whose sizes add up to the body but its opening bracket', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'event', 'timestamp'), fc.jsonValue()), { minLength: 1, maxLength: 6 }), (documents) => {
        const events = documents.map((document) => event(JSON.stringify(document)));
        const body = encodeDatadogBody(events, 'json', metadata);
        expect(JSON.parse(body)).toEqual(documents.map((document) => JSON.parse(JSON.stringify({ ddsource: 'mpas', service: 'mpas-log-sync', ...document }))));
        // Each entry counts its comma or closing bracket; only the opening bracket is left over.
        expect(events.reduce((sum, item) => sum + datadogLogBytes(item, 'json', metadata), 0) + 1).toBe(Buffer.byteLength(body));
      }),
    );
  });
});
