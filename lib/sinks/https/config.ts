import * as z from 'zod';
import { objectError, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** A generic HTTPS endpoint that accepts POSTed JSON or CEF (the original product's only sink). */
export const httpsSiemSchema = z.strictObject({ type: z.literal('https'), ...siemCommonShape }, objectError);

/** The https SIEM type: its settings, and its sink built from them. */
export const httpsSinkType = defineSinkType('https', httpsSiemSchema, async (config) => {
  const { createHttpsSink } = await import('./https-sink.js');
  return createHttpsSink({ ...sharedSinkOptions(config), batch: config.batch, auth: config.auth });
});
