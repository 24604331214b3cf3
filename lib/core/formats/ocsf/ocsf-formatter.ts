import type { Stream } from '../../events/event-schemas.js';
import { describeAdminEvent, describeUserEvent } from '../../pipeline/event-catalog.js';
import type { Formatter } from '../formatter.js';
import { toOcsfEvent } from './ocsf-event.js';
import type { OcsfProduct } from './ocsf-event.js';

/** The `ocsf` format: one OCSF event (a JSON document) per event, of the class ocsf-classification.ts gives it. */
export function createOcsfFormatter(product: OcsfProduct): Formatter {
  return {
    format: 'ocsf',
    encode(event, context) {
      return JSON.stringify(toOcsfEvent(event, context, product));
    },
  };
}

/**
 * The catalog severity (0-10) of an `ocsf` document, for syslog's PRI: looked up in the catalog
 * from the Keycloak type in `metadata.event_code` and the failure in `status_id`, since
 * `severity_id` has fewer levels than the catalog.
 */
export function ocsfSeverityOf(payload: string, stream: Stream): number | undefined {
  let document: { metadata?: { event_code?: unknown }; status_id?: unknown };
  try {
    document = JSON.parse(payload) as typeof document;
  } catch {
    return undefined;
  }
  const code = document.metadata?.event_code;
  if (typeof code !== 'string' || code.length === 0) return undefined;
  const failed = document.status_id === 2;
  if (stream === 'user') return describeUserEvent(code, failed).severity;
  const space = code.indexOf(' ');
  return space < 0 ? describeAdminEvent(code, undefined, failed).severity : describeAdminEvent(code.slice(0, space), code.slice(space + 1), failed).severity;
}
