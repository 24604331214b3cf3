/**
 * Reads what the demo shows of a LEEF 2.0 line (lib/core/formats/leef/leef-formatter.ts): the
 * header's event id and the attributes, split on the delimiter the header declares, values
 * unescaped. Lenient: it only looks at our own output.
 */
export interface LeefReading {
  eventId: string;
  attributes: Map<string, string>;
}

// A header field: anything up to an unescaped `|`. The event id is the fourth after the version, the delimiter the fifth.
const FIELD = String.raw`(?:\\.|[^\\|])*`;
const HEADER = new RegExp(String.raw`^LEEF:2\.0\|${FIELD}\|${FIELD}\|${FIELD}\|(${FIELD})\|([^|]+)\|`);
const UNESCAPED: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

/** The line's event id and attributes; undefined when it is no LEEF 2.0 line. */
export function readLeefLine(line: string): LeefReading | undefined {
  const header = HEADER.exec(line);
  if (!header) return undefined;
  const declared = header[2]!;
  const delimiter = /^0?x[0-9a-f]{2}$/i.test(declared) ? String.fromCharCode(parseInt(declared.slice(-2), 16)) : declared;
  const attributes = new Map<string, string>();
  for (const pair of line.slice(header[0].length).split(delimiter)) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const value = pair.slice(equals + 1).replace(/\\x([0-9a-f]{2})|\\(.)/gi, (_escape, hex: string | undefined, char: string | undefined) =>
      hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : (UNESCAPED[char!] ?? char!),
    );
    attributes.set(pair.slice(0, equals), value);
  }
  return { eventId: header[1]!.replace(/\\(.)/g, '$1'), attributes };
}
