import * as z from 'zod';

/** The CEF standard's length limits, in characters; longer values are truncated. */
export const CEF_LIMITS = {
  vendor: 63,
  product: 63,
  version: 31,
  signatureId: 1023,
  name: 512,
  act: 63,
  outcome: 63,
  reason: 1023,
  request: 1023,
  suser: 1023,
  suid: 1023,
  duser: 1023,
  duid: 1023,
  externalId: 40,
  customString: 4000,
  customStringLabel: 1023,
} as const;

/** Settings of the CEF formatter. */
export interface CefFormatterOptions {
  /** Device Vendor of the header. @default 'Kelvin Zero' */
  vendor?: string;
  /** Device Product of the header. @default 'MPAS' */
  product?: string;
  /** Device Version of the header: the caller passes the package version. @default 'unknown' */
  version?: string;
  /** `cs`: the event's unmapped fields go to `cs6` as compact JSON; `drop`: they are left out. @default 'cs' */
  extraDetails?: 'cs' | 'drop';
}

/** The options with every default applied. */
export type ResolvedCefOptions = Required<CefFormatterOptions>;

/** A CEF formatter setting is invalid; `setting` names it (`cef.vendor`). */
export class CefOptionsError extends Error {
  override readonly name = 'CefOptionsError';
  constructor(
    readonly setting: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}`, options);
  }
}

function headerSetting(maxLength: number) {
  return z
    .string({ error: 'expected a string' })
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `at most ${maxLength} characters (the CEF header limit)` })
    .refine((value) => !/[\r\n]/.test(value), { error: 'must not contain line breaks' });
}

const optionsSchema = z.object({
  vendor: headerSetting(CEF_LIMITS.vendor).default('Kelvin Zero'),
  product: headerSetting(CEF_LIMITS.product).default('MPAS'),
  version: headerSetting(CEF_LIMITS.version).default('unknown'),
  extraDetails: z.enum(['cs', 'drop'], { error: 'expected "cs" or "drop"' }).default('cs'),
});

/** Validates the options and applies the defaults; throws `CefOptionsError` naming the bad setting. */
export function resolveCefOptions(options: CefFormatterOptions = {}): ResolvedCefOptions {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const setting = ['cef', ...(issue?.path ?? []).map(String)].join('.');
  throw new CefOptionsError(setting, issue?.message ?? 'invalid', { cause: parsed.error });
}
