import type { Stream } from '../events/event-schemas.js';
import { describeAdminEvent, describeUserEvent } from '../pipeline/event-catalog.js';

/**
 * The catalog severity of a JSON envelope's event: the envelope carries none, so its event is
 * looked up in the catalog as the CEF formatter looks it up.
 */
export function envelopeSeverity(payload: string, stream: Stream): number | undefined {
  let inner: Record<string, unknown>;
  try {
    const envelope = JSON.parse(payload) as { event?: unknown };
    if (typeof envelope.event !== 'object' || envelope.event === null) return undefined;
    inner = envelope.event as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const failed = typeof inner['error'] === 'string' && inner['error'].length > 0;
  if (stream === 'user') return typeof inner['type'] === 'string' ? describeUserEvent(inner['type'], failed).severity : undefined;
  if (typeof inner['operationType'] !== 'string') return undefined;
  const resourceType = typeof inner['resourceType'] === 'string' ? inner['resourceType'] : undefined;
  return describeAdminEvent(inner['operationType'], resourceType, failed).severity;
}
