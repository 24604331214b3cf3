import { hostname as osHostname } from 'node:os';
import { rootCertificates } from 'node:tls';
import { deliverInBatches } from '../batch-delivery.js';
import type { RequestOutcome } from '../batch-delivery.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { deliverySettings } from '../protocol-sink-options.js';
import type { Sink } from '../sink.js';
import { DEFAULT_SYSLOG_FACILITY, isSyslogHeaderField, octetCountedFrame, SYSLOG_FIELD_LIMITS, syslogMessage } from './syslog-framing.js';
import type { SyslogHeader } from './syslog-framing.js';
import { SyslogConnectionError, SyslogTlsConnection } from './syslog-tls-connection.js';
import type { SyslogTlsTarget } from './syslog-tls-connection.js';
import { SyslogTail } from './syslog-tail.js';
import { Semaphore } from '../semaphore.js';
import { sinkRetryPolicy } from '../sink-retry.js';
import { readSinkCaFile } from '../sink-agent.js';

/** Settings of the syslog-over-TLS sink. `concurrency` and `gzip` do not apply: one connection, no compression. */
export interface SyslogTlsSinkOptions extends Omit<ProtocolSinkOptions, 'concurrency' | 'gzip'> {
  /** `syslog+tls://host:port` (RFC 5425's port is 6514). */
  url: string;
  /** @default 10 (authpriv), see DEFAULT_SYSLOG_FACILITY */
  facility?: number | undefined;
  /** HOSTNAME of every message. @default the machine's host name */
  hostname?: string | undefined;
  /** APP-NAME of every message. @default 'mpas-log-sync' */
  appName?: string | undefined;
  /**
   * Bytes of the latest frames kept to send again after a dropped connection: syslog has no
   * acknowledgements, so what was written shortly before a drop may not have arrived.
   * @default 1 MiB
   */
  resendBytes?: number | undefined;
}

/**
 * Syslog over TLS (RFC 5425) for QRadar, ArcSight and FortiSIEM: RFC 5424 messages, octet-counted,
 * on one persistent connection with certificate checking. A group of messages counts as sent once
 * written while the connection stayed up; TCP syslog has no acknowledgements, so after a dropped
 * connection the sink reconnects (with the shared backoff) and first sends again the latest
 * `resendBytes` of frames written before the drop: at-least-once, with duplicates bounded by it.
 */
export function createSyslogTlsSink(options: SyslogTlsSinkOptions): Sink {
  const target = syslogTarget(options);
  const header: SyslogHeader = {
    facility: options.facility ?? DEFAULT_SYSLOG_FACILITY,
    hostname: options.hostname ?? defaultHostname(),
    appName: options.appName ?? 'mpas-log-sync',
  };
  // One connection keeps the messages in order; a reconnect is the only parallelism there is.
  const settings = deliverySettings({ ...options, concurrency: 1, gzip: false });
  const retryPolicy = sinkRetryPolicy(settings);
  const tail = new SyslogTail(options.resendBytes ?? 1_048_576);
  // Writes never interleave: a delivery's group and a background resend take turns.
  const lock = new Semaphore(1);
  let connection: SyslogTlsConnection | undefined;
  let background: Promise<void> = Promise.resolve();

  /** Writes `frames` after whatever a dropped connection still owes; the caller holds the lock. */
  const write = async (frames: readonly Buffer[], signal: AbortSignal | undefined): Promise<RequestOutcome> => {
    try {
      if (connection?.droppedReason !== undefined) {
        tail.connectionDropped();
        connection.destroy();
        connection = undefined;
      }
      const resend = tail.pendingResend();
      if (frames.length === 0 && resend.length === 0) return { kind: 'ok' };
      connection ??= await SyslogTlsConnection.open(target, onDrop, signal);
      await connection.write(Buffer.concat([...resend, ...frames]), options.timeoutMs);
      tail.resent();
      // The resent frames ride on a connection as unacknowledged as the last one was.
      tail.written([...resend, ...frames]);
      return { kind: 'ok' };
    } catch (error) {
      if (!(error instanceof SyslogConnectionError)) throw error;
      if (connection?.droppedReason !== undefined) tail.connectionDropped();
      return { kind: 'retry', reason: error.message, auth: false };
    }
  };

  /** Sends a dropped connection's tail again at once, not at the next delivery, which may be far off. */
  const resendTail = async (): Promise<void> => {
    for (let attempt = 1; attempt <= settings.attempts; attempt += 1) {
      const outcome = await lock.run(() => write([], undefined));
      if (outcome.kind === 'ok') return;
      const decision = retryPolicy.decide({ attemptsMade: attempt });
      if (decision.retry) await settings.sleep(decision.delayMs);
    }
    // Still owed: the next delivery (or close) sends it first.
  };

  function onDrop(): void {
    tail.connectionDropped();
    // Whatever goes wrong here leaves the tail owed: the next delivery sends it, or reports why not.
    background = background.then(resendTail).catch(() => undefined);
  }

  return {
    name: 'syslog',
    deliver: (events, signal) => {
      const frames = new Map(events.map((event) => [event, octetCountedFrame(syslogMessage(event, options.format, header))]));
      const frameOf = (index: number) => frames.get(events[index]!)!;
      return deliverInBatches(events, (event) => frames.get(event)!.length, (indices, groupSignal) => lock.run(() => write(indices.map(frameOf), groupSignal)), settings, signal);
    },
    // Syslog has no request that stores nothing, and no answer to a connection: only a test event says anything.
    healthcheck: async ({ sendTestEvent } = {}) =>
      sendTestEvent ? sendTestEvent() : { ok: true, detail: 'not tried: this SIEM type has no request that stores nothing; use --send-test-event' },
    close: async () => {
      // One I/O round first, so a FIN or reset that already arrived is seen as the drop it is;
      // a drop that shows only later cannot be told from a clean close (syslog has no answers).
      await new Promise((resolve) => setImmediate(resolve));
      await background;
      if (tail.hasPending() || connection?.droppedReason !== undefined) await lock.run(() => write([], undefined));
      await connection?.close(options.timeoutMs);
      connection = undefined;
    },
  };
}

/** Where to connect: the host and port of a URL the schema accepted (syslog+tls://host:port), and the trusted CAs. */
function syslogTarget(options: SyslogTlsSinkOptions): SyslogTlsTarget {
  const url = new URL(options.url);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 6514 : Number(url.port),
    timeoutMs: options.timeoutMs,
    ca: options.caFile === undefined ? undefined : [...rootCertificates, readSinkCaFile(options.caFile, 'syslog')],
  };
}

/** The machine's name as RFC 5424 allows it, or `-` (NILVALUE) when it has none usable. */
function defaultHostname(): string {
  const name = osHostname();
  return isSyslogHeaderField(name, SYSLOG_FIELD_LIMITS.hostname) ? name : '-';
}
