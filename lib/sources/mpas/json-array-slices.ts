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
 * Where each element of a JSON array lies in `bytes` (UTF-8), and how deep it nests:
 * `[start0, end0, depth0, start1, end1, depth1, ...]`, ends exclusive, depth counted in objects
 * and arrays (a scalar is 0, `{}` is 1, `{"a":[1]}` is 2), or `undefined` when the text is not an
 * array (another top-level value, a stray byte between elements, unbalanced brackets, an
 * unterminated string). Tracks only strings and nesting, in one pass without recursion (any depth
 * is measured, none overflows a stack): each element's own text is for `JSON.parse` to judge, so
 * a malformed element is still a slice and its neighbours are still found. For valid JSON the
 * slices are exactly the array's elements; `{`, `}`, `[`, `]`, `,` and `"` are ASCII and never
 * inside a multi-byte character.
 */
export function jsonArrayElements(bytes: Uint8Array): number[] | undefined {
  const length = bytes.length;
  let index = 0;
  while (index < length && isJsonWhitespace(bytes[index]!)) index += 1;
  if (bytes[index] !== OPEN_BRACKET) return undefined;
  index += 1;
  const elements: number[] = [];
  // After `[` or an element: a comma is allowed only between elements, `]` only after `[` or one.
  let expectElement = true;
  let afterComma = false;
  while (index < length) {
    const byte = bytes[index]!;
    if (isJsonWhitespace(byte)) {
      index += 1;
      continue;
    }
    if (byte === CLOSE_BRACKET && !(expectElement && afterComma)) {
      index += 1;
      while (index < length && isJsonWhitespace(bytes[index]!)) index += 1;
      return index === length ? elements : undefined;
    }
    if (expectElement) {
      if (byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE) return undefined;
      let end: number;
      let depth = 0;
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        end = nestedEnd(bytes, index, elements);
        if (end < 0) return undefined;
        depth = elements.pop()!;
      } else if (byte === QUOTE) {
        end = stringEnd(bytes, index);
        if (end < 0) return undefined;
      } else {
        end = index + 1;
        while (end < length && !isScalarEnd(bytes[end]!)) end += 1;
      }
      elements.push(index, end, depth);
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

function isScalarEnd(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE || byte === OPEN_BRACE || byte === OPEN_BRACKET || byte === QUOTE || isJsonWhitespace(byte);
}

/** The index just past the string that opens at `start`, or -1 when it does not close. */
function stringEnd(bytes: Uint8Array, start: number): number {
  const length = bytes.length;
  for (let index = start + 1; index < length; index += 1) {
    const byte = bytes[index]!;
    // A backslash escapes the byte after it, whatever it is.
    if (byte === BACKSLASH) index += 1;
    else if (byte === QUOTE) return index + 1;
  }
  return -1;
}

/**
 * The index just past the object or array that opens at `start`, or -1 when it does not close
 * (or closes with the other bracket); its deepest nesting is pushed onto `depthOut`.
 */
function nestedEnd(bytes: Uint8Array, start: number, depthOut: number[]): number {
  const length = bytes.length;
  const opener = bytes[start]!;
  let depth = 0;
  let deepest = 0;
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
      if (depth > deepest) deepest = depth;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) {
        if ((opener === OPEN_BRACE) !== (byte === CLOSE_BRACE)) return -1;
        depthOut.push(deepest);
        return index + 1;
      }
    }
  }
  return -1;
}

/**
 * How deep the JSON text `text` nests (as {@link jsonArrayElements} counts), in one pass without
 * recursion. Strings are skipped; the text's validity is for `JSON.parse` to judge.
 */
export function jsonTextDepth(text: string): number {
  const length = text.length;
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      for (index += 1; index < length; index += 1) {
        const inner = text.charCodeAt(index);
        if (inner === BACKSLASH) index += 1;
        else if (inner === QUOTE) break;
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return deepest;
}
