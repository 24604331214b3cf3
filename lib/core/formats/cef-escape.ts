/**
 * The escaping rules of the ArcSight CEF implementation standard, and the truncation that its
 * field length limits call for. Truncation happens on the raw value, before escaping, so it can
 * never cut an escape sequence (`\=`, `\\`, `\n`) in half.
 */

const HEADER_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '|': '\\|' };
const EXTENSION_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '=': '\\=', '\n': '\\n', '\r': '\\r' };
// Not global: a global regex keeps `lastIndex` between `test` calls.
const HEADER_SPECIAL = /[\\|]/;
const EXTENSION_SPECIAL = /[\\=\r\n]/;
const LINE_BREAK = /[\r\n]/;

/**
 * A header field (vendor, product, version, signature id, name): `\` and `|` escaped. The
 * standard allows line breaks only in extension values, so a header value must not contain any:
 * see `headerText`.
 */
export function escapeHeaderField(value: string): string {
  // Most values need no escape: a test allocates nothing, a replace always builds a new string.
  return HEADER_SPECIAL.test(value) ? value.replace(/[\\|]/g, (char) => HEADER_ESCAPES[char] as string) : value;
}

/**
 * An extension value: `\` and `=` escaped, line breaks written as the two characters `\n` and
 * `\r`, so the event stays on one line. `|` is left alone: only the header splits on it.
 */
export function escapeExtensionValue(value: string): string {
  return EXTENSION_SPECIAL.test(value) ? value.replace(/[\\=\r\n]/g, (char) => EXTENSION_ESCAPES[char] as string) : value;
}

/** A header value made one line: every line break (`\r\n`, `\n`, `\r`) becomes a space. */
export function headerText(value: string, maxLength: number): string {
  return truncate(LINE_BREAK.test(value) ? value.replace(/\r\n|[\r\n]/g, ' ') : value, maxLength);
}

/**
 * The first `maxLength` characters of `value`, counting code points (the standard's limits are in
 * characters), so an emoji or any other astral character is never split into a lone surrogate.
 */
export function truncate(value: string, maxLength: number): string {
  // A string of at most maxLength UTF-16 units has at most maxLength code points: the common case.
  if (value.length <= maxLength) return value;
  let codePoints = 0;
  let end = 0;
  while (end < value.length && codePoints < maxLength) {
    const code = value.charCodeAt(end);
    const isPair = code >= 0xd800 && code <= 0xdbff && end + 1 < value.length && isLowSurrogate(value.charCodeAt(end + 1));
    end += isPair ? 2 : 1;
    codePoints += 1;
  }
  return value.slice(0, end);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
