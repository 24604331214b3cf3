import { DescribeEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { deliverInBatches } from '../batch-delivery.js';
import type { RequestOutcome } from '../batch-delivery.js';
import type { AwsApiSinkOptions } from '../aws-api-sink.js';
import { awsClientConfig, awsDeliverySettings, classifyAwsError, describeAwsHealthFailure, entryResultsOutcome } from '../aws-api-sink.js';
import type { Sink } from '../sink.js';
import type { EntryTemplate } from './eventbridge-entries.js';
import { EVENTBRIDGE_LIMITS, eventBridgeEntry, eventBridgeEntryBytes, RETRYABLE_ENTRY_ERRORS } from './eventbridge-entries.js';

/** Settings of the EventBridge sink. */
export interface EventBridgeSinkOptions extends AwsApiSinkOptions, EntryTemplate {}

/**
 * Amazon EventBridge: PutEvents calls of at most 10 entries and 256 KB, one entry per event. A
 * call answered with FailedEntryCount sends again only its failed entries whose code is
 * transient (ThrottlingException, InternalException), with the engine's backoff; entries with
 * any other code are dropped with EventBridge's code and message, and an entry over 256 KB is
 * dropped unsent. PutEvents has no idempotency key: a call retried after a lost answer may put
 * its entries twice (each event's key is in its Detail to tell them apart).
 */
export function createEventBridgeSink(options: EventBridgeSinkOptions): Sink {
  const client = new EventBridgeClient(awsClientConfig(options));
  const settings = awsDeliverySettings(options, EVENTBRIDGE_LIMITS, 'per entry');
  const template: EntryTemplate = options;
  return {
    name: 'eventbridge',
    deliver: (events, signal) =>
      deliverInBatches(
        events,
        (event) => eventBridgeEntryBytes(event, template),
        async (indices, groupSignal): Promise<RequestOutcome> => {
          try {
            const answer = await client.send(new PutEventsCommand({ Entries: indices.map((index) => eventBridgeEntry(events[index]!, template)) }), { abortSignal: groupSignal });
            return entryResultsOutcome({ api: 'EventBridge', operation: 'PutEvents', unit: 'entries' }, indices.length, answer.Entries ?? [], RETRYABLE_ENTRY_ERRORS);
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
        const bus = await client.send(new DescribeEventBusCommand({ Name: options.bus }));
        return { ok: true, detail: `ok: event bus ${bus.Arn ?? options.bus} exists; PutEvents is checked with --send-test-event` };
      } catch (error) {
        return describeAwsHealthFailure(error, `event bus ${options.bus}`, 'events:DescribeEventBus');
      }
    },
    close: async () => client.destroy(),
  };
}
