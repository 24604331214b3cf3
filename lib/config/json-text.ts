/**
 * The outcome of {@link parseJsonText}: the value, or why the text is not JSON, as a phrase to
 * put after "is not valid JSON: " (such as `unexpected character at line 3 column 5`).
 */
export type JsonTextResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Parses JSON text and, when it is not JSON, says where without quoting it. V8's own message
 * quotes the text around the error (`Unexpected token 'h', "{"password": hunter2"... is not
 * valid JSON`) and often gives no position, and config text holds passwords, so that message
 * never leaves this function: the position comes from a scan of our own.
 */
export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    if (text.trim() === '') return { ok: false, reason: 'empty' };
    const at = firstErrorAt(text);
    if (at === undefined) return { ok: false, reason: 'syntax error' };
    if (at >= text.length) return { ok: false, reason: 'it ends before the JSON value is complete' };
    return { ok: false, reason: `unexpected character at ${lineAndColumn(text, at)}` };
  }
}

class SyntaxAt {
  constructor(readonly at: number) {}
}

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** The offset of the first character that JSON's grammar (RFC 8259) does not allow there. */
function firstErrorAt(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i += 1;
  };
  const expectChar = (char: string): void => {
    skipSpace();
    if (text.charAt(i) !== char) fail();
    i += 1;
  };
  const string = (): void => {
    expectChar('"');
    for (;;) {
      const char = text.charAt(i);
      if (char === '' || char < ' ') fail();
      if (char === '"') break;
      if (char === '\\') i += /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(i + 1, i + 6))?.[0].length ?? fail();
      i += 1;
    }
    i += 1;
  };
  const sequence = (close: string, item: () => void): void => {
    i += 1;
    skipSpace();
    if (text.charAt(i) === close) {
      i += 1;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text.charAt(i) === close) break;
      expectChar(',');
    }
    i += 1;
  };
  const member = (): void => {
    string();
    expectChar(':');
    value();
  };
  const value = (): void => {
    skipSpace();
    const char = text.charAt(i);
    if (char === '{') return sequence('}', member);
    if (char === '[') return sequence(']', value);
    if (char === '"') return string();
    LITERAL.lastIndex = i;
    if (LITERAL.exec(text) === null) fail();
    i = LITERAL.lastIndex;
  };
  try {
    value();
    skipSpace();
    return i < text.length ? i : undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.at;
    // Nesting deep enough to exhaust the stack: no position, but still no quote.
    return undefined;
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line} column ${column}`;
}
