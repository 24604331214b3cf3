import * as z from 'zod';
import { booleanValue, intIn, unionErrorFor } from '../../config/config-values.js';
import { objectError, oneLineSecret, oneLineText, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** HEC takes its token alone: `Authorization: Splunk <token>` (SIEM_TOKEN). */
const hecTokenSchema = z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('bearer'), token: oneLineSecret() })], {
  error: unionErrorFor('must be the HEC token alone: SIEM_TOKEN, or {"kind": "bearer", "token": "..."} in the file'),
});

/** Splunk HTTP Event Collector: `url` is the HEC base URL (`https://splunk.example.com:8088`). */
export const splunkHecSiemSchema = z.strictObject(
  {
    type: z.literal('splunk-hec'),
    ...siemCommonShape,
    auth: hecTokenSchema,
    splunk: z
      .strictObject(
        {
          /** Absent: the token's default index. */
          index: oneLineText().optional(),
          source: oneLineText().default('mpas-log-sync'),
          /** Absent: `mpas:event` for JSON, `cef` for CEF. */
          sourcetype: oneLineText().optional(),
          /** Absent: HEC records the sender's address. */
          host: oneLineText().optional(),
          /** Indexer acknowledgement: a request counts once HEC confirms it. */
          useAck: booleanValue.default(false),
          ackTimeoutMs: intIn(1_000, 600_000).default(60_000),
        },
        objectError,
      )
      // prefault, not default: an absent block is parsed as {} so its own defaults apply.
      .prefault({}),
  },
  objectError,
);

/** The splunk-hec SIEM type: its settings, and its sink built from them. */
export const splunkHecSinkType = defineSinkType('splunk-hec', splunkHecSiemSchema, async (config) => {
  const { createSplunkHecSink } = await import('./splunk-hec-sink.js');
  return createSplunkHecSink({
    ...sharedSinkOptions(config),
    token: config.auth.token,
    index: config.splunk.index,
    source: config.splunk.source,
    sourcetype: config.splunk.sourcetype,
    host: config.splunk.host,
    useAck: config.splunk.useAck,
    ackTimeoutMs: config.splunk.ackTimeoutMs,
  });
});
