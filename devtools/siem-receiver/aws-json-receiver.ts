import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventBridgeApi } from './eventbridge-receiver.js';
import type { EventBridgeReceiverOptions } from './eventbridge-receiver.js';
import { createFirehoseApi } from './firehose-receiver.js';
import type { FirehoseReceiverOptions } from './firehose-receiver.js';
import { ItemWaiters } from './siem-receiver-waiters.js';

/** One entry (EventBridge) or record (Firehose) the receiver stored. */
export interface AwsReceivedEntry {
  api: 'eventbridge' | 'firehose';
  /** EventBridge: the entry's `Detail`; Firehose: the record's data, decoded from base64. */
  text: string;
  /** EventBridge: `EventBusName`, `Source`, `DetailType`, `Time` (epoch seconds), `Resources`; Firehose: `DeliveryStreamName`. */
  meta: Record<string, unknown>;
}

/** What an operation answers: its JSON body, or an AWS error (`__type`) with its HTTP status. */
export type AwsAnswer = { status: 200; body: unknown; stored: AwsReceivedEntry[] } | { status: number; errorType: string; message: string };

/** One operation of an AWS JSON 1.1 API, by its `X-Amz-Target`. */
export type AwsOperation = (input: Record<string, unknown>) => AwsAnswer;

/** A call as the receiver answered it. */
export interface AwsCall {
  target: string;
  status: number;
  /** The error's `__type`, when it answered one. */
  errorType?: string;
  /** Entries or records in the request. */
  entries: number;
  /** Of those, the ones that failed alone (FailedEntryCount, FailedPutCount). */
  failed: number;
}

/** A whole call refused with an AWS error: a throttle, an internal error, a 5xx without body. */
export interface AwsCallFault {
  count: number;
  status: number;
  errorType: string;
  message?: string;
}

/** Settings of the local AWS receiver. */
export interface AwsJsonReceiverOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** The one access key id whose signatures are taken; any other is UnrecognizedClientException. */
  accessKeyId: string;
  /** Serve EventBridge's PutEvents and DescribeEventBus. */
  eventbridge?: EventBridgeReceiverOptions;
  /** Serve Firehose's PutRecordBatch and DescribeDeliveryStream. */
  firehose?: FirehoseReceiverOptions;
}

/** An entry failing alone: return its ErrorCode and ErrorMessage, or undefined to store it. */
export type EntryFailer = (entry: AwsReceivedEntry) => { code: string; message: string } | undefined;

/** Local EventBridge and Firehose endpoints on 127.0.0.1, speaking AWS JSON 1.1 as the SDK clients expect (tests and the receiver command). */
export interface AwsJsonReceiver {
  /** The endpoint to give the SDK client (`SIEM_URL`), e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every stored entry and record, in arrival order (a copy). */
  received(): AwsReceivedEntry[];
  /** Every call, in arrival order (a copy). */
  calls(): AwsCall[];
  /** Calls `listener` for each stored entry; returns the unsubscribe function. */
  onReceive(listener: (entry: AwsReceivedEntry) => void): () => void;
  /** Resolves once `predicate` holds over the stored entries; rejects after `timeoutMs` (default 10 s). */
  waitFor(predicate: (entries: readonly AwsReceivedEntry[]) => boolean, options?: { timeoutMs?: number }): Promise<AwsReceivedEntry[]>;
  /** The next `count` calls are refused whole with `errorType` and `status`. */
  failNext(fault: AwsCallFault): void;
  /** Entries for which `failer` gives a code fail alone (FailedEntryCount, FailedPutCount); `undefined` clears. */
  failEntriesWhen(failer: EntryFailer | undefined): void;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';
// The receiver reads bodies whole: AWS's own limits are well below this.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Starts the receiver; resolves once it listens. */
export async function startAwsJsonReceiver(options: AwsJsonReceiverOptions): Promise<AwsJsonReceiver> {
  const stored: AwsReceivedEntry[] = [];
  const callLog: AwsCall[] = [];
  const waiters = new ItemWaiters<AwsReceivedEntry>(() => stored);
  const faults: AwsCallFault[] = [];
  let failer: EntryFailer | undefined;
  const operations = new Map<string, AwsOperation>();
  if (options.eventbridge) for (const [target, operation] of createEventBridgeApi(options.eventbridge, () => failer)) operations.set(target, operation);
  if (options.firehose) for (const [target, operation] of createFirehoseApi(options.firehose, () => failer)) operations.set(target, operation);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: AwsCall = { target, status: 0, entries: 0, failed: 0 };
    callLog.push(call);
    const send = (status: number, payload: unknown, errorType?: string): void => {
      call.status = status;
      if (errorType !== undefined) call.errorType = errorType;
      res.writeHead(status, { 'content-type': CONTENT_TYPE, ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }) }).end(JSON.stringify(payload));
    };
    const fail = (status: number, errorType: string, message: string): void => send(status, { __type: errorType, message }, errorType);

    if (req.method !== 'POST') return fail(400, 'UnknownOperationException', 'only POST');
    const operation = operations.get(target);
    if (operation === undefined) return fail(400, 'UnknownOperationException', `unknown operation ${target}`);
    if (String(req.headers['content-type'] ?? '').split(';')[0]!.trim() !== CONTENT_TYPE) return fail(400, 'SerializationException', `content type must be ${CONTENT_TYPE}`);
    const credential = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(String(req.headers['authorization'] ?? ''))?.[1];
    if (credential === undefined) return fail(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (credential !== options.accessKeyId) return fail(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (body === undefined) return fail(413, 'RequestEntityTooLargeException', `body over ${MAX_BODY_BYTES} bytes`);
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(400, 'SerializationException', 'body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(400, 'SerializationException', 'body must be a JSON object');
    const listed = (input as Record<string, unknown>)['Entries'] ?? (input as Record<string, unknown>)['Records'];
    call.entries = Array.isArray(listed) ? listed.length : 0;
    const fault = faults[0];
    if (fault) {
      fault.count -= 1;
      if (fault.count <= 0) faults.shift();
      return fail(fault.status, fault.errorType, fault.message ?? `injected ${fault.errorType}`);
    }
    const answer = operation(input as Record<string, unknown>);
    if ('errorType' in answer) return fail(answer.status, answer.errorType, answer.message);
    const failedCount = (answer.body as { FailedEntryCount?: number; FailedPutCount?: number }).FailedEntryCount ?? (answer.body as { FailedPutCount?: number }).FailedPutCount;
    call.failed = failedCount ?? 0;
    stored.push(...answer.stored);
    send(200, answer.body);
    for (const entry of answer.stored) waiters.publish(entry);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': CONTENT_TYPE }).end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => stored.slice(),
    calls: () => callLog.map((call) => ({ ...call })),
    onReceive: (listener) => waiters.subscribe(listener),
    waitFor: (predicate, waitOptions) => waiters.waitFor(predicate, waitOptions?.timeoutMs ?? 10_000),
    failNext: (fault) => {
      if (fault.count > 0) faults.push({ ...fault });
    },
    failEntriesWhen: (next) => {
      failer = next;
    },
    close: async () => {
      waiters.close('the AWS receiver was closed');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The whole body, or `undefined` (after draining it) when it is over MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return bytes <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}
