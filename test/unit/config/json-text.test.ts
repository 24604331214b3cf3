import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../../lib/config/json-text.js';

describe('parseJsonText', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJsonText('{"a": [1, "x", null, true, -2.5e3]}')).toEqual({ ok: true, value: { a: [1, 'x', null, true, -2500] } });
  });

  it.each([
    ['a trailing comma in a list', '{"AND": [\n  {"type": 1},\n]}', 'unexpected character at line 3 column 1'],
    ['an unquoted value', '{\n  "password": hunter2hunter2\n}', 'unexpected character at line 2 column 15'],
    ['a missing colon', '{"a" 1}', 'unexpected character at line 1 column 6'],
    ['a bad escape', '{"a": "\\q"}', 'unexpected character at line 1 column 8'],
    ['text after the value', '{} {}', 'unexpected character at line 1 column 4'],
    ['a truncated object', '{"a": {"b": 1}', 'it ends before the JSON value is complete'],
    ['an unterminated string', '{"a": "secret', 'it ends before the JSON value is complete'],
    ['whitespace only', ' \n ', 'empty'],
  ])('says where %s is, without quoting the text', (_name, text, reason) => {
    expect(parseJsonText(text)).toEqual({ ok: false, reason });
  });

  it('locates an error in every text JSON.parse refuses (generated JSON, corrupted by one character)', () => {
    const seed = 20250212;
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\'), (json, at, insert) => {
        const text = json.slice(0, at % (json.length + 1)) + insert + json.slice(at % (json.length + 1));
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const result = parseJsonText(text);
        expect(result.ok).toBe(parses);
        // "syntax error" would mean our scan found no error where JSON.parse found one.
        if (!result.ok) expect(result.reason, `seed ${seed}, text ${JSON.stringify(text)}`).toMatch(/^(unexpected character at line \d+ column \d+|it ends before the JSON value is complete|empty)$/);
      }),
      { seed, numRuns: 500 },
    );
  });
});
