/**
 * The outcome of {@link parseJsonText}: the value, or why the text is not JSON, as a phrase to
 * put after "is not valid JSON: " (such as `expected ',' or '}' after property value at line 3 column 5`).
 */
export type JsonTextResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Parses JSON text and, when it is not JSON, says where without quoting it. V8's own message
 * quotes the text around the error (`Unexpected token 'h', "{"password": hunter2"... is not
 * valid JSON`), and config text holds passwords, so that message never leaves this function.
 */
export function parseJsonText(text: string): JsonTextResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: describeSyntaxError(error, text) };
  }
}

function describeSyntaxError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (text.trim() === '') return 'empty';
  if (/Unexpected end of JSON input/.test(message)) return 'it ends before the JSON value is complete';
  const positioned = /^(.*?) in JSON at position (\d+)/.exec(message);
  if (positioned !== null) {
    const what = positioned[1] ?? 'syntax error';
    return `${lowerFirst(what)} at ${lineAndColumn(text, Number(positioned[2]))}`;
  }
  // "Unexpected token 'x', "...text..." is not valid JSON": keep only what is not a quote of the text.
  if (message.startsWith('Unexpected token')) return 'unexpected character';
  return 'syntax error';
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line} column ${column}`;
}

function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}
