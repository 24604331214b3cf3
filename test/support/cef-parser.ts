/**
 * A strict CEF parser for tests: it accepts only what the ArcSight standard allows and throws on
 * anything else (a raw line break, an unknown escape, a pair without a key), so a test that parses
 * our output proves the output is valid, not merely that some lenient reader copes with it.
 */

/** A parsed CEF line: the seven header fields, unescaped, and the extension pairs in order. */
export interface ParsedCef {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  extension: Array<[key: string, value: string]>;
}

/** The line is not valid CEF; `position` is the offending character's index, when there is one. */
export class CefParseError extends Error {
  override readonly name = 'CefParseError';
  constructor(
    readonly problem: string,
    readonly position?: number,
  ) {
    super(position === undefined ? problem : `${problem} at ${position}`);
  }
}

const HEADER_FIELDS = 7;
const EXTENSION_UNESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '=': '=', n: '\n', r: '\r' };
const KEY = /^[A-Za-z0-9_]+$/;

/** Splits the 7 header fields (honouring `\|` and `\\`) and parses the extension. */
export function parseCef(line: string): ParsedCef {
  const lineBreak = line.search(/[\r\n]/);
  if (lineBreak >= 0) throw new CefParseError('raw line break', lineBreak);
  if (!line.startsWith('CEF:')) throw new CefParseError('line does not start with "CEF:"', 0);
  const fields: string[] = [];
  let current = '';
  let index = 0;
  while (fields.length < HEADER_FIELDS) {
    if (index >= line.length) throw new CefParseError(`only ${fields.length} header fields`, index);
    const char = line[index] as string;
    if (char === '\\') {
      const next = line[index + 1];
      if (next !== '\\' && next !== '|') throw new CefParseError(`invalid header escape "\\${next ?? ''}"`, index);
      current += next;
      index += 2;
    } else if (char === '|') {
      fields.push(current);
      current = '';
      index += 1;
    } else {
      current += char;
      index += 1;
    }
  }
  const [version, vendor, product, deviceVersion, signatureId, name, severity] = fields as [string, string, string, string, string, string, string];
  return {
    version: version.slice('CEF:'.length),
    vendor,
    product,
    deviceVersion,
    signatureId,
    name,
    severity,
    extension: parseExtension(line.slice(index), index),
  };
}

interface Unit {
  char: string;
  escaped: boolean;
  position: number;
}

function unescapeExtension(text: string, offset: number): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (char !== '\\') {
      units.push({ char, escaped: false, position: offset + i });
      continue;
    }
    const next = text[i + 1];
    const decoded = next === undefined ? undefined : EXTENSION_UNESCAPES[next];
    if (decoded === undefined) throw new CefParseError(`invalid extension escape "\\${next ?? ''}"`, offset + i);
    units.push({ char: decoded, escaped: true, position: offset + i });
    i += 1;
  }
  return units;
}

/**
 * key=value pairs separated by spaces, where values may contain spaces: the key is the last word
 * before an unescaped `=`, and the value runs to the space before the next key.
 */
function parseExtension(text: string, offset: number): Array<[string, string]> {
  if (text.length === 0) return [];
  const units = unescapeExtension(text, offset);
  const equals = units.flatMap((unit, i) => (unit.char === '=' && !unit.escaped ? [i] : []));
  if (equals.length === 0) throw new CefParseError('extension without any key=value pair', offset);
  const pairs: Array<[string, string]> = [];
  let valueStart = 0;
  let pendingKey: string | undefined;
  for (const equal of equals) {
    let keyStart = equal;
    while (keyStart > valueStart && !(units[keyStart - 1]?.char === ' ' && !units[keyStart - 1]?.escaped)) keyStart -= 1;
    const key = join(units, keyStart, equal);
    if (!KEY.test(key) || units.slice(keyStart, equal).some((unit) => unit.escaped)) {
      throw new CefParseError(`invalid extension key "${key}"`, units[keyStart]?.position);
    }
    if (pendingKey === undefined) {
      if (keyStart !== 0) throw new CefParseError('text before the first extension key', offset);
    } else {
      if (keyStart === valueStart) throw new CefParseError(`no space before key "${key}"`, units[keyStart]?.position);
      // keyStart - 1 is the separating space: it belongs to neither the value nor the key.
      pairs.push([pendingKey, join(units, valueStart, keyStart - 1)]);
    }
    pendingKey = key;
    valueStart = equal + 1;
  }
  pairs.push([pendingKey as string, join(units, valueStart, units.length)]);
  return pairs;
}

function join(units: Unit[], from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i += 1) text += (units[i] as Unit).char;
  return text;
}
