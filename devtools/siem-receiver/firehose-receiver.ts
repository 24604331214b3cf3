import { randomUUID } from 'node:crypto';
import type { AwsOperation, AwsReceivedEntry, EntryFailer } from './aws-json-receiver.js';
import { RECEIVER_ACCOUNT, RECEIVER_REGION } from './eventbridge-receiver.js';

/** The local Firehose's settings. */
export interface FirehoseReceiverOptions {
  /** The Firehose streams that exist, by name. */
  streams: readonly string[];
}

const MAX_RECORDS = 500;
const MAX_RECORD_BYTES = 1_000 * 1024;
const MAX_CALL_BYTES = 4 * 1024 * 1024;

/**
 * PutRecordBatch and DescribeDeliveryStream as Firehose answers them: an unknown stream is
 * ResourceNotFoundException; more than 500 records, a record over 1,000 KiB or records over
 * 4 MiB together (decoded from base64) refuse the call (InvalidArgumentException); a record
 * `failer` names fails alone, counted in FailedPutCount, and the others are stored.
 */
export function createFirehoseApi(options: FirehoseReceiverOptions, failer: () => EntryFailer | undefined): Array<[string, AwsOperation]> {
  const streams = new Set(options.streams);
  const notFound = (name: unknown) => ({ status: 400, errorType: 'ResourceNotFoundException', message: `Firehose ${String(name)} under account ${RECEIVER_ACCOUNT} not found.` });

  const putRecordBatch: AwsOperation = (input) => {
    const name = input['DeliveryStreamName'];
    if (typeof name !== 'string' || !streams.has(name)) return notFound(name);
    const records = input['Records'];
    if (!Array.isArray(records) || records.length < 1 || records.length > MAX_RECORDS) {
      return { status: 400, errorType: 'InvalidArgumentException', message: `Records must hold 1 to ${MAX_RECORDS} records` };
    }
    const data = records.map((record) => Buffer.from(String((record as { Data?: unknown } | null)?.Data ?? ''), 'base64'));
    const largest = Math.max(...data.map((bytes) => bytes.length));
    if (largest > MAX_RECORD_BYTES) return { status: 400, errorType: 'InvalidArgumentException', message: `Record size ${largest} exceeds the limit of ${MAX_RECORD_BYTES} bytes` };
    const total = data.reduce((sum, bytes) => sum + bytes.length, 0);
    if (total > MAX_CALL_BYTES) return { status: 400, errorType: 'InvalidArgumentException', message: `Records size ${total} exceeds the limit of ${MAX_CALL_BYTES} bytes` };
    const stored: AwsReceivedEntry[] = [];
    const responses = data.map((bytes) => {
      const received: AwsReceivedEntry = { api: 'firehose', text: bytes.toString('utf8'), meta: { DeliveryStreamName: name } };
      const failure = failer()?.(received);
      if (failure) return { ErrorCode: failure.code, ErrorMessage: failure.message };
      stored.push(received);
      return { RecordId: randomUUID() };
    });
    const failed = responses.filter((response) => 'ErrorCode' in response).length;
    return { status: 200, body: { FailedPutCount: failed, Encrypted: false, RequestResponses: responses }, stored };
  };

  const describeDeliveryStream: AwsOperation = (input) => {
    const name = input['DeliveryStreamName'];
    if (typeof name !== 'string' || !streams.has(name)) return notFound(name);
    const description = {
      DeliveryStreamName: name,
      DeliveryStreamARN: `arn:aws:firehose:${RECEIVER_REGION}:${RECEIVER_ACCOUNT}:deliverystream/${name}`,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      Destinations: [],
      HasMoreDestinations: false,
    };
    return { status: 200, body: { DeliveryStreamDescription: description }, stored: [] };
  };

  return [
    ['Firehose_20150804.PutRecordBatch', putRecordBatch],
    ['Firehose_20150804.DescribeDeliveryStream', describeDeliveryStream],
  ];
}
