/**
 * Reads a body of JSON objects written one after the other (`{...}{...}` or one per line), as
 * Splunk HEC takes them. Stops at the first text that is not a complete, valid object:
 * `values` holds the objects before it and `invalidAt` its number (0-based), as HEC's
 * `invalid-event-number` does.
 */
export function splitConcatenatedJson(text: string): { values: unknown[]; invalidAt?: number } {
  const values: unknown[] = [];
  let position = skipWhitespace(text, 0);
  while (position < text.length) {
    const end = text[position] === '{' ? objectEnd(text, position) : undefined;
    if (end === undefined) return { values, invalidAt: values.length };
    try {
      values.push(JSON.parse(text.slice(position, end)) as unknown);
    } catch {
      return { values, invalidAt: values.length };
    }
    position = skipWhitespace(text, end);
  }
  return { values };
}

function skipWhitespace(text: string, from: number): number {
  let position = from;
  while (position < text.length && /\s/.test(text[position]!)) position += 1;
  return position;
}

/** The index just after the object that starts at `start`, or undefined when it never closes. */
function objectEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth += 1;
    } else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}
