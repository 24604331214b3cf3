import type { S3Client } from '@aws-sdk/client-s3';
import type { PayloadLocation, PayloadStore } from '../core/queue/claim-check.js';
import { loadS3Module } from './s3-client-on-demand.js';
import type { S3ClientOnDemand, S3Module } from './s3-client-on-demand.js';

/**
 * The key prefix of large queue payloads in the tenant's payload bucket: infra grants and
 * expires exactly this prefix.
 */
export const LARGE_PAYLOAD_PREFIX = 'large-payloads/';

/** An S3 call of the payload store failed (other than a missing object on read). */
export class PayloadStoreError extends Error {
  constructor(
    readonly action: string,
    location: PayloadLocation,
    options: { cause: unknown },
  ) {
    const cause = options.cause instanceof Error ? `: ${options.cause.name}: ${options.cause.message}` : '';
    super(`${action} s3://${location.bucket}/${location.key} failed${cause}`, options);
    this.name = 'PayloadStoreError';
  }
}

/**
 * Large queue payloads on S3, each written encrypted with the tenant's key (SSE-KMS, an S3 Bucket
 * Key so not every object costs a KMS call). The key is named on every write, not left to the
 * bucket's default, so a payload is never stored under any other key. The S3 module loads at the
 * first payload (s3-client-on-demand.ts): only an event too large for a message needs it.
 */
export class S3PayloadStore implements PayloadStore {
  private readonly client: S3ClientOnDemand;

  constructor(
    client: S3Client | S3ClientOnDemand,
    readonly bucket: string,
    /** The KMS key's ARN or id; undefined: the bucket's default encryption. */
    private readonly kmsKeyId?: string,
  ) {
    this.client = typeof client === 'function' ? client : () => Promise.resolve(client);
  }

  async put(key: string, body: string): Promise<void> {
    const location = { bucket: this.bucket, key };
    const { PutObjectCommand } = await loadS3Module();
    await this.send('PutObject', location, new PutObjectCommand({
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      ...(this.kmsKeyId === undefined ? {} : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId, BucketKeyEnabled: true }),
    }));
  }

  async get(location: PayloadLocation): Promise<string | undefined> {
    const { GetObjectCommand, NoSuchKey } = await loadS3Module();
    try {
      const output = await (await this.client()).send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      return (await output.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) return undefined;
      throw new PayloadStoreError('GetObject', location, { cause: error });
    }
  }

  async delete(location: PayloadLocation): Promise<void> {
    const { DeleteObjectCommand } = await loadS3Module();
    await this.send('DeleteObject', location, new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
  }

  private async send(action: string, location: PayloadLocation, command: InstanceType<S3Module['PutObjectCommand'] | S3Module['DeleteObjectCommand']>): Promise<void> {
    try {
      await (await this.client()).send(command as InstanceType<S3Module['PutObjectCommand']>);
    } catch (error) {
      throw new PayloadStoreError(action, location, { cause: error });
    }
  }
}
