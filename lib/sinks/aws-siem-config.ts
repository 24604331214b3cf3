import * as z from 'zod';
import { errorFor, oneOf, text, unionErrorFor } from '../config/config-values.js';
import { FORMAT_NAMES, formatKind } from '../core/formats/format-registry.js';
import type { ProtocolSinkOptions } from './protocol-sink-options.js';
import { httpsUrl } from './siem-common-config.js';

/**
 * Settings the AWS API types (eventbridge, firehose) share beside siem-common-config's: the
 * endpoint override in place of the SIEM's URL, no credentials (the SDK's default chain), and
 * the region.
 */
export const awsSiemShape = {
  /** Another endpoint than the region's: a VPC interface endpoint, or a local server in tests. */
  url: httpsUrl().optional(),
  auth: z
    .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('none') })], {
      error: unionErrorFor('must be none: the AWS types sign with the role (on AWS) or the AWS credentials of the environment, never a SIEM credential'),
    })
    .default({ kind: 'none' }),
};

/** An AWS region name such as eu-west-1 or us-gov-west-1. */
export const awsRegion = text('must be an AWS region such as eu-west-1').regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be an AWS region such as eu-west-1' });

/** The region of an ARN (`arn:partition:service:region:account:resource`), when it is one. */
export function regionOfArn(value: string): string | undefined {
  const parts = value.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] !== '' ? parts[3] : undefined;
}

const DOCUMENT_FORMATS = FORMAT_NAMES.filter((name) => formatKind(name) === 'document');

/** `SIEM_FORMAT` for a type whose entries must be JSON documents: a line format is refused, naming the ones that fit. */
export function documentFormat(type: string) {
  const error = `must be a JSON document format for ${type} (${DOCUMENT_FORMATS.join(', ')}): its entries carry a JSON object, a line format such as cef does not fit`;
  return oneOf(FORMAT_NAMES)
    .refine((name) => formatKind(name) === 'document', { error })
    .default('json');
}

/** A name or ARN that `pattern` describes whole; `what` is the message when it does not. */
export function awsName(what: string, pattern: RegExp): z.ZodString {
  return z.string({ error: errorFor(what) }).regex(pattern, { error: what });
}

/** The shared settings of an AWS type as its sink takes them: `url` (SIEM_URL) is only the endpoint override. */
export function awsSinkOptions(config: Omit<ProtocolSinkOptions, 'url' | 'gzip' | 'caFile'> & { url?: string | undefined }): Omit<ProtocolSinkOptions, 'url' | 'gzip' | 'caFile'> & { endpoint: string | undefined } {
  const { format, timeoutMs, concurrency, maxBatchEvents, maxBatchBytes, attempts, url } = config;
  return { format, timeoutMs, concurrency, maxBatchEvents, maxBatchBytes, attempts, endpoint: url };
}
