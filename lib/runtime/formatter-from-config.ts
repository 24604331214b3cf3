import { formatterFor } from '../core/formats/format-registry.js';
import type { Formatter } from '../core/formats/formatter.js';
import { SECURITY_LAKE_OCSF_VERSION } from '../core/formats/ocsf/ocsf-version.js';
import type { SiemTypeConfig } from '../sinks/sink-types.js';

/**
 * The formatter of one SIEM destination: its format, and for Amazon Security Lake the OCSF release
 * its custom sources take (older than the newest, which the `ocsf` format writes elsewhere).
 */
export function formatterFromConfig(siem: SiemTypeConfig, version: string): Formatter {
  return formatterFor(siem.format, { version, ...(siem.type === 'security-lake' ? { ocsfVersion: SECURITY_LAKE_OCSF_VERSION } : {}) });
}
