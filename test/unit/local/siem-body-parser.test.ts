import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyRejection, parseSiemBody } from '../../../devtools/siem-receiver/siem-body-parser.js';

const NDJSON = 'application/x-ndjson';
const MAX = 1024 * 1024;

function rejectionOf(run: () => unknown): BodyRejection {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BodyRejection);
    return error as BodyRejection;
  }
  throw new Error('expected the body to be refused');
}

describe('parseSiemBody, NDJSON', () => {
  it('takes one item per non-blank line, trimmed, with CRLF line ends and a byte order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\r\n\r\n  {"b":"é"}  \n\n[2]\r\n')]);
    const items = parseSiemBody(body, NDJSON, undefined, MAX);
    expect(items.map(({ format, text }) => ({ format, text }))).toEqual([
      { format: 'json', text: '{"a":1}' },
      { format: 'json', text: '{"b":"é"}' },
      { format: 'json', text: '[2]' },
    ]);
    expect(items.map(({ json }) => json)).toEqual([{ a: 1 }, { b: 'é' }, [2]]);
  });

  it('gives every lazy item the same getter, so all of them share one shape, and parses a document once', () => {
    const items = parseSiemBody(Buffer.from('{"a":1}\n{"a":2}\n'), NDJSON, undefined, MAX);
    const getters = items.map((item) => Object.getOwnPropertyDescriptor(item, 'json')?.get);
    expect(getters[0]).toBeTypeOf('function');
    expect(getters[1]).toBe(getters[0]);
    expect(items[0]!.json).toBe(items[0]!.json);
    expect({ ...items[1] }).toEqual({ format: 'json', text: '{"a":2}', json: { a: 2 } });
  });

  it('names the first line that is not JSON, counting non-blank lines', () => {
    const rejection = rejectionOf(() => parseSiemBody(Buffer.from('{"a":1}\n\n{"a":\n'), NDJSON, undefined, MAX));
    expect(rejection.status).toBe(400);
    expect(rejection.message).toBe('NDJSON line 2 is not JSON');
  });

  it('refuses a body of blank lines as empty', () => {
    expect(rejectionOf(() => parseSiemBody(Buffer.from(' \r\n\n\t'), NDJSON, undefined, MAX)).message).toBe('empty body');
  });

  it('reads a gzipped body, and several documents on lines without the NDJSON type', () => {
    const text = '{"a":1}\n{"b":2}\n';
    expect(parseSiemBody(gzipSync(text), NDJSON, 'gzip', MAX).map(({ json }) => json)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseSiemBody(Buffer.from(text), 'application/json', undefined, MAX).map(({ text: line }) => line)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('gives what splitting the decoded text gives, for any documents and line framing (seeded property)', () => {
    const seed = 8086;
    const blank = fc.string({ unit: fc.constantFrom(' ', '\t', '\r'), maxLength: 2 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.jsonValue({ maxDepth: 2 }), blank, blank, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 12 }),
        (lines) => {
          const body = lines.map(([value, before, after, crlf, blankLineAfter]) => `${before}${JSON.stringify(value)}${after}${crlf ? '\r\n' : '\n'}${blankLineAfter ? '\n' : ''}`).join('');
          const expected = body.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
          const items = parseSiemBody(Buffer.from(body, 'utf8'), NDJSON, undefined, MAX);
          expect(items.map(({ text }) => text), `seed ${seed}: ${JSON.stringify(body)}`).toEqual(expected);
          expect(items.map(({ json }) => json), `seed ${seed}`).toEqual(expected.map((line) => JSON.parse(line)));
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});
