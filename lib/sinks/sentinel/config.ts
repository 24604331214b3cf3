import * as z from 'zod';
import { text, unionErrorFor } from '../../config/config-values.js';
import { httpsUrl, objectError, oneLineSecret, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** Microsoft Entra ID's public cloud authority. */
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** The stream name of the custom table the docs create. */
export const DEFAULT_SENTINEL_STREAM = 'Custom-MpasEvents_CL';

/** A GUID, the form of Entra ID's tenant and application ids. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Microsoft Sentinel through the Logs Ingestion API: `url` is the data collection endpoint (or
 * the DCR's own logs ingestion endpoint); an Entra ID app registration's client secret
 * (SIEM_CLIENT_SECRET) buys the tokens.
 */
export const sentinelSiemSchema = z.strictObject(
  {
    type: z.literal('sentinel'),
    ...siemCommonShape,
    auth: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('clientSecret'), clientSecret: oneLineSecret() })], {
      error: unionErrorFor('must be the app registration\'s client secret alone: SIEM_CLIENT_SECRET, or {"kind": "clientSecret", "clientSecret": "..."} in the file'),
    }),
    sentinel: z
      .strictObject(
        {
          tenantId: text().refine((value) => GUID.test(value) || /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i.test(value), {
            error: 'must be the directory (tenant) id, a GUID, or a domain such as contoso.onmicrosoft.com',
          }),
          clientId: text().regex(GUID, { error: 'must be the application (client) id, a GUID' }),
          dcrImmutableId: text().regex(/^dcr-[0-9a-f]{32}$/i, { error: 'must be the DCR immutable id: dcr- and 32 hexadecimal digits' }),
          streamName: text()
            .regex(/^(Custom|Microsoft)-[A-Za-z0-9_]+$/, { error: 'must be a DCR stream name such as Custom-MpasEvents_CL' })
            .default(DEFAULT_SENTINEL_STREAM),
          /** Entra ID's authority; a sovereign cloud's, or the local receiver in tests. */
          authorityHost: httpsUrl('must be an https:// URL (http only to a loopback host), such as https://login.microsoftonline.com').default(DEFAULT_AUTHORITY_HOST),
        },
        objectError,
      )
      // An absent block is parsed as {}, so each missing id is reported under its own variable.
      .prefault({} as { tenantId: string; clientId: string; dcrImmutableId: string }),
  },
  objectError,
);

/** The sentinel SIEM type: its settings, and its sink built from them. */
export const sentinelSinkType = defineSinkType('sentinel', sentinelSiemSchema, async (config) => {
  const { createSentinelLogsSink } = await import('./sentinel-logs-sink.js');
  return createSentinelLogsSink({ ...sharedSinkOptions(config), clientSecret: config.auth.clientSecret, ...config.sentinel });
});
