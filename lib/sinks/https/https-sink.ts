import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { readAnswerStart } from '../../net/server-answer.js';
import { capRetryAfter } from '../../net/retry-policy.js';
import type { RetryPolicy } from '../../net/retry-policy.js';
import { systemClock } from '../../core/time/clock.js';
import { realSleep } from '../../core/time/sleep.js';
import { BodyBufferPool } from '../body-buffer-pool.js';
import { authHeaders, hideSecrets, secretsOf } from '../http-auth.js';
import type { HttpOutcome } from '../http-classify.js';
import { classifyFailure, classifyResponse, excerpt } from '../http-classify.js';
import { frameBodyBytes, oversizedPayloads, planRequestBodies } from '../http-framing.js';
import type { PlannedRequest } from '../http-framing.js';
import type { HttpsSinkOptions } from './https-sink-options.js';
import { validateHttpsSinkOptions } from './https-sink-options.js';
import { ResponseTimeout } from '../response-timeout.js';
import { Semaphore } from '../semaphore.js';
import { tooLargeReason } from '../siem-limits.js';
import { MAX_IN_PROCESS_RETRY_AFTER_MS, sinkRetryPolicy } from '../sink-retry.js';
import type { OutboundEvent, Sink, SinkDelivery } from '../sink.js';
import { createSinkAgent } from '../../net/tls.js';

const gzip = promisify(gzipCallback);

/** The outcome of a request not sent because the delivery stopped. */
const SKIPPED = Symbol('skipped');

/** Characters of an error response kept for the reason (secrets hidden first); the rest is discarded. */
const MAX_ERROR_BODY_CHARS = 4096;

/**
 * The generic HTTPS collector sink: frames payloads (single, array, NDJSON), posts them with at
 * most `concurrency` requests in flight, and classifies every response (see `classifyResponse`).
 */
export function createHttpsSink(options: HttpsSinkOptions): Sink {
  validateHttpsSinkOptions(options);
  const agent = createSinkAgent({ caFile: options.caFile, connections: options.concurrency, connectTimeoutMs: options.timeoutMs });
  const settings = {
    ...options,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    clock: options.clock ?? systemClock,
    backoffBaseMs: options.backoffBaseMs ?? 200,
    backoffMaxMs: options.backoffMaxMs ?? 5_000,
    secrets: secretsOf(options.auth),
    headers: { 'user-agent': 'mpas-log-sync', ...authHeaders(options.auth) },
    agent,
    // One per sink, kept across deliveries like the agent: every request to this SIEM learns from
    // the others how long it takes to answer.
    responseTimeout: new ResponseTimeout(options.timeoutMs),
    // One body buffer per request in flight, kept across deliveries (the sink lives as long as
    // the Lambda's execution environment or the local runner).
    bodyBuffers: options.bodyBuffers ?? new BodyBufferPool(options.concurrency, options.maxBatchBytes + 4),
  };
  return {
    name: 'https',
    deliver: (events, signal) => new Delivery(settings, events, signal).run(),
    close: () => agent.close(),
  };
}

type Settings = Required<Omit<HttpsSinkOptions, 'caFile' | 'bodyBuffers'>> & {
  bodyBuffers: BodyBufferPool;
  secrets: string[];
  headers: Record<string, string>;
  agent: Dispatcher;
  responseTimeout: ResponseTimeout;
};

/** One `deliver()` call: its requests, retries and the outcome of every event. */
class Delivery {
  private readonly result: SinkDelivery = { retry: [], dropped: [], errors: [], latenciesMs: [] };
  private readonly semaphore: Semaphore;
  private readonly retryPolicy: RetryPolicy;
  // Set when the SIEM asks for a long pause: requests not yet sent are not sent at all.
  private stopped = false;

  constructor(
    private readonly settings: Settings,
    private readonly events: readonly OutboundEvent[],
    private readonly signal: AbortSignal | undefined,
  ) {
    this.semaphore = new Semaphore(settings.concurrency);
    this.retryPolicy = sinkRetryPolicy(settings);
  }

  async run(): Promise<SinkDelivery> {
    const payloads = this.events.map((event) => event.payload);
    const oversized = oversizedPayloads(payloads, this.settings, this.settings.format);
    const groups = oversized.length === 0 ? planRequestBodies(payloads, this.settings, this.settings.format) : this.planWithout(oversized, payloads);
    await Promise.all(groups.map(({ indices, maxBytes }) => this.sendGroup(indices, maxBytes)));
    this.result.retry.sort((a, b) => a - b);
    this.result.dropped.sort((a, b) => a.index - b.index);
    return this.result;
  }

  /**
   * Drops the `oversized` payloads unsent (a request above SIEM_MAX_BATCH_BYTES could only be
   * refused or truncated) and plans the others.
   */
  private planWithout(oversized: ReadonlyArray<{ index: number; bytes: number }>, payloads: readonly string[]): PlannedRequest[] {
    const limits = { maxEventBytes: this.settings.maxBatchBytes, eventLimitName: 'the request limit (SIEM_MAX_BATCH_BYTES)' };
    for (const { index, bytes } of oversized) this.result.dropped.push({ index, reason: tooLargeReason(bytes, limits) });
    const held = new Set(oversized.map(({ index }) => index));
    const sendable = payloads.flatMap((_, index) => (held.has(index) ? [] : [index]));
    return planRequestBodies(
      sendable.map((index) => payloads[index]!),
      this.settings,
      this.settings.format,
    ).map(({ indices, maxBytes }) => ({ indices: indices.map((position) => sendable[position]!), maxBytes }));
  }

  /** Sends one group until it is accepted, dropped, split, or out of attempts. */
  private async sendGroup(indices: number[], maxBytes?: number): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      // Checked once a permit is held: a group queued behind the one that got a long
      // Retry-After must not be sent either.
      const outcome = await this.semaphore.run<HttpOutcome | typeof SKIPPED>(async () =>
        this.stopped || this.signal?.aborted ? SKIPPED : this.postAndNote(indices, maxBytes),
      );
      if (outcome === SKIPPED) {
        this.result.retry.push(...indices);
        return;
      }
      if (outcome.kind === 'ok') return;
      if (outcome.kind === 'drop') {
        for (const index of indices) this.result.dropped.push({ index, reason: outcome.reason, status: outcome.status });
        return;
      }
      if (outcome.kind === 'split') {
        const half = Math.ceil(indices.length / 2);
        await Promise.all([this.sendGroup(indices.slice(0, half)), this.sendGroup(indices.slice(half))]);
        return;
      }
      const decision = this.retryPolicy.decide({ attemptsMade: attempt, retryAfterMs: outcome.retryAfterMs });
      // Refused credentials do not heal within one call: report them for the alarm at once.
      if (outcome.auth || !decision.retry) {
        this.result.retry.push(...indices);
        // The queue's redelivery should not come back sooner than the SIEM asked.
        const retryAfterMs = capRetryAfter(outcome.retryAfterMs);
        if (retryAfterMs !== undefined) this.result.retryAfterMs = Math.max(this.result.retryAfterMs ?? 0, retryAfterMs);
        return;
      }
      await this.settings.sleep(decision.delayMs, this.signal);
    }
  }

  /**
   * Posts, and notes a long Retry-After before the permit is released, so that no queued
   * group slips out in between.
   */
  private async postAndNote(indices: number[], maxBytes: number | undefined): Promise<HttpOutcome> {
    const outcome = await this.post(indices, maxBytes);
    const retryAfterMs = outcome.kind === 'retry' ? capRetryAfter(outcome.retryAfterMs) : undefined;
    if (retryAfterMs !== undefined && retryAfterMs > MAX_IN_PROCESS_RETRY_AFTER_MS) {
      this.stopped = true;
      this.result.retryAfterMs = Math.max(this.result.retryAfterMs ?? 0, retryAfterMs);
    }
    return outcome;
  }

  /** One POST; never throws. Failures are recorded in `errors` as they happen. */
  private async post(indices: number[], maxBytes: number | undefined): Promise<HttpOutcome> {
    const { settings } = this;
    const framed = frameBodyBytes(
      indices.map((index) => this.events[index]!.payload),
      settings.batch,
      settings.format,
      maxBytes,
      settings.bodyBuffers,
    );
    const headers: Record<string, string> = { ...settings.headers, 'content-type': framed.contentType };
    let body: Buffer = framed.body;
    if (settings.gzip) {
      try {
        body = await gzip(body);
      } finally {
        settings.bodyBuffers.giveBack(framed.body);
      }
      headers['content-encoding'] = 'gzip';
    }
    const timed = settings.responseTimeout.start();
    const expiry = new AbortController();
    const timer = setTimeout(() => expiry.abort(), timed.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, expiry.signal]) : expiry.signal;
    const started = settings.clock.now();
    let outcome: HttpOutcome;
    try {
      const response = await request(settings.url, { method: 'POST', headers, body, dispatcher: settings.agent, signal });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Accepted means all of it was read, so the socket is done with it. After any other answer
      // the SIEM may have answered early, with part of the body still queued for the socket.
      if (ok) settings.bodyBuffers.giveBack(body);
      const text = ok ? (await response.body.dump(), '') : await readAnswerStart(response.body, MAX_ERROR_BODY_CHARS, settings.secrets);
      timed.answered();
      outcome = classifyResponse({
        status: response.statusCode,
        retryAfter: firstHeader(response.headers['retry-after']),
        bodyExcerpt: excerpt(text),
        eventCount: indices.length,
        nowMs: settings.clock.now(),
      });
    } catch (error) {
      // A connection error or the caller's stop says nothing about how fast the SIEM answers.
      if (expiry.signal.aborted) timed.timedOut();
      outcome = classifyFailure(error, expiry.signal.aborted, timed.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    this.result.latenciesMs.push(Math.max(0, settings.clock.now() - started));
    if (outcome.kind !== 'ok') {
      const reason = hideSecrets(outcome.reason, settings.secrets);
      outcome = { ...outcome, reason };
      const status = 'status' in outcome ? outcome.status : undefined;
      const auth = outcome.kind === 'retry' && outcome.auth;
      this.result.errors.push(status === undefined ? { reason, auth } : { status, reason, auth });
    }
    return outcome;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
