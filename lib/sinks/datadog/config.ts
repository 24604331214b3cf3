import * as z from 'zod';
import { secret, unionErrorFor } from '../../config/config-values.js';
import { objectError, oneLineText, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** Datadog takes its API key alone (SIEM_API_KEY), sent as `DD-API-KEY`. */
const datadogKeySchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('apiKey'), apiKey: secret().regex(/^\S+$/, { error: 'must be one word' }) })], {
  error: unionErrorFor('must be the Datadog API key alone: SIEM_API_KEY, or {"kind": "apiKey", "apiKey": "..."} in the file'),
});

/** Datadog Logs: `url` is the site's HTTP intake (`https://http-intake.logs.datadoghq.eu`). */
export const datadogSiemSchema = z.strictObject(
  {
    type: z.literal('datadog'),
    ...siemCommonShape,
    auth: datadogKeySchema,
    datadog: z
      .strictObject(
        {
          /** `ddsource`: which log pipeline parses the events. */
          source: oneLineText().default('mpas'),
          service: oneLineText().default('mpas-log-sync'),
          hostname: oneLineText().optional(),
          /** `ddtags`: comma-separated `key:value` tags. */
          tags: oneLineText().optional(),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** The datadog SIEM type: its settings, and its sink built from them. */
export const datadogSinkType = defineSinkType('datadog', datadogSiemSchema, async (config) => {
  const { createDatadogLogsSink } = await import('./datadog-logs-sink.js');
  return createDatadogLogsSink({ ...sharedSinkOptions(config), apiKey: config.auth.apiKey, ...config.datadog });
});
