import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonArrayObjectSlices } from '../../../lib/mpas/json-array-slices.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

function objectsOf(text: string): unknown[] | undefined {
  const buffer = bytes(text);
  const slices = jsonArrayObjectSlices(buffer);
  if (!slices) return undefined;
  const objects: unknown[] = [];
  for (let index = 0; index < slices.length; index += 2) objects.push(JSON.parse(buffer.toString('utf8', slices[index], slices[index + 1])));
  return objects;
}

/** JSON whitespace put between the tokens of `JSON.stringify(value, null, indent)`'s output. */
const jsonWhitespace = fc.string({ unit: fc.constantFrom(' ', '\n', '\r', '\t'), maxLength: 3 });

describe('jsonArrayObjectSlices', () => {
  it('finds each object of an array, whatever its strings and nesting hold', () => {
    const page = [{ a: '{[', b: { c: ['}', ']', { d: '"\\"}' }] } }, {}, { e: 'é ü 日本 😀', f: null, g: [1, [2, [3]]] }];
    expect(objectsOf(JSON.stringify(page))).toEqual(page);
    expect(objectsOf(JSON.stringify(page, null, 2))).toEqual(page);
    expect(objectsOf(' \r\n\t[ ] \n')).toEqual([]);
  });

  it('gives the elements JSON.parse gives, for any array of objects with any whitespace between tokens (seeded property)', () => {
    const seed = 5150;
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), { maxLength: 8 }),
        fc.constantFrom(undefined, 1, '\t'),
        jsonWhitespace,
        jsonWhitespace,
        (page, indent, before, after) => {
          const text = `${before}${JSON.stringify(page, null, indent)}${after}`;
          expect(objectsOf(text), `seed ${seed}: ${text}`).toEqual(JSON.parse(text));
        },
      ),
      { seed, numRuns: 400 },
    );
  });

  it('refuses what is not an array of objects, so that the whole text is judged instead', () => {
    for (const text of [
      '',
      '{"a":1}',
      '[1,2]',
      '[{"a":1},2]',
      '["{}"]',
      '[{"a":1},]',
      '[,{"a":1}]',
      '[{"a":1} {"b":2}]',
      '[{"a":1}] x',
      '[{"a":1}',
      '[{"a":"}]',
      '[{"a":[1}]',
      '\ufeff[{"a":1}]',
      '[{"a":1}]]',
    ]) {
      expect(jsonArrayObjectSlices(bytes(text)), text).toBeUndefined();
    }
  });

  it('leaves judging an object to JSON.parse: a malformed one is still a slice', () => {
    // Balanced, so the slicer takes it; JSON.parse of the slice refuses it.
    const text = '[{"a":1,,}]';
    expect(jsonArrayObjectSlices(bytes(text))).toEqual([1, 10]);
    expect(() => objectsOf(text)).toThrow(SyntaxError);
  });
});
