/**
 * How text is written into a LEEF 2.0 line. IBM's LEEF guide defines no escape sequences: it
 * asks that keys and values hold neither the attribute delimiter nor line breaks, and that the
 * header's fields be split on `|`. So the escapes here are CEF's (cef-escape.ts: `\\`, `\|` in
 * the header, `\=` in values, `\n` `\r`) and `\t` for tabs, plus the
 * delimiter written as `\xHH` when it is not a tab: a line never holds a raw delimiter inside a
 * value, nor a line break anywhere (docs/siems.md, "QRadar with LEEF").
 */

/** A header field: `\` and `|` escaped, line breaks made spaces (a header is one line). */
export function escapeLeefHeader(value: string): string {
  return value.replace(/\r\n|[\r\n]/g, ' ').replace(/[\\|]/g, (char) => '\\' + char);
}

/** The escape of each special character in a value, for a given delimiter. */
export function valueEscaper(delimiter: string): (value: string) => string {
  const escapes = new Map<string, string>([
    ['\\', '\\\\'],
    ['=', '\\='],
    ['\n', '\\n'],
    ['\r', '\\r'],
    ['\t', '\\t'],
  ]);
  if (!escapes.has(delimiter)) escapes.set(delimiter, '\\x' + hex(delimiter));
  const special = new RegExp('[' + [...escapes.keys()].map((char) => '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0')).join('') + ']', 'g');
  return (value) => value.replace(special, (char) => escapes.get(char)!);
}

/** The delimiter as the header declares it: a printable character as itself, any other as `xHH`. */
export function declaredDelimiter(delimiter: string): string {
  return /^[\x21-\x7e]$/.test(delimiter) && delimiter !== '|' && delimiter !== '\\' ? delimiter : 'x' + hex(delimiter);
}

function hex(char: string): string {
  return char.charCodeAt(0).toString(16).padStart(2, '0');
}
