import { createHash, createHmac } from 'node:crypto';
import type { MpasEvent, Stream } from '../events/event-schemas.js';
import { createRedactor } from './redactor.js';
import type { RedactionOptions, Redactor } from './redactor.js';

/**
 * How a route's redaction applies to events that rest (dead letters): they are stored redacted
 * and marked with the settings' fingerprint, so a redrive can tell events it must not redact
 * again from the unredacted ones an older version stored.
 */
export interface RedactionAtRest {
  /** Names the settings (mode, fields, hash key) without revealing the key. */
  fingerprint: string;
  /** The settings' redactor that leaves values already redacted (under any settings) as they are. */
  redactAgain: Redactor;
}

const FINGERPRINT_VERSION = 'r1:';

/**
 * The fingerprint of redaction settings: equal settings (in any field order) give equal
 * fingerprints, other fields, mode or hash key other ones. In hash mode it is an HMAC under the
 * hash key: it says whether the key changed but no more about it than any hashed value the SIEM
 * receives already does.
 */
export function redactionFingerprint(options: RedactionOptions): string {
  const described = JSON.stringify({
    mode: options.mode,
    userFields: [...new Set(options.userFields)].sort(),
    adminFields: [...new Set(options.adminFields)].sort(),
  });
  const digest = options.mode === 'hash' && options.hashKey !== undefined
    ? createHmac('sha256', options.hashKey).update(described).digest('base64url')
    : createHash('sha256').update(described).digest('base64url');
  return FINGERPRINT_VERSION + digest.slice(0, 22);
}

/** Builds the at-rest side of a route's redaction once, with its redactor. */
export function redactionAtRest(options: RedactionOptions): RedactionAtRest {
  return { fingerprint: redactionFingerprint(options), redactAgain: createRedactor(options, { keepRedacted: true }) };
}

/** What {@link redactionForRedrive} needs of a route's stages. */
export interface RedriveRedaction {
  redact: Redactor;
  atRest?: RedactionAtRest | undefined;
}

const unchanged: Redactor = (event) => event;

/**
 * How a redrive treats a dead letter's events, by the fingerprint they carry:
 * - `in-clear`: none (an older version stored them unredacted): redacted as any event;
 * - `as-stored`: the route's own: sent as stored;
 * - `other-settings`: the settings changed since: the route's settings are applied to what is
 *   still in clear, values already masked or hashed stay, so nothing is hashed twice.
 */
export type RedriveTreatment = 'in-clear' | 'as-stored' | 'other-settings';

/**
 * Dead-lettered events brought to the route's current redaction before they are sent again (see
 * {@link RedriveTreatment}), and the redactor to send them with: none, they are redacted already.
 */
export function redactionForRedrive(
  events: readonly MpasEvent[],
  stream: Stream,
  marker: string | undefined,
  stages: RedriveRedaction,
): { events: MpasEvent[]; redact: Redactor; treatment: RedriveTreatment } {
  if (marker === undefined) return { events: events.map((event) => stages.redact(event, stream)), redact: unchanged, treatment: 'in-clear' };
  if (marker === stages.atRest?.fingerprint) return { events: [...events], redact: unchanged, treatment: 'as-stored' };
  // Stages without an at-rest side (hand-built in tests) have only their redactor to offer.
  const redact = stages.atRest?.redactAgain ?? stages.redact;
  return { events: events.map((event) => redact(event, stream)), redact: unchanged, treatment: 'other-settings' };
}
