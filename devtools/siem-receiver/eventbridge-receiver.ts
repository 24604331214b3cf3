import { randomUUID } from 'node:crypto';
import type { AwsAnswer, AwsOperation, AwsReceivedEntry, EntryFailer } from './aws-json-receiver.js';

/** The local EventBridge's settings. */
export interface EventBridgeReceiverOptions {
  /** Buses beside `default` that exist, by name. */
  buses?: readonly string[];
}

/** The account and region of the buses' ARNs. */
export const RECEIVER_ACCOUNT = '111122223333';
export const RECEIVER_REGION = 'us-east-1';

const MAX_ENTRIES = 10;
const MAX_ENTRIES_BYTES = 262_144;

/**
 * PutEvents and DescribeEventBus as EventBridge answers them: more than 10 entries, or entries
 * whose sizes (as EventBridge's user guide counts them: 14 for Time, Source, DetailType, Detail,
 * Resources) add up to over 256 KB, refuse the call (ValidationException); an unknown bus is
 * ResourceNotFoundException; an entry without Source or DetailType (InvalidArgument), with a
 * Detail that is no JSON object (MalformedDetail), with an `aws.` source
 * (NotAuthorizedForSourceException) or one `failer` names fails alone, counted in
 * FailedEntryCount, and the others are stored.
 */
export function createEventBridgeApi(options: EventBridgeReceiverOptions, failer: () => EntryFailer | undefined): Array<[string, AwsOperation]> {
  const buses = new Set(['default', ...(options.buses ?? [])]);
  const busName = (value: unknown): string => (typeof value === 'string' ? value.replace(/^arn:[^:]+:events:[^:]*:\d+:event-bus\//, '') : 'default');

  const putEvents: AwsOperation = (input) => {
    const entries = input['Entries'];
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      return validation(`Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
    }
    const fields = entries.map((entry) => (typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {}));
    const total = fields.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > MAX_ENTRIES_BYTES) return validation('Total size of the entries in the request is over the limit.');
    const unknown = fields.map((entry) => busName(entry['EventBusName'])).find((name) => !buses.has(name));
    if (unknown !== undefined) return { status: 400, errorType: 'ResourceNotFoundException', message: `Event bus ${unknown} does not exist.` };
    const stored: AwsReceivedEntry[] = [];
    const results = fields.map((entry) => {
      const refusal = refusalOf(entry);
      if (refusal) return { ErrorCode: refusal.code, ErrorMessage: refusal.message };
      const received: AwsReceivedEntry = {
        api: 'eventbridge',
        text: entry['Detail'] as string,
        meta: { EventBusName: busName(entry['EventBusName']), Source: entry['Source'], DetailType: entry['DetailType'], Time: entry['Time'], Resources: entry['Resources'] ?? [] },
      };
      const failure = failer()?.(received);
      if (failure) return { ErrorCode: failure.code, ErrorMessage: failure.message };
      stored.push(received);
      return { EventId: randomUUID() };
    });
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    return { status: 200, body: { FailedEntryCount: failed, Entries: results }, stored };
  };

  const describeEventBus: AwsOperation = (input) => {
    const name = busName(input['Name']);
    if (!buses.has(name)) return { status: 400, errorType: 'ResourceNotFoundException', message: `Event bus ${name} does not exist.` };
    return { status: 200, body: { Name: name, Arn: `arn:aws:events:${RECEIVER_REGION}:${RECEIVER_ACCOUNT}:event-bus/${name}` }, stored: [] };
  };

  return [
    ['AWSEvents.PutEvents', putEvents],
    ['AWSEvents.DescribeEventBus', describeEventBus],
  ];
}

/** An entry's size as EventBridge counts it against its limits. */
function entrySize(entry: Record<string, unknown>): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry['Resources']) ? entry['Resources'] : [];
  return (entry['Time'] === undefined ? 0 : 14) + bytes(entry['Source']) + bytes(entry['DetailType']) + bytes(entry['Detail']) + resources.reduce((sum: number, resource) => sum + bytes(resource), 0);
}

/** Why EventBridge would refuse this entry alone, if it would. */
function refusalOf(entry: Record<string, unknown>): { code: string; message: string } | undefined {
  for (const name of ['Source', 'DetailType', 'Detail']) {
    if (typeof entry[name] !== 'string' || entry[name] === '') return { code: 'InvalidArgument', message: `Parameter(s) ${name} is not valid.` };
  }
  if ((entry['Source'] as string).startsWith('aws.')) return { code: 'NotAuthorizedForSourceException', message: 'Not authorized for the source.' };
  try {
    const detail: unknown = JSON.parse(entry['Detail'] as string);
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { code: 'MalformedDetail', message: 'Detail is malformed.' };
  } catch {
    return { code: 'MalformedDetail', message: 'Detail is malformed.' };
  }
  return undefined;
}

function validation(message: string): AwsAnswer {
  return { status: 400, errorType: 'ValidationException', message: `1 validation error detected: ${message}` };
}
