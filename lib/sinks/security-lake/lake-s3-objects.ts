import { DeleteObjectsCommand, GetObjectCommand, paginateListObjectsV2, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/** One bucket through one client, the requests the compactor makes of it; every request takes the run's signal. */
export interface BucketObjects {
  readonly bucket: string;
  /** Every object under `prefix`, in key order, with its size and when it was last written. */
  list(prefix: string): Promise<StoredObject[]>;
  /** One level under `prefix` (ending in '/'): its folders (each ending in '/') and the objects directly in it. */
  folders(prefix: string): Promise<{ folders: string[]; objects: StoredObject[] }>;
  /** The object's bytes; undefined when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** Deletes the objects (absent ones are no error); throws naming the first S3 refused. */
  delete(keys: readonly string[]): Promise<void>;
}

/** An object as a listing shows it. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** Epoch milliseconds, by the server's clock. */
  readonly lastModified: number;
}

// DeleteObjects takes at most this many keys a request.
const DELETE_BATCH = 1000;

/** The requests of {@link BucketObjects} on `bucket`. */
export function bucketObjects(client: S3Client, bucket: string, signal: AbortSignal | undefined): BucketObjects {
  const sending = signal === undefined ? {} : { abortSignal: signal };
  const listing = async (prefix: string, delimiter: '/' | undefined): Promise<{ folders: string[]; objects: StoredObject[] }> => {
    const folders: string[] = [];
    const objects: StoredObject[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client, ...sending }, { Bucket: bucket, Prefix: prefix, ...(delimiter === undefined ? {} : { Delimiter: delimiter }) })) {
        for (const { Key, Size, LastModified } of page.Contents ?? []) {
          if (Key !== undefined) objects.push({ key: Key, size: Size ?? 0, lastModified: LastModified?.getTime() ?? 0 });
        }
        for (const { Prefix } of page.CommonPrefixes ?? []) if (Prefix !== undefined) folders.push(Prefix);
      }
    } catch (error) {
      throw withWhere(error, `S3 ListObjectsV2 s3://${bucket}/${prefix}`);
    }
    return { folders, objects };
  };
  return {
    bucket,
    async list(prefix) {
      return (await listing(prefix, undefined)).objects;
    },
    folders: (prefix) => listing(prefix, '/'),
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), sending);
        return await answer.Body!.transformToByteArray();
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw withWhere(error, `S3 GetObject s3://${bucket}/${key}`);
      }
    },
    async put(key, body, contentType) {
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }), sending);
      } catch (error) {
        throw withWhere(error, `S3 PutObject s3://${bucket}/${key}`);
      }
    },
    async delete(keys) {
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        let refused: Array<{ Key?: string; Code?: string; Message?: string }>;
        try {
          const answer = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }), sending);
          refused = answer.Errors ?? [];
        } catch (error) {
          throw withWhere(error, `S3 DeleteObjects s3://${bucket}/ (${batch.length} keys from ${batch[0]})`);
        }
        const first = refused[0];
        if (first !== undefined) throw new Error(`S3 DeleteObjects s3://${bucket}/${first.Key ?? '?'}: ${first.Code ?? 'error'}: ${first.Message ?? ''} (${refused.length} of ${batch.length} refused)`);
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404 && name !== 'NoSuchBucket';
}

/** The error with the request it answered: an abort stays as it is, so that the caller knows it for one. */
function withWhere(error: unknown, where: string): unknown {
  if (!(error instanceof Error) || error.name === 'AbortError') return error;
  const status = statusOf(error);
  return new Error(`${where}: ${status === undefined ? '' : `HTTP ${status} `}${error.name}: ${error.message}`, { cause: error });
}
