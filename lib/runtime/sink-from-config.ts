import type { SiemConfig } from '../config/siem-config-schema.js';
import type { Sink } from '../sinks/sink.js';
import { createSinkFor } from '../sinks/sink-types.js';

/** The sink of the configured SIEM type (each type builds its own, see lib/sinks/sink-types.ts). */
export function sinkFromConfig(siem: SiemConfig): Sink {
  return createSinkFor(siem);
}
