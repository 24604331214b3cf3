/**
 * Exponential backoff with full jitter: the ceiling of the wait doubles with every attempt made
 * (from `baseMs` up to `maxMs`) and the wait is a uniform draw below it, so that many clients hit
 * by the same outage do not come back in step. Unit-agnostic: the product uses milliseconds.
 */

/** The two numbers of a backoff. */
export interface BackoffSettings {
  /** The ceiling of the wait after the first failed attempt. */
  baseMs: number;
  /** No ceiling is higher than this. */
  maxMs: number;
}

// 2^53 is past every useful ceiling; a larger exponent only risks Infinity (and 0 * Infinity = NaN).
const MAX_EXPONENT = 53;

/**
 * The ceiling of the wait after `attemptsMade` attempts (1 after the first): `min(max, base * 2^(attemptsMade-1))`,
 * finite and in `[0, max]` for any input.
 */
export function backoffCeilingMs(attemptsMade: number, settings: BackoffSettings): number {
  const max = finiteAtLeastZero(settings.maxMs);
  const base = Math.min(finiteAtLeastZero(settings.baseMs), max);
  const exponent = Number.isFinite(attemptsMade) ? Math.min(Math.max(0, Math.floor(attemptsMade) - 1), MAX_EXPONENT) : MAX_EXPONENT;
  return Math.min(max, base * Math.pow(2, exponent));
}

/**
 * The wait after `attemptsMade` attempts: a whole number drawn uniformly from `[0, ceiling)` with
 * `random` (uniform in [0, 1); a draw outside it is clamped, so a broken source cannot make the
 * wait negative, NaN or above the ceiling).
 */
export function jitteredBackoffMs(attemptsMade: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = backoffCeilingMs(attemptsMade, settings);
  const draw = random();
  const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.min(Math.floor(unit * ceiling), Math.max(0, Math.ceil(ceiling) - 1));
}

/** Problems with backoff settings, each naming `prefix` + the field; empty when they are usable. */
export function backoffProblems(settings: BackoffSettings, prefix: { base: string; max: string }): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(settings.baseMs) || settings.baseMs < 0) problems.push(`${prefix.base} must be a number >= 0 (got ${String(settings.baseMs)})`);
  if (!Number.isFinite(settings.maxMs) || settings.maxMs < 0) problems.push(`${prefix.max} must be a number >= 0 (got ${String(settings.maxMs)})`);
  return problems;
}

function finiteAtLeastZero(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
