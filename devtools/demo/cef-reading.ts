/**
 * Reads what the demo shows of a CEF line: the signature id and the extension's key=value pairs.
 * Lenient where test/support/cef-parser.ts is strict (that one proves our output valid; this one
 * only looks at it), and kept here because lib/ and devtools/ do not reach into test/.
 */
export interface CefReading {
  signatureId: string;
  extension: Map<string, string>;
}

// A header field: anything up to an unescaped `|`. The signature id is the fifth of seven.
const FIELD = String.raw`(?:\\.|[^\\|])*`;
const HEADER = new RegExp(String.raw`^CEF:${FIELD}\|${FIELD}\|${FIELD}\|${FIELD}\|(${FIELD})\|${FIELD}\|${FIELD}\|`);
// A value runs to the space before the next key: a key is the word before an unescaped `=`.
const PAIR = /([A-Za-z0-9_]+)=((?:\\.|[^\\=])*?)(?= [A-Za-z0-9_]+=|$)/g;
const UNESCAPED: Readonly<Record<string, string>> = { n: '\n', r: '\r' };

/** The line's signature id and extension (values unescaped); undefined when it is no CEF line. */
export function readCefLine(line: string): CefReading | undefined {
  const header = HEADER.exec(line);
  if (!header) return undefined;
  const extension = new Map<string, string>();
  for (const [, key, value] of line.slice(header[0].length).matchAll(PAIR)) {
    extension.set(key!, value!.replace(/\\(.)/g, (_escape, char: string) => UNESCAPED[char] ?? char));
  }
  return { signatureId: header[1]!.replace(/\\(.)/g, '$1'), extension };
}

/** The value of the custom string field labelled `label` (`cs6Label=details` -> `cs6`). */
export function customString(reading: CefReading, label: string): string | undefined {
  for (const [key, value] of reading.extension) {
    if (value === label && /^cs\dLabel$/.test(key)) return reading.extension.get(key.slice(0, -'Label'.length));
  }
  return undefined;
}
