import { describe, expect, it } from 'vitest';
import { splitConcatenatedJson } from '../../../devtools/siem-receiver/concatenated-json.js';

describe('splitConcatenatedJson', () => {
  it('reads objects written back to back, on lines, or with spaces between', () => {
    expect(splitConcatenatedJson('{"a":1}{"b":2}')).toEqual({ values: [{ a: 1 }, { b: 2 }] });
    expect(splitConcatenatedJson(' {"a":1}\n\n{"b":[1,{"c":"}"}]}\r\n')).toEqual({ values: [{ a: 1 }, { b: [1, { c: '}' }] }] });
  });

  it('is not fooled by braces and escaped quotes inside strings', () => {
    expect(splitConcatenatedJson('{"s":"a\\"}{"}{"t":"\\\\"}')).toEqual({ values: [{ s: 'a"}{' }, { t: '\\' }] });
  });

  it('stops at the first invalid object and numbers it as HEC does', () => {
    expect(splitConcatenatedJson('{"a":1}{"b":2}{"c":}{"d":4}')).toEqual({ values: [{ a: 1 }, { b: 2 }], invalidAt: 2 });
    expect(splitConcatenatedJson('{"a":1} [1]')).toEqual({ values: [{ a: 1 }], invalidAt: 1 });
    expect(splitConcatenatedJson('{"a":1}{"b":')).toEqual({ values: [{ a: 1 }], invalidAt: 1 });
    expect(splitConcatenatedJson('garbage')).toEqual({ values: [], invalidAt: 0 });
  });

  it('reads an empty body as no objects', () => {
    expect(splitConcatenatedJson('  \n')).toEqual({ values: [] });
  });
});
