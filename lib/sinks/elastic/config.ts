import * as z from 'zod';
import { secret, text, unionErrorFor } from '../../config/config-values.js';
import { objectError, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** The default target: a data stream that Elasticsearch's built-in `logs` template creates on first write. */
export const DEFAULT_ELASTIC_INDEX = 'logs-mpas-default';

/** Elasticsearch / OpenSearch take an API key (SIEM_API_KEY), basic credentials, or none (security off). */
const elasticAuthSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('none') }),
      // The encoded key as Kibana shows it, or id:api_key; one word either way.
      z.strictObject({ kind: z.literal('apiKey'), apiKey: secret().regex(/^\S+$/, { error: 'must be one word: the encoded key, or id:api_key' }) }),
      z.strictObject({ kind: z.literal('basic'), username: text().regex(/^[^:]*$/, { error: 'must not contain ":"' }), password: secret() }),
    ],
    { error: unionErrorFor('must be one of none, apiKey, basic: SIEM_API_KEY, or SIEM_USERNAME and SIEM_PASSWORD') },
  )
  .default({ kind: 'none' });

/** Elasticsearch's rules for index and data stream names. */
const elasticIndexName = text()
  .regex(/^(?![-_+])[^A-Z\\/*?"<>| ,#:]{1,255}$/, { error: 'must be an index or data stream name: lowercase, no spaces or \\/*?"<>|,#:, not starting with -, _ or +' })
  .refine((name) => name !== '.' && name !== '..', { error: 'must not be . or ..' });

/** Elasticsearch or OpenSearch `_bulk`: `url` is the cluster's base URL (`https://es.example.com:9200`). */
export const elasticSiemSchema = z.strictObject(
  {
    type: z.literal('elastic'),
    ...siemCommonShape,
    auth: elasticAuthSchema,
    elastic: z
      .strictObject(
        {
          /** A data stream of the built-in `logs-*-*` template by default. */
          index: elasticIndexName.default(DEFAULT_ELASTIC_INDEX),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** The elastic SIEM type: its settings, and its sink built from them. */
export const elasticSinkType = defineSinkType('elastic', elasticSiemSchema, async (config) => {
  const { createElasticBulkSink } = await import('./elastic-bulk-sink.js');
  return createElasticBulkSink({ ...sharedSinkOptions(config), auth: config.auth, index: config.elastic.index });
});
