import { createHash, randomUUID } from 'node:crypto';
import { QueueError } from './errors.js';
import { attributeBytes, utf8Bytes } from './message-body.js';

/**
 * The claim check of the SQS extended client libraries (amazon-sqs-java-extended-client-lib,
 * sqs-extended-client for Python): a body too large for a message is stored as an object, and
 * the message carries a pointer to it, `["<class>", {"s3BucketName", "s3Key"}]`, marked by the
 * `ExtendedPayloadSize` attribute (the payload's bytes, a Number). Those libraries can read our
 * pointers and we theirs. Ours add `PayloadSha256`, so a reader can tell the object it got is the
 * one that was sent.
 */
export const EXTENDED_PAYLOAD_SIZE_ATTRIBUTE = 'ExtendedPayloadSize';
/** The SHA-256 of the payload's UTF-8 bytes, hex. */
export const PAYLOAD_SHA256_ATTRIBUTE = 'PayloadSha256';
/** The pointer class name the extended client libraries write (and check) as the body's first element. */
export const PAYLOAD_POINTER_CLASS = 'software.amazon.payloadoffloading.PayloadS3Pointer';

/** Where a payload rests. */
export interface PayloadLocation {
  bucket: string;
  key: string;
}

/** Where large payloads are kept (S3 on AWS: lib/aws/s3-payload-store.ts). */
export interface PayloadStore {
  /** The bucket new payloads go to. */
  readonly bucket: string;
  put(key: string, body: string): Promise<void>;
  /** The payload, or undefined when there is no such object (deleted, expired). */
  get(location: PayloadLocation): Promise<string | undefined>;
  delete(location: PayloadLocation): Promise<void>;
}

/** A message attribute as SendMessage takes it (only strings and numbers here). */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
}
export type MessageAttributes = Record<string, MessageAttribute>;

/** A message about to be sent. */
export interface OutgoingMessage {
  body: string;
  attributes: MessageAttributes;
}

/** A pointer message read back: where its payload is, and what it must be. */
export interface PayloadPointer extends PayloadLocation {
  bytes: number;
  /** Absent in pointers of the extended client libraries. */
  sha256?: string;
}

/** The bytes SQS counts for a message: body and attributes. */
export function messageBytes(message: OutgoingMessage): number {
  return utf8Bytes(message.body) + attributeBytes(message.attributes);
}

/**
 * Stores `message.body` under `<keyPrefix><name>/<uuid>.json` and returns the pointer message,
 * with the message's own attributes kept. Every call writes its own object (the uuid): two
 * copies of one batch (a page enqueued again after a crash) never share one, so the reader
 * deleting one copy's object never takes the other's.
 */
export async function offloadPayload(message: OutgoingMessage, store: PayloadStore, options: { keyPrefix: string; name: string }): Promise<OutgoingMessage> {
  const key = `${options.keyPrefix}${safeKeyPart(options.name)}/${randomUUID()}.json`;
  await store.put(key, message.body);
  return {
    body: JSON.stringify([PAYLOAD_POINTER_CLASS, { s3BucketName: store.bucket, s3Key: key }]),
    attributes: {
      ...message.attributes,
      [EXTENDED_PAYLOAD_SIZE_ATTRIBUTE]: { DataType: 'Number', StringValue: String(utf8Bytes(message.body)) },
      [PAYLOAD_SHA256_ATTRIBUTE]: { DataType: 'String', StringValue: sha256Hex(message.body) },
    },
  };
}

/** A message that is, or claims to be, a pointer but is not a valid one. */
export class InvalidPointerError extends QueueError {}

/**
 * The pointer of a received message, or undefined for an ordinary message. A message is a
 * pointer when it has the `ExtendedPayloadSize` attribute, as the extended client libraries decide.
 * @throws InvalidPointerError when the attribute is there but the body or attributes are not a pointer's.
 */
export function payloadPointerOf(body: string, attributes: Readonly<MessageAttributes>): PayloadPointer | undefined {
  const size = attributes[EXTENDED_PAYLOAD_SIZE_ATTRIBUTE]?.StringValue;
  if (size === undefined) return undefined;
  const bytes = Number(size);
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new InvalidPointerError(`${EXTENDED_PAYLOAD_SIZE_ATTRIBUTE} is not a byte count`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidPointerError('the pointer body is not JSON');
  }
  const target = Array.isArray(json) && json.length === 2 && json[0] === PAYLOAD_POINTER_CLASS ? (json[1] as Record<string, unknown>) : undefined;
  const bucket = target?.['s3BucketName'];
  const key = target?.['s3Key'];
  if (typeof bucket !== 'string' || bucket === '' || typeof key !== 'string' || key === '') {
    throw new InvalidPointerError(`the body is not ["${PAYLOAD_POINTER_CLASS}", {"s3BucketName", "s3Key"}]`);
  }
  const sha256 = attributes[PAYLOAD_SHA256_ATTRIBUTE]?.StringValue;
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidPointerError(`${PAYLOAD_SHA256_ATTRIBUTE} is not a hex SHA-256`);
  return { bucket, key, bytes, ...(sha256 === undefined ? {} : { sha256 }) };
}

/** What reading a pointer's payload found. */
export type RetrievedPayload =
  | { status: 'ok'; body: string }
  | { status: 'missing' }
  | { status: 'mismatch'; detail: string };

/** Reads a pointer's payload and checks its size and (when the pointer has one) its hash. */
export async function retrievePayload(pointer: PayloadPointer, store: PayloadStore): Promise<RetrievedPayload> {
  const body = await store.get(pointer);
  if (body === undefined) return { status: 'missing' };
  const bytes = utf8Bytes(body);
  if (bytes !== pointer.bytes) return { status: 'mismatch', detail: `s3://${pointer.bucket}/${pointer.key} holds ${bytes} bytes, the pointer says ${pointer.bytes}` };
  if (pointer.sha256 !== undefined && sha256Hex(body) !== pointer.sha256) {
    return { status: 'mismatch', detail: `s3://${pointer.bucket}/${pointer.key} does not have the SHA-256 the pointer names` };
  }
  return { status: 'ok', body };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** An object key part: batch ids are base64url already; anything else is reduced to that alphabet. */
function safeKeyPart(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 200) || 'message';
}
