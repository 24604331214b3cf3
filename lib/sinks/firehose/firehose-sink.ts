import { DescribeDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { deliverInBatches } from '../batch-delivery.js';
import type { RequestOutcome } from '../batch-delivery.js';
import type { AwsApiSinkOptions } from '../aws-api-sink.js';
import { awsClientConfig, awsDeliverySettings, classifyAwsError, describeAwsHealthFailure, entryResultsOutcome } from '../aws-api-sink.js';
import type { Sink } from '../sink.js';
import { FIREHOSE_LIMITS, firehoseRecordBytes, firehoseRecordData, RETRYABLE_RECORD_ERRORS } from './firehose-records.js';

/** Settings of the Firehose sink. */
export interface FirehoseSinkOptions extends AwsApiSinkOptions {
  /** The Firehose stream's name, in the client's region. */
  streamName: string;
}

/**
 * Amazon Data Firehose: PutRecordBatch calls of at most 500 records and 4 MiB, one record per
 * event. A call answered with FailedPutCount sends again only its failed records whose code is
 * transient (ServiceUnavailableException, InternalFailure), with the engine's backoff; records
 * with another code are dropped with Firehose's reason, and a record over the limit is dropped
 * unsent. Firehose has no idempotency key: a call retried after a lost answer may deliver its
 * records twice.
 */
export function createFirehoseSink(options: FirehoseSinkOptions): Sink {
  const client = new FirehoseClient(awsClientConfig(options));
  const settings = awsDeliverySettings(options, FIREHOSE_LIMITS, 'per record');
  return {
    name: 'firehose',
    deliver: (events, signal) =>
      deliverInBatches(
        events,
        firehoseRecordBytes,
        async (indices, groupSignal): Promise<RequestOutcome> => {
          try {
            const records = indices.map((index) => ({ Data: firehoseRecordData(events[index]!) }));
            const answer = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: options.streamName, Records: records }), { abortSignal: groupSignal });
            return entryResultsOutcome({ api: 'Firehose', operation: 'PutRecordBatch', unit: 'records' }, indices.length, answer.RequestResponses ?? [], RETRYABLE_RECORD_ERRORS);
          } catch (error) {
            return classifyAwsError(error, indices.length);
          }
        },
        settings,
        signal,
      ),
    healthcheck: async (checkOptions = {}) => {
      if (checkOptions.sendTestEvent) return checkOptions.sendTestEvent();
      try {
        const answer = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: options.streamName }));
        const status = answer.DeliveryStreamDescription?.DeliveryStreamStatus ?? 'UNKNOWN';
        if (status !== 'ACTIVE') return { ok: false, detail: `Firehose stream ${options.streamName} is ${status}, not ACTIVE: it takes no records until it is` };
        return { ok: true, detail: `ok: Firehose stream ${options.streamName} is ACTIVE; PutRecordBatch is checked with --send-test-event` };
      } catch (error) {
        return describeAwsHealthFailure(error, `Firehose stream ${options.streamName}`, 'firehose:DescribeDeliveryStream');
      }
    },
    close: async () => client.destroy(),
  };
}
