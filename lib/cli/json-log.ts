/** A structured log line writer: one JSON object per line, for log shippers. */
export type JsonLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

const ORDER = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** Writes JSON lines at or above `minimum` through `write`. Callers never pass secrets in `fields`. */
export function createJsonLog(write: (line: string) => void, minimum: keyof typeof ORDER, now: () => number = Date.now): JsonLog {
  return (level, message, fields = {}) => {
    if (ORDER[level] < ORDER[minimum]) return;
    write(JSON.stringify({ level, time: new Date(now()).toISOString(), message, ...fields }));
  };
}
