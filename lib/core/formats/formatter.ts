import type { MpasEvent, Stream } from '../events/event-schemas.js';
import type { FormatName } from './format-registry.js';

/** What a formatter knows of an event besides the event itself. */
export interface FormatContext {
  tenant: string;
  realm: string;
  stream: Stream;
  /**
   * The event's key (`eventKey` of the event as read, before redaction changed it), for formats
   * that carry an id; absent, a format computes it from the event it is given.
   */
  key?: string;
}

/**
 * Turns one (already redacted) event into the text a SIEM receives for it: a JSON document or
 * one line, as its format's kind says (format-registry.ts). Sinks frame these texts (one per
 * request, array, NDJSON, HEC...).
 */
export interface Formatter {
  readonly format: FormatName;
  encode(event: MpasEvent, context: FormatContext): string;
}
