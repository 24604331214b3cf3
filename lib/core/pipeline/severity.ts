/**
 * The 0-10 severity scale of seed 002: syslog's levels inverted onto CEF's range, so that
 * CEF's bands (Low 0-3, Medium 4-6, High 7-8, Very-High 9-10) still read right in a SIEM.
 * 5 is deliberately unused, as in the seed.
 */
export const Severity = {
  Emergency: 10,
  Alert: 9,
  Critical: 8,
  Error: 7,
  Warning: 6,
  Notice: 4,
  Info: 3,
  Debug: 2,
  Trace: 1,
} as const;

/** One level of the scale, by name. */
export type SeverityName = keyof typeof Severity;

/** One level of the scale, as the number a CEF header carries. */
export type SeverityLevel = (typeof Severity)[SeverityName];

/** What each level means, in PAS 6.0's words; for the generated documentation. */
export const SEVERITY_MEANINGS: Readonly<Record<SeverityName, string>> = {
  Emergency: 'System is unusable',
  Alert: 'Action must be taken immediately',
  Critical: 'Critical conditions',
  Error: 'Error conditions',
  Warning: 'Warning conditions',
  Notice: 'Normal but significant conditions',
  Info: 'Informational messages',
  Debug: 'Debug-level messages',
  Trace: 'Trace-level messages',
};

const NAMES_BY_LEVEL = new Map<number, SeverityName>(
  (Object.entries(Severity) as Array<[SeverityName, SeverityLevel]>).map(([name, level]) => [level, name]),
);

/** The name of a level (`6` -> `Warning`). */
export function severityName(level: SeverityLevel): SeverityName {
  // Every SeverityLevel is in the map by construction.
  return NAMES_BY_LEVEL.get(level) as SeverityName;
}

/** The more severe of two levels. */
export function atLeast(level: SeverityLevel, floor: SeverityLevel): SeverityLevel {
  return level >= floor ? level : floor;
}
