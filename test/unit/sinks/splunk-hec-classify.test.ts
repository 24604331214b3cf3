import { describe, expect, it } from 'vitest';
import { classifyHecResponse, parseHecAnswer } from '../../../lib/sinks/splunk-hec/splunk-hec-classify.js';

const NOW = 1_739_388_500_000;
const answer = (text: string, code: number, extra: Record<string, unknown> = {}) => JSON.stringify({ text, code, ...extra });
const classify = (status: number, body: string, eventCount = 4, retryAfter?: string) => classifyHecResponse({ status, body, eventCount, nowMs: NOW, retryAfter });

describe('classifyHecResponse', () => {
  it('takes 200 Success as ok, with the ackId when acknowledgement is on', () => {
    expect(classify(200, answer('Success', 0))).toEqual({ outcome: { kind: 'ok' } });
    expect(classify(200, answer('Success', 0, { ackId: 7 }))).toEqual({ outcome: { kind: 'ok' }, ackId: 7 });
  });

  it.each([
    [401, 'Token is required', 2],
    [401, 'Invalid authorization', 3],
    [403, 'Token disabled', 1],
    [403, 'Invalid token', 4],
  ])('retries %i code %i... as an auth failure', (status, text, code) => {
    expect(classify(status, answer(text, code)).outcome).toEqual({ kind: 'retry', status, auth: true, reason: `HEC ${status} code ${code}: ${text}` });
  });

  it('retries server busy (503 code 9), 429, every 5xx and a timeout, honouring Retry-After', () => {
    expect(classify(503, answer('Server is busy', 9), 4, '3').outcome).toEqual({ kind: 'retry', status: 503, auth: false, reason: 'HEC 503 code 9: Server is busy', retryAfterMs: 3000 });
    expect(classify(429, '').outcome).toEqual({ kind: 'retry', status: 429, auth: false, reason: 'HEC 429' });
    for (const status of [408, 500, 501, 502, 504, 505]) expect(classify(status, 'upstream down').outcome.kind).toBe('retry');
    // A 400 that says busy is still busy.
    expect(classify(400, answer('Server is busy', 9)).outcome.kind).toBe('retry');
  });

  it('splits a 413 of several events and drops a 413 of one', () => {
    expect(classify(413, 'Content too large', 4).outcome).toEqual({ kind: 'split', status: 413, reason: 'HEC 413: Content too large' });
    expect(classify(413, 'Content too large', 1).outcome).toMatchObject({ kind: 'drop', status: 413 });
  });

  it.each([
    [5, 'No data'],
    [7, 'Incorrect index'],
    [10, 'Data channel is missing'],
    [11, 'Invalid data channel'],
    [14, 'ACK is disabled'],
  ])('drops a 400 code %i for the whole request', (code, text) => {
    expect(classify(400, answer(text, code)).outcome).toEqual({ kind: 'drop', status: 400, reason: `HEC 400 code ${code}: ${text}` });
  });

  it.each([6, 12, 13, 15])('turns a 400 code %i naming its event into: before ok, that one dropped, after resent', (code) => {
    const { outcome } = classify(400, answer('Invalid data format', code, { 'invalid-event-number': 1 }), 4);
    const reason = `HEC 400 code ${code}: Invalid data format (event 1)`;
    expect(outcome).toEqual({ kind: 'partial', status: 400, reason, retry: [2, 3], dropped: [{ position: 1, reason, status: 400 }] });
  });

  it('drops the whole request when the invalid event number is missing or out of range', () => {
    expect(classify(400, answer('Invalid data format', 6)).outcome.kind).toBe('drop');
    expect(classify(400, answer('Invalid data format', 6, { 'invalid-event-number': 4 }), 4).outcome.kind).toBe('drop');
    expect(classify(400, answer('Invalid data format', 6, { 'invalid-event-number': -1 }), 4).outcome.kind).toBe('drop');
  });

  it('drops any other 4xx, quoting a body that is not an HEC answer', () => {
    expect(classify(404, '<html>Not Found</html>').outcome).toEqual({ kind: 'drop', status: 404, reason: 'HEC 404: <html>Not Found</html>' });
  });
});

describe('parseHecAnswer', () => {
  it('reads the known fields and leaves out those of the wrong type', () => {
    expect(parseHecAnswer('{"text":"Invalid data format","code":6,"invalid-event-number":3}')).toEqual({ text: 'Invalid data format', code: 6, invalidEventNumber: 3 });
    expect(parseHecAnswer('{"text":1,"code":"6","ackId":1.5}')).toEqual({});
    expect(parseHecAnswer('not json')).toEqual({});
    expect(parseHecAnswer('null')).toEqual({});
  });
});
