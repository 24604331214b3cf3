import * as z from 'zod';
import { uniqueList } from '../../config/config-values.js';
import { awsName, awsRegion, awsSinkOptions, awsSiemShape, documentFormat, regionOfArn } from '../aws-siem-config.js';
import { objectError, oneLineText, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';

/** `Source` of every entry, unless set. */
export const DEFAULT_EVENTBRIDGE_SOURCE = 'mpas-log-sync';
/** `DetailType` of the user events' entries, unless set: rules match on it to tell the streams apart. */
export const DEFAULT_USER_DETAIL_TYPE = 'MPAS User Event';
/** `DetailType` of the admin events' entries, unless set. */
export const DEFAULT_ADMIN_DETAIL_TYPE = 'MPAS Admin Event';

const BUS = /^([/.\-_A-Za-z0-9]{1,256}|arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]{1,256})$/;

/** EventBridge's DetailType: free-form, at most 128 characters. */
const detailType = () => oneLineText().max(128, { error: 'must be at most 128 characters (EventBridge\'s limit of DetailType)' });

/**
 * Amazon EventBridge: PutEvents to a bus, each event one entry whose `Detail` is the formatted
 * JSON document. `url` only overrides the endpoint; the region is `region`, else the bus ARN's,
 * else the SDK's (AWS_REGION).
 */
export const eventBridgeSiemSchema = z.strictObject(
  {
    type: z.literal('eventbridge'),
    ...siemCommonShape,
    ...awsSiemShape,
    format: documentFormat('eventbridge'),
    eventbridge: z
      .strictObject(
        {
          bus: awsName('must be an event bus name or ARN (arn:aws:events:<region>:<account>:event-bus/<name>)', BUS).default('default'),
          source: oneLineText()
            .max(256, { error: 'must be at most 256 characters' })
            .refine((value) => !value.startsWith('aws.'), { error: 'must not start with "aws.": EventBridge keeps those sources for AWS services' })
            .default(DEFAULT_EVENTBRIDGE_SOURCE),
          userDetailType: detailType().default(DEFAULT_USER_DETAIL_TYPE),
          adminDetailType: detailType().default(DEFAULT_ADMIN_DETAIL_TYPE),
          /** `Resources` of every entry: ARNs the events concern, for rules to match on. */
          resources: uniqueList(awsName('must be an ARN (arn:...)', /^arn:[^\s]+$/), 'resources').default([]),
          region: awsRegion.optional(),
        },
        objectError,
      )
      .refine(({ bus, region }) => region === undefined || regionOfArn(bus) === undefined || regionOfArn(bus) === region, {
        error: 'region differs from the region of the bus ARN: PutEvents goes to the bus\'s own region',
        path: ['region'],
      })
      .prefault({}),
  },
  objectError,
);

/** The eventbridge SIEM type: its settings, and its sink built from them. */
export const eventBridgeSinkType = defineSinkType('eventbridge', eventBridgeSiemSchema, async (config) => {
  const { createEventBridgeSink } = await import('./eventbridge-sink.js');
  const { bus, region, ...entry } = config.eventbridge;
  return createEventBridgeSink({
    ...awsSinkOptions(config),
    region: region ?? regionOfArn(bus),
    bus,
    ...entry,
  });
});
