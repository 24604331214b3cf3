import * as z from 'zod';
import { secret, text, unionErrorFor } from '../../config/config-values.js';
import { objectError, oneLineText, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** Sumo Logic: `url` is the collection endpoint, the token (SIEM_TOKEN) the source URL's last part. */
export const sumoLogicSiemSchema = z.strictObject(
  {
    type: z.literal('sumo-logic'),
    ...siemCommonShape,
    // The source URL as Sumo shows it ends in the token; kept in the URL it would be printed and
    // deployed as a plain setting, so it is refused and the token goes to SIEM_TOKEN, a secret.
    url: siemCommonShape.url.refine((value) => !/\/receiver\/v1\/http\/[^/?#]/i.test(value), {
      error: 'holds the source\'s token (the part after /receiver/v1/http/): set the URL up to that part and the token in SIEM_TOKEN',
    }),
    auth: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('bearer'), token: secret().regex(/^[^/?#\s]+$/, { error: 'must be the last part of the source URL alone' }) })], {
      error: unionErrorFor('must be the HTTP Source token alone: SIEM_TOKEN, or {"kind": "bearer", "token": "..."} in the file'),
    }),
    sumo: z
      .strictObject(
        {
          category: oneLineText().optional(),
          sourceName: oneLineText().optional(),
          host: oneLineText().optional(),
          /** `X-Sumo-Fields`: `key=value` pairs, comma-separated. */
          fields: text()
            .regex(/^[A-Za-z0-9_.-]+=[^,=\r\n]*(,[A-Za-z0-9_.-]+=[^,=\r\n]*)*$/, { error: 'must be key=value pairs separated by commas, such as tenant=acme,env=prod' })
            .optional(),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** The sumo-logic SIEM type: its settings, and its sink built from them. */
export const sumoLogicSinkType = defineSinkType('sumo-logic', sumoLogicSiemSchema, async (config) => {
  const { createSumoLogicSink } = await import('./sumo-logic-sink.js');
  return createSumoLogicSink({ ...sharedSinkOptions(config), token: config.auth.token, ...config.sumo });
});
