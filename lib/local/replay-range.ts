import { createHash } from 'node:crypto';
import { DATE_FORMS, parseDateText } from '../config/date-text.js';
import type { Stream } from '../core/events/event-schemas.js';

/** What a backfill or replay reads: a time range of some realms' streams. */
export interface ReplayRange {
  kind: 'backfill' | 'replay';
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, inclusive; absent for a backfill without `--to`: `now - settle` at every run. */
  to?: number;
  realms: readonly string[];
  streams: readonly Stream[];
}

/** A date the user typed that is not one. */
export class ReplayRangeError extends Error {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
    this.name = 'ReplayRangeError';
  }
}

/**
 * Parses `--from`/`--to` as MPAS_START_FROM is parsed (lib/config/date-text.ts).
 * @throws ReplayRangeError naming the option.
 */
export function parseReplayDate(option: string, value: string): number {
  const time = parseDateText(value);
  if (time === undefined) throw new ReplayRangeError(`--${option} must be ${DATE_FORMS}, got "${value}"`, option);
  return time;
}

/**
 * The name of the range's own cursor in the state directory (`<tenant>.replay-<hash>`), so a
 * replay never moves the live cursor and an interrupted one resumes where it stopped. A backfill
 * without an end is keyed without it: its end is "now" at every run, and a rerun continues.
 */
export function replayCursorName(tenant: string, range: ReplayRange): string {
  const identity = JSON.stringify({ from: range.from, to: range.to ?? null, realms: [...range.realms].sort(), streams: [...range.streams].sort() });
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return `${tenant}.${range.kind}-${hash}`;
}
