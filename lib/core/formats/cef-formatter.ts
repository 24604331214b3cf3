import { escapeExtensionValue, escapeHeaderField } from './cef-escape.js';
import type { CefFields } from './cef-fields.js';
import { writeCefLine } from './cef-line-writer.js';
import { resolveCefOptions } from './cef-options.js';
import type { CefFormatterOptions } from './cef-options.js';
import type { Formatter } from './formatter.js';

/**
 * Writes mapped fields as one CEF line; extension keys are fixed ASCII and need no escaping.
 * `cefLine(cefFields(...))` is the reference the formatter's one-pass `writeCefLine` must equal.
 */
export function cefLine(fields: CefFields): string {
  // Plain concatenation: this runs once per event, and arrays joined per line cost more than the text.
  let line = 'CEF:0|' + escapeHeaderField(fields.vendor) + '|' + escapeHeaderField(fields.product) + '|' + escapeHeaderField(fields.version) +
    '|' + escapeHeaderField(fields.signatureId) + '|' + escapeHeaderField(fields.name) + '|' + fields.severity + '|';
  const { extension } = fields;
  for (let index = 0; index < extension.length; index += 1) {
    const [key, value] = extension[index]!;
    line += (index > 0 ? ' ' : '') + key + '=' + escapeExtensionValue(value);
  }
  return line;
}

/**
 * The `cef` format (PAS 6.0's audit-log design, docs/origins.md): `CEF:0|Kelvin Zero|MPAS|<version>|<signatureId>|<name>|<severity>|<ext>`,
 * signature id, name and severity from the event catalog, one line per event whatever its content.
 * Options are checked here, once; a bad one throws `CefOptionsError` naming it.
 */
export function createCefFormatter(options?: CefFormatterOptions): Formatter {
  const resolved = resolveCefOptions(options);
  return {
    format: 'cef',
    encode(event, context) {
      // One pass, without the field list (the forwarder's hot path): see cef-line-writer.ts.
      return writeCefLine(event, context, resolved);
    },
  };
}
