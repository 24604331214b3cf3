import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeStagedEvents, encodeStagedEvents, StagedObjectError } from '../../../../lib/sinks/security-lake/lake-staged-events.js';

const gz = (text: string): Uint8Array => new Uint8Array(gzipSync(text));

describe('a staged object\'s body', () => {
  it('holds one JSON line per event, in the order given, and reads back the same events', async () => {
    const events = [
      { time: 2, key: 'b', payload: '{"class_uid":3002,"time":2,"message":"line\\nbreak"}' },
      { time: 1, key: 'a"\u2028', payload: '{\n  "class_uid": 3002,\n  "time": 1\n}' },
    ];
    const body = await encodeStagedEvents(events);
    const lines = (await import('node:zlib')).gunzipSync(body).toString('utf8').split('\n');
    expect(lines).toEqual(['{"time":2,"key":"b","record":{"class_uid":3002,"time":2,"message":"line\\nbreak"}}', '{"time":1,"key":"a\\"\u2028","record":{"class_uid":3002,"time":1}}', '']);
    expect(await decodeStagedEvents(body, 'k')).toEqual([
      { time: 2, key: 'b', record: { class_uid: 3002, time: 2, message: 'line\nbreak' } },
      { time: 1, key: 'a"\u2028', record: { class_uid: 3002, time: 1 } },
    ]);
  });

  it('says which object and line is not what the forwarder stages', async () => {
    await expect(decodeStagedEvents(new Uint8Array([1, 2, 3]), 'staged/x')).rejects.toThrow(/^staged object staged\/x: not gzip/);
    await expect(decodeStagedEvents(gz('{"time":1,"key":"a","record":{}}\nnope\n'), 'x')).rejects.toThrow(new StagedObjectError('staged object x, line 2: not JSON'));
    await expect(decodeStagedEvents(gz('{"time":"1","key":"a","record":{}}'), 'x')).rejects.toThrow(/^staged object x, line 1: time /);
    await expect(decodeStagedEvents(gz('{"time":1,"key":"a","record":[]}'), 'x')).rejects.toThrow(/^staged object x, line 1: record /);
    await expect(decodeStagedEvents(gz('{"time":1,"key":"a","record":{},"extra":1}'), 'x')).rejects.toThrow(/^staged object x, line 1: /);
  });
});
