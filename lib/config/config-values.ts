import * as z from 'zod';
import { secretSettings } from './secret-registry.js';

/**
 * Building blocks of the configuration schema. Each one carries its own message, worded to
 * follow the setting's name ("MPAS_PAGE_SIZE: must be an integer from 1 to 5000"), and says
 * "is required" when the value is missing. No message echoes the value: the loader adds
 * `got ...` itself, and only for settings that are not secret.
 */

type IssueLike = { readonly input?: unknown };

/** An error function that tells a missing value from a wrong one. */
export function errorFor(what: string): (issue: IssueLike) => string {
  return (issue) => (issue.input === undefined ? 'is required' : what);
}

/**
 * The error function of a discriminated union: its own issues are a non-object input
 * (`invalid_type`) or a discriminator that matches no variant.
 */
export function unionErrorFor(what: string): (issue: IssueLike & { readonly code?: string }) => string {
  return (issue) => {
    if (issue.input === undefined) return 'is required';
    return issue.code === 'invalid_type' ? 'must be a JSON object' : what;
  };
}

/** An integer in `[min, max]`. */
export function intIn(min: number, max: number): z.ZodNumber {
  const error = errorFor(`must be an integer from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A non-empty string, trimmed of nothing: what the operator wrote is what is used. */
export function text(what = 'must be a non-empty string'): z.ZodString {
  const error = errorFor(what);
  return z.string({ error }).min(1, { error });
}

/**
 * A secret: any non-empty string, never trimmed (spaces may be part of a password). Its row in
 * env-var-table.ts is marked `secret`, which hides it in every output; the mark in
 * {@link secretSettings} lets a test check that the two agree.
 */
export function secret(minLength = 1): z.ZodString {
  const error = errorFor(minLength > 1 ? `must be at least ${minLength} characters long` : 'must be a non-empty string');
  return z.string({ error }).min(minLength, { error }).register(secretSettings, { secret: true });
}

/** One of a fixed list of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: errorFor(`must be one of ${values.join(', ')}`) });
}

/** `true` or `false`. */
export const booleanValue = z.boolean({ error: errorFor('must be true or false') });

/** An absolute http:// or https:// URL without user info. */
export function httpUrl(): z.ZodString {
  const error = errorFor('must be an absolute http:// or https:// URL');
  return z
    .string({ error })
    .refine((value) => {
      if (!URL.canParse(value)) return false;
      const protocol = new URL(value).protocol;
      return protocol === 'https:' || protocol === 'http:';
    }, { error })
    // A password in a URL ends up in logs and error messages; credentials have settings of their own.
    .refine((value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''), {
      error: 'must not carry a user name or password (user:password@): set the credentials in their own settings',
    });
}

/** A dotted path into an event, such as `details.username` (segments are never empty). */
export const dottedPath = z
  .string({ error: errorFor('must be a dotted field path such as details.username') })
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, { error: 'must be a dotted field path such as details.username' });

/** A list whose items must all differ (realm names, stream names). */
export function uniqueList<T extends z.ZodType<string>>(item: T, what: string) {
  return z
    .array(item, { error: errorFor(`must be a list of ${what}`) })
    .min(1, { error: `must name at least one ${what.replace(/s$/, '')}` })
    .refine((items) => new Set(items).size === items.length, { error: `must not name the same ${what.replace(/s$/, '')} twice` });
}

/** The path of a file the process reads (a CA bundle, ...): checked for readability at load. */
export const filePath = text('must be a file path');

/** True for `{...}` values (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
