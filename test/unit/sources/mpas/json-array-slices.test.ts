import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonArrayElements, jsonTextDepth } from '../../../../lib/sources/mpas/json-array-slices.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

function elementsOf(text: string): unknown[] | undefined {
  const buffer = bytes(text);
  const slices = jsonArrayElements(buffer);
  if (!slices) return undefined;
  const elements: unknown[] = [];
  for (let index = 0; index < slices.length; index += 3) elements.push(JSON.parse(buffer.toString('utf8', slices[index], slices[index + 1])));
  return elements;
}

function depthsOf(text: string): number[] | undefined {
  const slices = jsonArrayElements(bytes(text));
  return slices?.filter((_value, index) => index % 3 === 2);
}

/** JSON whitespace put between the tokens of `JSON.stringify(value, null, indent)`'s output. */
const jsonWhitespace = fc.string({ unit: fc.constantFrom(' ', '\n', '\r', '\t'), maxLength: 3 });

describe('jsonArrayElements', () => {
  it('finds each element of an array, whatever its strings and nesting hold', () => {
    const page = [{ a: '{[', b: { c: ['}', ']', { d: '"\\"}' }] } }, {}, { e: 'é ü 日本 😀', f: null, g: [1, [2, [3]]] }, 42, 'x,]', null, [1, 2], true];
    expect(elementsOf(JSON.stringify(page))).toEqual(page);
    expect(elementsOf(JSON.stringify(page, null, 2))).toEqual(page);
    expect(elementsOf(' \r\n\t[ ] \n')).toEqual([]);
    expect(depthsOf(JSON.stringify(page))).toEqual([4, 1, 4, 0, 0, 0, 1, 0]);
  });

  it('gives the elements JSON.parse gives, for any array with any whitespace between tokens (seeded property)', () => {
    const seed = 5150;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 8 }),
        fc.constantFrom(undefined, 1, '\t'),
        jsonWhitespace,
        jsonWhitespace,
        (page, indent, before, after) => {
          const text = `${before}${JSON.stringify(page, null, indent)}${after}`;
          expect(elementsOf(text), `seed ${seed}: ${text}`).toEqual(JSON.parse(text));
        },
      ),
      { seed, numRuns: 400 },
    );
  });

  it('refuses what is not an array, so that the whole text is judged instead', () => {
    for (const text of ['', '{"a":1}', '[{"a":1},]', '[,{"a":1}]', '[{"a":1} {"b":2}]', '[{"a":1}] x', '[{"a":1}', '[{"a":"}]', '[{"a":[1}]', '\ufeff[{"a":1}]', '[{"a":1}]]', '[1 2]']) {
      expect(jsonArrayElements(bytes(text)), text).toBeUndefined();
    }
  });

  it('leaves judging an element to JSON.parse: a malformed one is still a slice, its neighbours are found', () => {
    const text = '[{"a":1,,},{"b":2}]';
    expect(jsonArrayElements(bytes(text))).toEqual([1, 10, 1, 11, 18, 1]);
  });

  it('measures 100,000 levels without recursion', () => {
    const depth = 100_000;
    const deep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const text = `[{"time":1},${deep},[${'['.repeat(depth)}${']'.repeat(depth)}]]`;
    expect(depthsOf(text)).toEqual([1, depth, depth + 1]);
  });
});

describe('jsonTextDepth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonTextDepth('"plain"')).toBe(0);
    expect(jsonTextDepth('{"a":"{[[[","b":[1,{"c":"\\"]"}]}')).toBe(3);
  });

  it('measures 100,000 levels without recursion', () => {
    expect(jsonTextDepth('['.repeat(100_000) + ']'.repeat(100_000))).toBe(100_000);
  });
});
