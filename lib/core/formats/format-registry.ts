import type { Stream } from '../events/event-schemas.js';
import { createCefFormatter } from './cef-formatter.js';
import { cefLineSeverity } from './cef-severity.js';
import { createEcsFormatter, ecsSeverity } from './ecs/ecs-formatter.js';
import type { Formatter } from './formatter.js';
import { jsonEnvelopeFormatter } from './json-envelope.js';
import { createOcsfFormatter, ocsfSeverityOf } from './ocsf/ocsf-formatter.js';
import type { OcsfVersion } from './ocsf/ocsf-version.js';
import { envelopeSeverity } from './json-envelope-severity.js';
import { createLeefFormatter, leefLineSeverity } from './leef/leef-formatter.js';

/**
 * What a format's text is, which is all a sink needs to know to frame it: a `document` is one
 * JSON object (sent as it is in a JSON array or NDJSON, merged into a SIEM's own record), a
 * `line` is one line of text (sent as a string or as a syslog message).
 */
export type FormatKind = 'document' | 'line';

/** What every formatter may be built with. */
export interface FormatterOptions {
  /** The package version, for formats that name the product's version in each event. */
  version: string;
  /** The `ocsf` format: the OCSF release to write; the newest (OCSF_VERSION) when absent. */
  ocsfVersion?: OcsfVersion;
}

/** One `SIEM_FORMAT` value. */
export interface FormatDefinition {
  readonly kind: FormatKind;
  /** Called once per destination at start-up: a function, so a row may load its code only when chosen. */
  create(options: FormatterOptions): Formatter;
  /**
   * The catalog severity (0-10, lib/core/pipeline/severity.ts) read back from one of this
   * format's texts, for a sink that must say it in its own framing (syslog's PRI); undefined when
   * the text does not hold one.
   */
  readSeverity(payload: string, stream: Stream): number | undefined;
}

/** Every format, by its `SIEM_FORMAT` name: a new format is one file and one row here. */
const FORMATS = {
  json: { kind: 'document', create: () => jsonEnvelopeFormatter, readSeverity: envelopeSeverity },
  cef: { kind: 'line', create: ({ version }) => createCefFormatter({ version }), readSeverity: cefLineSeverity },
  ecs: { kind: 'document', create: ({ version }) => createEcsFormatter({ version }), readSeverity: ecsSeverity },
  leef: { kind: 'line', create: ({ version }) => createLeefFormatter({ version }), readSeverity: leefLineSeverity },
  ocsf: { kind: 'document', create: ({ version, ocsfVersion }) => createOcsfFormatter({ version, ...(ocsfVersion === undefined ? {} : { ocsfVersion }) }), readSeverity: ocsfSeverityOf },
} as const satisfies Record<string, FormatDefinition>;

/** A `SIEM_FORMAT` value. */
export type FormatName = keyof typeof FORMATS;

/** The format names, in the registry's order, for the settings' schemas and their messages. */
export const FORMAT_NAMES = Object.keys(FORMATS) as [FormatName, ...FormatName[]];

/** The registry row of a format. */
export function formatDefinition(name: FormatName): FormatDefinition {
  return FORMATS[name];
}

/** Whether a format's texts are JSON documents or lines. */
export function formatKind(name: FormatName): FormatKind {
  return FORMATS[name].kind;
}

/** The formatter of a configured format. */
export function formatterFor(name: FormatName, options: FormatterOptions): Formatter {
  return FORMATS[name].create(options);
}
