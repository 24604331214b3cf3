import { describe, expect, it } from 'vitest';
import type { DemoTally } from '../../../../devtools/demo/demo-display.js';
import { statusLine, tallyItem } from '../../../../devtools/demo/demo-display.js';
import { generateEvents } from '../../../../devtools/generators/event-generator.js';
import type { ReceivedItem } from '../../../../devtools/siem-receiver/siem-receiver.js';
import type { MpasEvent, Stream } from '../../../../lib/core/events/event-schemas.js';
import { createCefFormatter } from '../../../../lib/core/formats/cef-formatter.js';
import { formatKind, formatterFor } from '../../../../lib/core/formats/format-registry.js';
import { jsonEnvelopeFormatter } from '../../../../lib/core/formats/json-envelope.js';
import type { Formatter } from '../../../../lib/core/formats/formatter.js';
import { createRedactor, DEFAULT_ADMIN_REDACTED_FIELDS, DEFAULT_USER_REDACTED_FIELDS } from '../../../../lib/core/pipeline/redactor.js';

const { user, admin } = generateEvents({ seed: 20, realm: 'acme', count: 200, startTime: Date.UTC(2026, 10, 1), spacingMs: 1000, adminShare: 0.3 });
const redact = createRedactor({ mode: 'mask', userFields: DEFAULT_USER_REDACTED_FIELDS, adminFields: DEFAULT_ADMIN_REDACTED_FIELDS });

// Addresses masked, usernames and representations left in clear.
const addressesOnly = createRedactor({ mode: 'mask', userFields: ['ipAddress'], adminFields: ['authDetails.ipAddress'] });
const inClear = (event: MpasEvent): MpasEvent => event;

/** The events as the receiver hands them to the demo: redacted by `redactor`, formatted, one item each. */
function received(formatter: Formatter, redactor: (event: MpasEvent, stream: Stream) => MpasEvent = redact): ReceivedItem[] {
  const streams: Array<[Stream, MpasEvent[]]> = [['user', user], ['admin', admin]];
  return streams.flatMap(([stream, events]) =>
    events.map((event) => {
      const text = formatter.encode(redactor(event, stream), { tenant: 'demo', realm: 'acme', stream });
      const document = formatKind(formatter.format) === 'document';
      const format = formatter.format === 'cef' || formatter.format === 'leef' ? formatter.format : 'json';
      return { path: '/ingest', format, text, ...(document ? { json: JSON.parse(text) as unknown } : {}), receivedAt: 0 };
    }),
  );
}

function tallied(items: readonly ReceivedItem[]): { tally: DemoTally; lines: string[] } {
  const tally: DemoTally = { received: 0, byStream: { user: 0, admin: 0 }, duplicates: 0, unredacted: 0 };
  const seen = new Set<string>();
  const lines = items.map((item) => tallyItem(tally, seen, item).line);
  return { tally, lines };
}

describe('the demo display', () => {
  // Events whose masked fields hold a value in clear: what the check must find when redaction is off.
  const exposed = user.filter((event) => event.ipAddress || event.details?.['username']).length + admin.filter((event) => event.authDetails?.ipAddress || event.representation).length;
  const namesExposed = user.filter((event) => event.details?.['username']).length + admin.filter((event) => event.representation).length;

  it('counts CEF lines by stream, duplicates and the newest event as it counts the JSON envelope', () => {
    const json = tallied(received(jsonEnvelopeFormatter));
    const cef = tallied(received(createCefFormatter()));
    expect(json.tally).toEqual({ received: user.length + admin.length, byStream: { user: user.length, admin: admin.length }, duplicates: 0, unredacted: 0, newestEventTime: Math.max(...[...user, ...admin].map(({ time }) => time)) });
    expect(cef.tally).toEqual(json.tally);
    expect(cef.lines).toEqual(json.lines);
    expect(statusLine(cef.tally, cef.tally.newestEventTime! + 1500)).toBe(`SIEM received ${user.length + admin.length} (user ${user.length}, admin ${admin.length}) · duplicates 0 · unredacted 0 · newest event 1.5 s old`);

    const again = received(createCefFormatter());
    expect(tallied([...again, again[0]!, again.at(-1)!]).tally.duplicates).toBe(2);
  });

  it('counts ECS documents and LEEF lines as it counts the JSON envelope', () => {
    const json = tallied(received(jsonEnvelopeFormatter));
    for (const format of ['ecs', 'leef'] as const) {
      const other = tallied(received(formatterFor(format, { version: '1' })));
      expect(other.tally, format).toEqual(json.tally);
      expect(other.lines, format).toEqual(json.lines);
    }
  });

  it('finds in CEF lines, as in the envelope, every event whose address, username or representation arrived in clear', () => {
    expect([user.length, admin.length, exposed, namesExposed].every((count) => count > 0)).toBe(true);
    expect(namesExposed).toBeLessThan(exposed);
    for (const formatter of [jsonEnvelopeFormatter, createCefFormatter(), formatterFor('ecs', { version: '1' }), formatterFor('leef', { version: '1' })]) {
      expect(tallied(received(formatter, inClear)).tally.unredacted, formatter.format).toBe(exposed);
      expect(tallied(received(formatter, addressesOnly)).tally.unredacted, formatter.format).toBe(namesExposed);
    }
  });
});
