import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../lib/core/time/clock.js';
import { systemClock } from '../../lib/core/time/clock.js';
import type { ParsedItem, TextFormat } from './siem-body-parser.js';
import { BodyRejection, parseSiemBody } from './siem-body-parser.js';
import type { ExpectedAuth } from './siem-receiver-auth.js';
import { isAuthorized } from './siem-receiver-auth.js';
import type { AcceptedItem, ProtocolHandler } from './siem-receiver-protocol.js';
import { createDatadogHandler } from './siem-receiver-datadog.js';
import type { DatadogReceiverOptions } from './siem-receiver-datadog.js';
import { createElasticHandler } from './siem-receiver-elastic.js';
import type { BulkItemRejecter, ElasticReceiverOptions } from './siem-receiver-elastic.js';
import { createSplunkHandler } from './siem-receiver-splunk.js';
import { createSentinelHandler, type SentinelReceiverOptions } from './siem-receiver-sentinel.js';
import { createSumoHandler } from './siem-receiver-sumo.js';
import type { SumoReceiverOptions } from './siem-receiver-sumo.js';
import type { SplunkReceiverOptions } from './siem-receiver-splunk.js';
import { ItemWaiters } from './siem-receiver-waiters.js';

export type { ExpectedAuth } from './siem-receiver-auth.js';
export type { SplunkReceiverOptions } from './siem-receiver-splunk.js';
export type { BulkItemRejecter, BulkItemView, ElasticReceiverOptions } from './siem-receiver-elastic.js';
export type { DatadogReceiverOptions } from './siem-receiver-datadog.js';
export type { SumoReceiverOptions } from './siem-receiver-sumo.js';
export type { SentinelReceiverOptions } from './siem-receiver-sentinel.js';

/** One accepted event, as the SIEM stored it. */
export interface ReceivedItem {
  /** The request path it was posted to. */
  path: string;
  format: TextFormat;
  /** The event's text: a JSON document, a CEF line or a LEEF line. */
  text: string;
  /** The parsed document, for `json` items. */
  json?: unknown;
  /** `clock.now()` when it was accepted. */
  receivedAt: number;
  /** What a product endpoint stored beside the event (HEC `index`, `sourcetype`...; `_bulk` `_index`, `_id`). */
  meta?: Record<string, unknown>;
}

/** One request as the receiver answered it, for tests of framing and headers. */
export interface ReceivedRequest {
  path: string;
  status: number | 'hung';
  contentType?: string;
  contentEncoding?: string;
  /** Raw (possibly compressed) body bytes. */
  bytes: number;
  /** Items accepted from it (0 when refused). */
  items: number;
}

/** Settings of the local SIEM receiver. */
export interface SiemReceiverOptions {
  /** Credentials the collector expects; every one given must match, else 401. */
  auth?: ExpectedAuth;
  /** Bodies above this many bytes (raw or inflated) get 413. @default 10 MiB */
  maxBodyBytes?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** @default 0 (a free port) */
  port?: number;
  /** Serve Splunk HEC at `/services/collector/event` and `/services/collector/ack`. */
  splunk?: SplunkReceiverOptions;
  /** Serve Elasticsearch `_bulk` at `/_bulk` and `/{index}/_bulk`. */
  elastic?: ElasticReceiverOptions;
  /** Serve Datadog's logs intake at `/api/v2/logs`. */
  datadog?: DatadogReceiverOptions;
  /** Serve a Sumo Logic HTTP Source at `/receiver/v1/http/{token}`. */
  sumo?: SumoReceiverOptions;
  /** Serve Entra ID's token endpoint and the Logs Ingestion API (Microsoft Sentinel); tokens expire by `clock`. */
  sentinel?: SentinelReceiverOptions;
}

/** A planned failure of the next requests. */
export interface FailNextOptions {
  count: number;
  status: number;
  retryAfterSeconds?: number;
  body?: string;
}

/** Counters since start. */
export interface ReceiverStats {
  requests: number;
  /** Answered requests by status. */
  byStatus: Record<number, number>;
  hung: number;
  itemsAccepted: number;
  /** Most requests open at the same time, to check a client's concurrency bound. */
  maxConcurrent: number;
}

/** A SIEM's generic HTTPS collector on 127.0.0.1, with fault switches (demo and tests). */
export interface SiemReceiver {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** Every accepted item, in arrival order (a copy). */
  received(): ReceivedItem[];
  /** Every request, in arrival order (a copy). */
  requests(): ReceivedRequest[];
  /** Calls `listener` for each accepted item; returns the unsubscribe function. */
  onReceive(listener: (item: ReceivedItem) => void): () => void;
  /** Resolves with the items once `predicate` holds; rejects after `timeoutMs` (default 10 s) saying how many arrived. */
  waitFor(predicate: (items: readonly ReceivedItem[]) => boolean, options?: { timeoutMs?: number }): Promise<ReceivedItem[]>;
  /** The next `count` requests get `status` (with `Retry-After` and `body` when given). */
  failNext(options: FailNextOptions): void;
  /** Delays every answer by `ms` (0 to stop). */
  setLatency(ms: number): void;
  /** A request any of whose items makes `predicate` return a status is refused with it; `undefined` clears. */
  rejectWhen(predicate: ((item: ParsedItem & { path: string }) => number | undefined) | undefined): void;
  /** The next `count` requests are read and never answered (until `close()`). */
  hangNext(count: number): void;
  /** HEC: while held, ack queries answer `false` (the indexers have not confirmed). */
  holdAcks(held: boolean): void;
  /** `_bulk`: an item for which `predicate` returns a status fails alone with it (429, 503, 400...); `undefined` clears. */
  rejectItemsWhen(predicate: BulkItemRejecter | undefined): void;
  /**
   * The next `count` requests that would succeed are processed and stored, then answered with
   * `status`: a response lost after the SIEM committed (a proxy timeout), the way duplicates happen.
   */
  failNextAfterStoring(options: { count: number; status: number }): void;
  stats(): ReceiverStats;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Starts the receiver; resolves once it listens. */
export async function startSiemReceiver(options: SiemReceiverOptions = {}): Promise<SiemReceiver> {
  const clock = options.clock ?? systemClock;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const items: ReceivedItem[] = [];
  const requestLog: ReceivedRequest[] = [];
  const stats: ReceiverStats = { requests: 0, byStatus: {}, hung: 0, itemsAccepted: 0, maxConcurrent: 0 };
  let open = 0;
  const waiters = new ItemWaiters<ReceivedItem>(() => items);
  const faults: FailNextOptions[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let latencyMs = 0;
  let hangCount = 0;
  let rejecter: ((item: ParsedItem & { path: string }) => number | undefined) | undefined;
  const splunk = options.splunk ? createSplunkHandler(options.splunk, () => rejecter) : undefined;
  const elastic = options.elastic ? createElasticHandler(options.elastic, () => rejecter) : undefined;
  const datadog = options.datadog ? createDatadogHandler(options.datadog, () => rejecter) : undefined;
  const sumo = options.sumo ? createSumoHandler(options.sumo, () => rejecter) : undefined;
  const sentinel = options.sentinel ? createSentinelHandler(options.sentinel, clock, () => rejecter) : undefined;
  const products: ProtocolHandler[] = [splunk, elastic, datadog, sumo, sentinel].filter((product) => product !== undefined);
  const lateFaults: Array<{ count: number; status: number }> = [];

  const accept = (path: string, parsed: ReadonlyArray<ParsedItem | AcceptedItem>, entry: ReceivedRequest): ReceivedItem[] => {
    const now = clock.now();
    const accepted = parsed.map((item) => receivedItem(item, path, now));
    items.push(...accepted);
    stats.itemsAccepted += accepted.length;
    entry.items = accepted.length;
    return accepted;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { body, bytes } = await readBody(req, maxBodyBytes);
    stats.requests += 1;
    const requestUrl = new URL(req.url ?? '/', 'http://receiver');
    const path = requestUrl.pathname;
    const entry: ReceivedRequest = { path, status: 'hung', bytes, items: 0 };
    if (req.headers['content-type']) entry.contentType = req.headers['content-type'];
    if (req.headers['content-encoding']) entry.contentEncoding = req.headers['content-encoding'];
    requestLog.push(entry);
    if (hangCount > 0) {
      hangCount -= 1;
      stats.hung += 1;
      return;
    }
    if (latencyMs > 0) await delay(latencyMs, timers);
    const answer = (status: number, text: string, headers: Record<string, string> = {}): void => {
      const late = status >= 200 && status < 300 ? lateFaults[0] : undefined;
      if (late) {
        late.count -= 1;
        if (late.count <= 0) lateFaults.shift();
        return answer(late.status, JSON.stringify({ error: `injected ${late.status} after storing` }));
      }
      entry.status = status;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
    };

    const fault = faults[0];
    if (fault) {
      fault.count -= 1;
      if (fault.count <= 0) faults.shift();
      const headers = fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) };
      return answer(fault.status, fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }), headers);
    }
    const product = products.find((candidate) => candidate.serves(path));
    if (product) {
      if (body === undefined) return answer(413, JSON.stringify({ error: `body over ${maxBodyBytes} bytes` }));
      const result = product.handle({ method: req.method ?? 'GET', path, query: requestUrl.searchParams, headers: req.headers, body, maxBodyBytes });
      const accepted = accept(path, result.accepted, entry);
      answer(result.status, result.body, result.headers);
      for (const item of accepted) waiters.publish(item);
      return;
    }
    if (options.auth && !isAuthorized(req.headers, options.auth)) {
      return answer(401, JSON.stringify({ error: 'unauthorized' }), { 'www-authenticate': 'Bearer' });
    }
    if (body === undefined) return answer(413, JSON.stringify({ error: `body over ${maxBodyBytes} bytes` }));
    let parsed: ParsedItem[];
    try {
      parsed = parseSiemBody(body, req.headers['content-type'], req.headers['content-encoding'], maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyRejection) return answer(error.status, JSON.stringify({ error: error.message }));
      throw error;
    }
    for (const [index, item] of parsed.entries()) {
      const status = rejecter?.({ ...item, path });
      if (status !== undefined) return answer(status, JSON.stringify({ error: `item ${index} rejected` }));
    }
    const accepted = accept(path, parsed, entry);
    answer(200, JSON.stringify({ accepted: accepted.length }));
    for (const item of accepted) waiters.publish(item);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    open += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, open);
    res.once('close', () => {
      open -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    received: () => items.slice(),
    requests: () => requestLog.map((entry) => ({ ...entry })),
    onReceive: (listener) => waiters.subscribe(listener),
    waitFor: (predicate, waitOptions) => waiters.waitFor(predicate, waitOptions?.timeoutMs ?? 10_000),
    failNext: (fault) => {
      if (fault.count > 0) faults.push({ ...fault });
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    rejectWhen: (predicate) => {
      rejecter = predicate;
    },
    hangNext: (count) => {
      hangCount += count;
    },
    holdAcks: (held) => splunk?.holdAcks(held),
    rejectItemsWhen: (predicate) => elastic?.rejectItemsWhen(predicate),
    failNextAfterStoring: (fault) => {
      if (fault.count > 0) lateFaults.push({ ...fault });
    },
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      waiters.close('the SIEM receiver was closed');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hung requests and keep-alive sockets would hold close() forever.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The whole body, or `undefined` (after draining it) when it is over `maxBytes`. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<{ body: Buffer | undefined; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes <= maxBytes) chunks.push(chunk as Buffer);
  }
  return { body: bytes <= maxBytes ? Buffer.concat(chunks) : undefined, bytes };
}

/**
 * `{ path, ...item, receivedAt }`, except that a `json` read lazily (see siem-body-parser.ts)
 * stays lazy: a spread would read it, and so parse every event as it arrives.
 */
function receivedItem(item: ParsedItem | AcceptedItem, path: string, receivedAt: number): ReceivedItem {
  const received = { path, format: item.format, text: item.text } as ReceivedItem;
  const json = Object.getOwnPropertyDescriptor(item, 'json');
  if (json) Object.defineProperty(received, 'json', json);
  received.receivedAt = receivedAt;
  if ('meta' in item) received.meta = item.meta;
  return received;
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}
