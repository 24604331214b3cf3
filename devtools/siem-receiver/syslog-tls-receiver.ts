import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../../lib/core/time/clock.js';
import { systemClock } from '../../lib/core/time/clock.js';
import { lineFormat } from './siem-body-parser.js';
import type { TextFormat } from './siem-body-parser.js';
import { ItemWaiters } from './siem-receiver-waiters.js';

/** One syslog message as the server parsed it (RFC 5424). */
export interface SyslogRecord {
  pri: number;
  facility: number;
  severity: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  /** MSG: a CEF or LEEF line, or a JSON document. */
  msg: string;
  format: TextFormat;
  /** The parsed MSG, for `json`. */
  json?: unknown;
  /** Which connection (1, 2, ...) carried it. */
  connection: number;
  receivedAt: number;
}

/** Settings of the local syslog-over-TLS server. */
export interface SyslogTlsReceiverOptions {
  /** The server's key and certificate (PEM). */
  tls: { key: string | Buffer; cert: string | Buffer };
  /** Longest message accepted; a longer MSG-LEN is a framing error. @default 65536 (rsyslog's largest common setting) */
  maxMessageBytes?: number;
  /** @default systemClock */
  clock?: Clock;
  /** @default 0 (a free port); a fixed one to restart a server where a client expects it */
  port?: number;
}

/** Counters since start. */
export interface SyslogReceiverStats {
  connections: number;
  /** Connections the server dropped on purpose (`dropConnectionsAfter`). */
  drops: number;
  /** Connections closed for a malformed frame or message. */
  framingErrors: number;
}

/** A syslog server on 127.0.0.1 speaking RFC 5425 (octet-counted RFC 5424 over TLS), with a fault switch. */
export interface SyslogTlsReceiver {
  /** `syslog+tls://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Every message, in arrival order (a copy). */
  received(): SyslogRecord[];
  /** Calls `listener` for each message; returns the unsubscribe function. */
  onReceive(listener: (record: SyslogRecord) => void): () => void;
  /** Resolves once `predicate` holds for the messages; rejects after `timeoutMs` (default 10 s). */
  waitFor(predicate: (records: readonly SyslogRecord[]) => boolean, options?: { timeoutMs?: number }): Promise<SyslogRecord[]>;
  /**
   * Drops the connection (at once, discarding whatever it had buffered) after `counts[0]` more
   * messages, then after `counts[1]` more, and so on: how a server restart or a load balancer
   * cuts a syslog stream.
   */
  dropConnectionsAfter(counts: readonly number[]): void;
  stats(): SyslogReceiverStats;
  close(): Promise<void>;
}

const FRAME_HEAD = /^([1-9]\d{0,8}) /;
// <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
const MESSAGE = /^<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) (-|(?:\[[^\]]*\])+)(?: ([\s\S]*))?$/;

/** Starts the server; resolves once it listens. */
export async function startSyslogTlsReceiver(options: SyslogTlsReceiverOptions): Promise<SyslogTlsReceiver> {
  const clock = options.clock ?? systemClock;
  const maxMessageBytes = options.maxMessageBytes ?? 65_536;
  const records: SyslogRecord[] = [];
  const waiters = new ItemWaiters<SyslogRecord>(() => records);
  const stats: SyslogReceiverStats = { connections: 0, drops: 0, framingErrors: 0 };
  const dropCounts: number[] = [];
  const sockets = new Set<TLSSocket>();

  const serve = (socket: TLSSocket): void => {
    stats.connections += 1;
    const connection = stats.connections;
    sockets.add(socket);
    let buffer: Buffer = Buffer.alloc(0);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // A client's close_notify and FIN: answer in kind, as a syslog server does.
    socket.on('end', () => socket.end());
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const head = FRAME_HEAD.exec(buffer.subarray(0, 11).toString('latin1'));
        if (head === null) {
          if (buffer.length >= 11 || (buffer.length > 0 && !/^\d*$/.test(buffer.toString('latin1')))) return framingError(socket);
          return;
        }
        const length = Number(head[1]);
        if (length > maxMessageBytes) return framingError(socket);
        const start = head[0].length;
        if (buffer.length < start + length) return;
        const record = parseMessage(buffer.subarray(start, start + length).toString('utf8'), connection, clock.now());
        buffer = buffer.subarray(start + length);
        if (record === undefined) return framingError(socket);
        records.push(record);
        waiters.publish(record);
        if (dropCounts.length > 0) {
          dropCounts[0]! -= 1;
          if (dropCounts[0]! <= 0) {
            dropCounts.shift();
            stats.drops += 1;
            socket.destroy();
            return;
          }
        }
      }
    });
  };

  const framingError = (socket: TLSSocket): void => {
    stats.framingErrors += 1;
    socket.destroy();
  };

  const server = createServer({ key: options.tls.key, cert: options.tls.cert }, serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `syslog+tls://127.0.0.1:${port}`,
    port,
    received: () => records.slice(),
    onReceive: (listener) => waiters.subscribe(listener),
    waitFor: (predicate, waitOptions) => waiters.waitFor(predicate, waitOptions?.timeoutMs ?? 10_000),
    dropConnectionsAfter: (counts) => {
      dropCounts.push(...counts.filter((count) => count > 0));
    },
    stats: () => ({ ...stats }),
    close: async () => {
      waiters.close('the syslog receiver was closed');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** An RFC 5424 message, or undefined when it is not one. */
export function parseMessage(text: string, connection: number, receivedAt: number): SyslogRecord | undefined {
  const match = MESSAGE.exec(text);
  if (match === null) return undefined;
  const pri = Number(match[1]);
  if (pri > 191) return undefined;
  const msg = match[8] ?? '';
  const record: SyslogRecord = {
    pri,
    facility: Math.floor(pri / 8),
    severity: pri % 8,
    timestamp: match[2]!,
    hostname: match[3]!,
    appName: match[4]!,
    procId: match[5]!,
    msgId: match[6]!,
    structuredData: match[7]!,
    msg,
    format: lineFormat(msg) ?? 'json',
    connection,
    receivedAt,
  };
  if (record.format === 'json') {
    try {
      record.json = JSON.parse(msg) as unknown;
    } catch {
      return undefined;
    }
  }
  return record;
}
