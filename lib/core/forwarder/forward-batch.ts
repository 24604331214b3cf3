import type { EnvelopeEventType } from '../formats/json-envelope.js';
import type { FormatContext, Formatter } from '../formats/formatter.js';
import { eventKey } from '../events/event-key.js';
import { isCanonicalAdminEvent, isCanonicalUserEvent } from '../events/event-fast-check.js';
import { adminEventSchema, userEventSchema } from '../events/event-schemas.js';
import { rejectionOf } from '../events/rejected-event.js';
import type { MpasEvent } from '../events/event-schemas.js';
import type { RedactionAtRest } from '../pipeline/redaction-at-rest.js';
import type { Redactor } from '../pipeline/redactor.js';
import { batchIdFor } from '../queue/event-batch.js';
import type { EventBatch } from '../queue/event-batch.js';
import type { OutboundEvent, Sink } from '../../sinks/sink.js';
import { silentForwardObserver } from './forward-observer.js';
import type { DeadLetterReason, ForwardObserver } from './forward-observer.js';

/** A compiled filter over the envelope (`eventType`, `event.*`): true keeps the event. */
export type EventPredicate = (envelope: { eventType: string; event: Record<string, unknown> }) => boolean;

/** The pipeline of one destination: filter -> redact -> select fields -> format -> sink. */
export interface ForwarderStages {
  redact: Redactor;
  /** The fingerprint of `redact`'s settings, which marks dead letters redacted with them (lib/core/pipeline/redaction-at-rest.ts). */
  atRest?: RedactionAtRest;
  formatter: Formatter;
  sink: Sink;
  filter?: EventPredicate;
  selectFields?: (event: MpasEvent) => MpasEvent;
  observer?: ForwardObserver;
}

/**
 * Events that must go to the dead-letter queue, with why. The events are redacted as the SIEM
 * would have received them (before field selection); `redaction` is the fingerprint of the
 * settings (absent: they are not redacted, see {@link forwardBatch}).
 */
export interface DeadLetter {
  reason: DeadLetterReason;
  detail: string;
  events: unknown[];
  redaction?: string;
}

/**
 * How one batch went. `retry`, when present, is what the SIEM did not take yet: a batch of the
 * undelivered events (its own batch id, a hash of their keys) to try again after `retryAfterMs`.
 */
export interface ForwardResult {
  delivered: number;
  filtered: number;
  deadLetters: DeadLetter[];
  retry?: { batch: EventBatch; retryAfterMs?: number; authFailure: boolean };
}

const eventTypeOf = { user: 'user-event', admin: 'admin-event' } as const satisfies Record<string, EnvelopeEventType>;

/**
 * Forwards one queue batch: each event is validated on its own (a bad one is dead-lettered with
 * the field at fault, its neighbours still go), filtered, redacted, formatted and handed to the
 * sink. The caller acts on the result: dead letters to the DLQ, `retry` back to the queue.
 * With `released`, the batch is prepared at once but nothing is sent or reported before it
 * resolves; when it rejects, this rejects with its reason and nothing was sent.
 */
export async function forwardBatch(batch: EventBatch, stages: ForwarderStages, signal?: AbortSignal, released?: Promise<unknown>): Promise<ForwardResult> {
  const observer = stages.observer ?? silentForwardObserver;
  const schema = batch.stream === 'user' ? userEventSchema : adminEventSchema;
  // zod costs more per event than the rest of the pipeline; the precompiled check passes the
  // events zod would return unchanged, and zod still judges (and explains) every other one.
  const isCanonical = batch.stream === 'user' ? isCanonicalUserEvent : isCanonicalAdminEvent;
  // One object for the batch; `key` is set per event before it is formatted.
  const context: FormatContext = { tenant: batch.tenant, realm: batch.realm, stream: batch.stream, key: '' };
  const deadLetters: DeadLetter[] = [];
  // A dead letter rests (a file, the DLQ) for days: it holds no more personal data than the SIEM
  // would have received. An element the redactor fails on (none that JSON can make) rests
  // unmarked, so a redrive redacts it as one of an older version's.
  const resting = (reason: DeadLetterReason, detail: string, event: unknown, redacted?: MpasEvent): DeadLetter => {
    if (redacted !== undefined) return { reason, detail, events: [redacted], redaction: stages.atRest?.fingerprint };
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return { reason, detail, events: [event] };
    try {
      return { reason, detail, events: [stages.redact(event as MpasEvent, batch.stream)], redaction: stages.atRest?.fingerprint };
    } catch {
      return { reason, detail, events: [event] };
    }
  };
  const originals: MpasEvent[] = [];
  const redactedEvents: MpasEvent[] = [];
  const outbound: OutboundEvent[] = [];
  let filtered = 0;
  // One envelope view for the filter, its event swapped per event: the filter only reads it.
  const view = { eventType: eventTypeOf[batch.stream], event: {} as Record<string, unknown> };

  batch.events.forEach((raw: unknown, index) => {
    let event: MpasEvent;
    if (isCanonical(raw)) {
      event = raw;
    } else {
      const parsed = schema.safeParse(raw);
      // An element the poller could not use: dead-lettered with the poller's reason (it fails the
      // schema by construction, see rejected-event.ts), what MPAS sent in place of the wrapper.
      const rejection = parsed.success ? undefined : rejectionOf(raw);
      if (rejection) {
        deadLetters.push(resting('invalid-event', `events.${index}: ${rejection.reason}`, rejection.element));
        return;
      }
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = ['events', index, ...(issue?.path ?? [])].join('.');
        deadLetters.push(resting('invalid-event', `${where}: ${issue?.message ?? 'invalid'}`, raw));
        return;
      }
      event = parsed.data;
    }
    view.event = event;
    if (stages.filter && !stages.filter(view)) {
      filtered += 1;
      return;
    }
    let redacted: MpasEvent | undefined;
    try {
      redacted = stages.redact(event, batch.stream);
      const selected = stages.selectFields ? stages.selectFields(redacted) : redacted;
      const key = eventKey(event);
      context.key = key;
      const payload = stages.formatter.encode(selected, context);
      originals.push(event);
      redactedEvents.push(redacted);
      outbound.push({ key, time: event.time, realm: batch.realm, stream: batch.stream, payload });
    } catch (error) {
      const detail = `events.${index}: ${error instanceof Error ? error.message : String(error)}`;
      deadLetters.push(resting('format-failed', detail, raw, redacted));
    }
  });
  if (released) await released;
  if (filtered > 0) observer.filtered?.(batch.realm, batch.stream, filtered);

  if (outbound.length === 0) return finish(observer, { delivered: 0, filtered, deadLetters });

  const delivery = await stages.sink.deliver(outbound, signal);
  for (const latency of delivery.latenciesMs) observer.sinkRequest?.(latency);
  for (const error of delivery.errors) observer.sinkError?.(error);
  // The sink's reason already names the answer (`HTTP 400: ...`, `HEC 400 code 6: ...`, `item 400: ...`).
  for (const { index, reason } of delivery.dropped) {
    deadLetters.push(resting('rejected-by-siem', reason, originals[index], redactedEvents[index]));
  }
  // Usually the SIEM took everything: then there is nothing to set apart.
  const allTaken = delivery.retry.length === 0 && delivery.dropped.length === 0;
  const failed = allTaken ? undefined : new Set([...delivery.retry, ...delivery.dropped.map(({ index }) => index)]);
  const delivered = failed ? outbound.filter((_, index) => !failed.has(index)) : outbound;
  if (delivered.length > 0) {
    let newest = delivered[0]!.time;
    for (const { time } of delivered) if (time > newest) newest = time;
    observer.delivered?.(batch.realm, batch.stream, delivered.length, newest);
  }

  const result: ForwardResult = { delivered: delivered.length, filtered, deadLetters };
  if (delivery.retry.length > 0) {
    const retryIndices = [...delivery.retry].sort((a, b) => a - b);
    result.retry = {
      batch: {
        ...batch,
        batchId: batchIdFor(batch.tenant, batch.realm, batch.stream, retryIndices.map((index) => outbound[index]!.key)),
        events: retryIndices.map((index) => originals[index]!),
      },
      retryAfterMs: delivery.retryAfterMs,
      authFailure: delivery.errors.some(({ auth }) => auth),
    };
  }
  return finish(observer, result);
}

function finish(observer: ForwardObserver, result: ForwardResult): ForwardResult {
  for (const deadLetter of result.deadLetters) observer.deadLettered?.(deadLetter.reason, deadLetter.events.length);
  return result;
}
