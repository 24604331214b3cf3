import type { SeverityLevel } from '../../pipeline/severity.js';

/** An OCSF `severity_id` with its caption (dictionary.json, `severity_id`). */
export interface OcsfSeverity {
  readonly id: number;
  readonly caption: string;
}

/**
 * The catalog's 0-10 severity (lib/core/pipeline/severity.ts) as OCSF's `severity_id`:
 * Trace, Debug and Info (1-3) are Informational (1); Notice (4) is Low (2); Warning (6) is
 * Medium (3); Error (7) is High (4); Critical (8) and Alert (9) are Critical (5); Emergency (10)
 * is Fatal (6); 0 is Unknown (0). The catalog gives failures at least Warning, so every failure
 * is at least Medium.
 */
export function ocsfSeverity(level: SeverityLevel | 0): OcsfSeverity {
  if (level >= 10) return { id: 6, caption: 'Fatal' };
  if (level >= 8) return { id: 5, caption: 'Critical' };
  if (level >= 7) return { id: 4, caption: 'High' };
  if (level >= 5) return { id: 3, caption: 'Medium' };
  if (level >= 4) return { id: 2, caption: 'Low' };
  if (level >= 1) return { id: 1, caption: 'Informational' };
  return { id: 0, caption: 'Unknown' };
}
