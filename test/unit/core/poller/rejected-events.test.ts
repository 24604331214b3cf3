import { describe, expect, it } from 'vitest';
import { jsonEnvelopeFormatter } from '../../../../lib/core/formats/json-envelope.js';
import { forwardBatch } from '../../../../lib/core/forwarder/forward-batch.js';
import type { AdminEvent } from '../../../../lib/core/events/event-schemas.js';
import { MAX_EVENT_DEPTH } from '../../../../lib/sources/mpas/page-limits.js';
import { parseEventPage } from '../../../../lib/sources/mpas/page-parser.js';
import { REMOVED, removedTooDeep, scrubCredentials } from '../../../../lib/core/pipeline/credential-scrubber.js';
import { REDACTED, createRedactor } from '../../../../lib/core/pipeline/redactor.js';
import { batchForChunk } from '../../../../lib/core/poller/batches-for-chunk.js';
import { withKeys } from '../../../../lib/core/poller/keyed-event.js';
import { byTimeThenKey } from '../../../../lib/core/poller/next-chunk.js';
import { ScriptedSink } from '../../../support/scripted-sink.js';

const LEVELS = 100_000;
const PASSWORD = 'Rejected-Secret-Pw-1';

const admin = (id: string, time: number, representation?: string): AdminEvent => ({
  id,
  time,
  operationType: 'CREATE',
  resourceType: 'USER',
  resourcePath: 'users/u-1',
  ...(representation !== undefined ? { representation } : {}),
});

describe('events that cannot be processed, from the page to the dead letters', () => {
  it('scrubs a representation nesting 100,000 levels without walking it, and a shallow one as before', () => {
    const deep = `{"credentials":[{"type":"password","value":"${PASSWORD}"}],"x":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}`;
    expect(scrubCredentials(admin('a', 1, deep)).representation).toBe(removedTooDeep(LEVELS + 1));
    expect(scrubCredentials(admin('b', 1, JSON.stringify({ password: PASSWORD }))).representation).toBe(JSON.stringify({ password: REMOVED }));
  });

  it('dead-letters each with its reason (no credential in it) while its neighbours are delivered, in one batch whose id the keys make', async () => {
    const deepRepresentation = `{"password":"${PASSWORD}","x":${'{"a":'.repeat(LEVELS)}1${'}'.repeat(LEVELS)}}`;
    const malformed = { ...admin('m', 3), operationType: 7, representation: JSON.stringify({ credentials: [{ type: 'password', value: PASSWORD }] }) };
    const deepEvent = `{"id":"d","time":4,"operationType":"UPDATE","details":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}`;
    const body = `[${JSON.stringify(admin('ok-1', 1))},${JSON.stringify(admin('r', 2, deepRepresentation))},${JSON.stringify(malformed)},${deepEvent},"not an event",${JSON.stringify(admin('ok-2', 5))}]`;
    const page = parseEventPage(body, { realm: 'acme', stream: 'admin' });
    const chunk = withKeys(page).sort(byTimeThenKey);
    expect(chunk.map(({ key }) => key.startsWith('x:') ? 'x:' : key)).toEqual(['ok-1', 'r', 'm', 'd', 'x:', 'ok-2']);

    const batch = batchForChunk('t', 'acme', 'admin', chunk);
    expect(batch).toEqual(batchForChunk('t', 'acme', 'admin', withKeys(parseEventPage(body, { realm: 'acme', stream: 'admin' })).sort(byTimeThenKey)));
    const queued = JSON.stringify(batch);
    expect(queued, 'what rests in the queue holds no credential').not.toContain(PASSWORD);

    const sink = new ScriptedSink('siem');
    const result = await forwardBatch(JSON.parse(queued) as typeof batch, {
      redact: createRedactor({ mode: 'mask', userFields: [], adminFields: ['representation'] }),
      formatter: jsonEnvelopeFormatter,
      sink,
    });
    expect(sink.keys()).toEqual(['ok-1', 'ok-2']);
    expect(result.delivered).toBe(2);
    expect(result.deadLetters.map(({ reason, detail }) => `${reason} ${detail}`)).toEqual([
      `invalid-event events.1: the event r at 1970-01-01T00:00:00.002Z has a representation that nests ${LEVELS + 1} levels, more than the limit ${MAX_EVENT_DEPTH}`,
      expect.stringMatching(/^invalid-event events\.2: the event m at 1970-01-01T00:00:00\.003Z does not match the admin event schema: operationType: /),
      `invalid-event events.3: the event d at 1970-01-01T00:00:00.004Z nests ${LEVELS + 1} levels, more than the limit ${MAX_EVENT_DEPTH}`,
      expect.stringMatching(/^invalid-event events\.4: the event x:\S+ is not an object but a string \(it has no usable time: dead-lettered with the events of 1970-01-01T00:00:00\.004Z\)$/),
    ]);
    // Dead letters rest redacted as the SIEM would receive them: the masked representation.
    expect(result.deadLetters[0]?.events).toEqual([{ ...admin('r', 2), representation: REDACTED }]);
    expect(result.deadLetters[2]?.events).toEqual([{ id: 'd', time: 4, operationType: 'UPDATE', details: `<removed: nested deeper than ${MAX_EVENT_DEPTH} levels>` }]);
    expect(JSON.stringify(result.deadLetters)).not.toContain(PASSWORD);
  });
});
