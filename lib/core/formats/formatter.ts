import type { MpasEvent, Stream } from '../events/event-schemas.js';

/** What a formatter knows of an event besides the event itself. */
export interface FormatContext {
  tenant: string;
  realm: string;
  stream: Stream;
}

/**
 * Turns one (already redacted) event into the text a SIEM receives for it: a JSON document for
 * `json`, a CEF line for `cef`. Sinks frame these texts (one per request, array, NDJSON, HEC...).
 */
export interface Formatter {
  readonly format: 'json' | 'cef';
  encode(event: MpasEvent, context: FormatContext): string;
}
