import * as z from 'zod';
import { oneOf } from '../../config/config-values.js';
import { FORMAT_NAMES } from '../../core/formats/format-registry.js';
import { awsName, awsRegion, awsSinkOptions, awsSiemShape, regionOfArn } from '../aws-siem-config.js';
import { objectError, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

const STREAM = /^([a-zA-Z0-9_.-]{1,64}|arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[a-zA-Z0-9_.-]{1,64})$/;

/** The stream's name: PutRecordBatch takes the name, in the region the client calls. */
export function streamNameOf(stream: string): string {
  return stream.startsWith('arn:') ? stream.slice(stream.indexOf('/') + 1) : stream;
}

/**
 * Amazon Data Firehose: PutRecordBatch to a Firehose stream, one newline-terminated record per
 * event (JSON documents and lines alike). `url` only overrides the endpoint; the region is
 * `region`, else the stream ARN's, else the SDK's (AWS_REGION).
 */
export const firehoseSiemSchema = z.strictObject(
  {
    type: z.literal('firehose'),
    ...siemCommonShape,
    ...awsSiemShape,
    format: oneOf(FORMAT_NAMES).default('json'),
    firehose: z
      .strictObject(
        {
          stream: awsName('must be a Firehose stream name (letters, digits, _ . -, at most 64) or its ARN (arn:aws:firehose:<region>:<account>:deliverystream/<name>)', STREAM),
          region: awsRegion.optional(),
        },
        objectError,
      )
      .refine(({ stream, region }) => region === undefined || regionOfArn(stream) === undefined || regionOfArn(stream) === region, {
        error: 'region differs from the region of the stream ARN: PutRecordBatch goes to the stream\'s own region',
        path: ['region'],
      })
      // An absent block is parsed as {}, so the missing stream is reported under its own variable.
      .prefault({} as { stream: string }),
  },
  objectError,
);

/** The firehose SIEM type: its settings, and its sink built from them. */
export const firehoseSinkType = defineSinkType('firehose', firehoseSiemSchema, async (config) => {
  const { createFirehoseSink } = await import('./firehose-sink.js');
  const { stream, region } = config.firehose;
  return createFirehoseSink({
    ...awsSinkOptions(config),
    region: region ?? regionOfArn(stream),
    streamName: streamNameOf(stream),
  });
});
