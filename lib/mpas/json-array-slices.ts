const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** Space, tab, CR or LF: the only bytes JSON allows between tokens. */
export function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Where each object of a JSON array of objects lies in `bytes` (UTF-8): `[start0, end0, start1,
 * end1, ...]`, ends exclusive, or `undefined` when the text is not shaped so (another top-level
 * value, a stray byte between elements, unbalanced brackets, an unterminated string). Tracks only
 * strings and nesting: each object's own text is for `JSON.parse` to judge. For valid JSON the
 * slices are exactly the array's elements, so parsing them one by one gives what `JSON.parse`
 * of the whole gives; `{`, `}` and `"` are ASCII and never inside a multi-byte character.
 */
export function jsonArrayObjectSlices(bytes: Uint8Array): number[] | undefined {
  const length = bytes.length;
  let index = 0;
  while (index < length && isJsonWhitespace(bytes[index]!)) index += 1;
  if (bytes[index] !== OPEN_BRACKET) return undefined;
  index += 1;
  const slices: number[] = [];
  // After `[` or an element: a comma is allowed only between elements, `]` only after `[` or one.
  let expectElement = true;
  let afterComma = false;
  while (index < length) {
    const byte = bytes[index]!;
    if (isJsonWhitespace(byte)) {
      index += 1;
      continue;
    }
    if (byte === CLOSE_BRACKET) {
      if (afterComma) return undefined;
      index += 1;
      while (index < length && isJsonWhitespace(bytes[index]!)) index += 1;
      return index === length ? slices : undefined;
    }
    if (expectElement) {
      if (byte !== OPEN_BRACE) return undefined;
      const end = objectEnd(bytes, index);
      if (end < 0) return undefined;
      slices.push(index, end);
      index = end;
      expectElement = false;
      afterComma = false;
      continue;
    }
    if (byte !== COMMA) return undefined;
    index += 1;
    expectElement = true;
    afterComma = true;
  }
  return undefined;
}

/** The index just past the object that opens at `start`, or -1 when it does not close. */
function objectEnd(bytes: Uint8Array, start: number): number {
  const length = bytes.length;
  let depth = 0;
  for (let index = start; index < length; index += 1) {
    const byte = bytes[index]!;
    if (byte === QUOTE) {
      // Skip the string: a backslash escapes the byte after it, whatever it is.
      for (index += 1; index < length; index += 1) {
        const inner = bytes[index]!;
        if (inner === BACKSLASH) index += 1;
        else if (inner === QUOTE) break;
      }
      if (index >= length) return -1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) return byte === CLOSE_BRACE ? index + 1 : -1;
    }
  }
  return -1;
}
