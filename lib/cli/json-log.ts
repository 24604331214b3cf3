/** A structured log line writer: one JSON object per line, for log shippers. */
export type JsonLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

const ORDER = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/**
 * Writes JSON lines at or above `minimum` through `write`. Callers never pass secrets in
 * `fields`; `secrets` (the configuration's, lib/local/config-secret-values.ts, which holds the
 * forms a JSON string gives them) are hidden in every line all the same, so one overlooked
 * field cannot print a credential.
 */
export function createJsonLog(write: (line: string) => void, minimum: keyof typeof ORDER, now: () => number = Date.now, secrets: readonly string[] = []): JsonLog {
  return (level, message, fields = {}) => {
    if (ORDER[level] < ORDER[minimum]) return;
    let line = JSON.stringify({ level, time: new Date(now()).toISOString(), message, ...fields });
    for (const secret of secrets) line = line.split(secret).join('***');
    write(line);
  };
}
