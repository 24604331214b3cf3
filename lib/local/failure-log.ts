import type { JsonLog } from '../cli/json-log.js';
import { hideSecrets } from '../net/secret-texts.js';
import { hideTokenLike } from '../net/token-like.js';
import type { Clock } from '../core/time/clock.js';

/** The side of the pipeline a failed attempt went to. */
export type FailingSide = 'SIEM' | 'MPAS';

/** What failed: the SIEM of a route, or one MPAS endpoint. */
export interface FailureTarget {
  side: FailingSide;
  /** `route default` (SIEM), `events endpoint` (MPAS): how an operator finds it in the config. */
  name: string;
}

/** A target whose attempts fail since `since`, until one succeeds. */
export interface Outage extends FailureTarget {
  /** The last attempt's cause, secrets hidden. */
  cause: string;
  /** Epoch ms of the first failed attempt of this outage. */
  since: number;
  /** Failed attempts since then. */
  attempts: number;
}

/** Options of {@link FailureLog}. */
export interface FailureLogOptions {
  log: JsonLog;
  clock: Clock;
  /** During an outage, at most one summary line per this many milliseconds. */
  summaryEveryMs: number;
  /** Configured credential values: hidden wherever they show up in a cause. */
  secrets: readonly string[];
  /** Called when an outage starts, changes its cause or ends (for /health and the state file). */
  onChange?: () => void;
}

interface OpenOutage extends Outage {
  /** Kinds of cause already logged in full during this outage. */
  kindsLogged: Set<string>;
  /** Attempts since the last line about this outage. */
  unreported: number;
  lastLineAt: number;
}

/**
 * Logs failed attempts so an outage reads as a story, not a flood: the first failure of a target
 * (and each new kind of cause) at warn with the whole cause, then at most one summary line per
 * interval with the count, then one line when an attempt succeeds again. Every attempt is also
 * logged at debug. A timeout is flagged as a possible copy: the server may have stored what it
 * got before the answer was given up on.
 */
export class FailureLog {
  private readonly open = new Map<string, OpenOutage>();

  constructor(private readonly options: FailureLogOptions) {}

  /** One failed attempt against `target`, with why. */
  failed(target: FailureTarget, rawCause: string): void {
    const { log, clock } = this.options;
    const now = clock.now();
    const cause = hideTokenLike(hideSecrets(rawCause, this.options.secrets));
    const kind = causeKind(cause);
    const key = keyOf(target);
    const where = { side: target.side, target: target.name };
    log('debug', `${target.side} attempt failed`, { ...where, cause });
    let outage = this.open.get(key);
    if (!outage) {
      outage = { ...target, cause, since: now, attempts: 0, kindsLogged: new Set(), unreported: 0, lastLineAt: now };
      this.open.set(key, outage);
    }
    outage.attempts += 1;
    outage.cause = cause;
    if (!outage.kindsLogged.has(kind)) {
      outage.kindsLogged.add(kind);
      outage.unreported = 0;
      outage.lastLineAt = now;
      const note = isTimeout(cause) && target.side === 'SIEM' ? { note: 'the SIEM may have stored the request before the timeout: a retry can be a copy' } : {};
      log('warn', `${target.side} request failed`, { ...where, cause, attempts: outage.attempts, since: new Date(outage.since).toISOString(), ...note });
      this.options.onChange?.();
      return;
    }
    outage.unreported += 1;
    if (now - outage.lastLineAt >= this.options.summaryEveryMs) this.summarize(outage, now);
  }

  /** An attempt against `target` succeeded: its outage, if any, ends. */
  succeeded(target: FailureTarget): void {
    const key = keyOf(target);
    const outage = this.open.get(key);
    if (!outage) return;
    this.open.delete(key);
    const now = this.options.clock.now();
    this.options.log('info', `${target.side} recovered`, {
      side: target.side,
      target: target.name,
      failedAttempts: outage.attempts,
      outageSeconds: Math.round((now - outage.since) / 100) / 10,
      lastCause: outage.cause,
    });
    this.options.onChange?.();
  }

  /** Writes the summary of every outage with attempts not yet reported (at a stop). */
  flush(): void {
    const now = this.options.clock.now();
    for (const outage of this.open.values()) if (outage.unreported > 0) this.summarize(outage, now);
  }

  /** The targets failing now, oldest outage first. */
  outages(): Outage[] {
    return [...this.open.values()]
      .sort((a, b) => a.since - b.since)
      .map(({ side, name, cause, since, attempts }) => ({ side, name, cause, since, attempts }));
  }

  private summarize(outage: OpenOutage, now: number): void {
    this.options.log('warn', `${outage.side} still failing`, {
      side: outage.side,
      target: outage.name,
      attemptsSinceLastLine: outage.unreported,
      attempts: outage.attempts,
      since: new Date(outage.since).toISOString(),
      cause: outage.cause,
    });
    outage.unreported = 0;
    outage.lastLineAt = now;
  }
}

function keyOf(target: FailureTarget): string {
  return `${target.side}\u0000${target.name}`;
}

/**
 * What makes two causes the same failure: the status (`HTTP 401`), or the text before the first
 * colon (`timeout`, `connection error ECONNREFUSED`), so a body or a port that differs between
 * attempts does not count as news.
 */
export function causeKind(cause: string): string {
  const status = /\bHTTP (\d{3})\b/.exec(cause);
  if (status) return `HTTP ${status[1]}`;
  const colon = cause.indexOf(':');
  return colon < 0 ? cause : cause.slice(0, colon);
}

function isTimeout(cause: string): boolean {
  return cause.startsWith('timeout');
}
