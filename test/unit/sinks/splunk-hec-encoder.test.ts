import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitConcatenatedJson } from '../../../devtools/siem-receiver/concatenated-json.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';
import { encodeHecBody, encodeHecEvent, hecEventBytes, hecTime } from '../../../lib/sinks/splunk-hec/splunk-hec-encoder.js';

const event = (payload: string, time = 1_739_388_468_633): OutboundEvent => ({ key: 'k', time, realm: 'acme', stream: 'user', payload });
const metadata = { source: 'mpas-log-sync', sourcetype: 'mpas:event' };

describe('hecTime', () => {
  it('writes epoch seconds with the milliseconds as three decimals', () => {
    expect(hecTime(1_739_388_468_633)).toBe('1739388468.633');
    expect(hecTime(1_739_388_468_005)).toBe('1739388468.005');
    expect(hecTime(1_739_388_468_000)).toBe('1739388468.000');
    expect(hecTime(0)).toBe('0.000');
  });

  it('reads back as the same millisecond, for any time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8_640_000_000_000 }), (ms) => {
        expect(Math.round(Number(hecTime(ms)) * 1000)).toBe(ms);
      }),
    );
  });
});

describe('encodeHecEvent', () => {
  it('inserts a JSON payload raw, and optional fields only when set, in HEC order', () => {
    expect(encodeHecEvent(event('{"timestamp":"t","eventType":"user-event","event":{"a":1}}'), 'json', metadata)).toBe(
      '{"time":1739388468.633,"source":"mpas-log-sync","sourcetype":"mpas:event","event":{"timestamp":"t","eventType":"user-event","event":{"a":1}}}',
    );
    expect(encodeHecEvent(event('{}'), 'json', { ...metadata, host: 'h', index: 'i' })).toBe(
      '{"time":1739388468.633,"host":"h","source":"mpas-log-sync","sourcetype":"mpas:event","index":"i","event":{}}',
    );
  });

  it('sends a CEF line as a JSON string, escapes and all', () => {
    const line = 'CEF:0|Kelvin Zero|MPAS|1.0|LOGIN|Login|3|msg=a\\=b "q" \\\\ end';
    const parsed = JSON.parse(encodeHecEvent(event(line), 'cef', { source: 's', sourcetype: 'cef' })) as { event: string };
    expect(parsed.event).toBe(line);
  });

  it('gives bodies whose objects read back as the events, with sizes that add up to the body', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), { minLength: 1, maxLength: 8 }), (documents) => {
        const events = documents.map((document) => event(JSON.stringify(document)));
        const body = encodeHecBody(events, 'json', metadata);
        const { values, invalidAt } = splitConcatenatedJson(body);
        expect(invalidAt).toBeUndefined();
        expect(values.map((value) => (value as { event: unknown }).event)).toEqual(documents);
        const total = events.reduce((sum, item) => sum + hecEventBytes(item, 'json', metadata), 0);
        expect(total - 1).toBe(Buffer.byteLength(body, 'utf8'));
      }),
    );
  });
});
