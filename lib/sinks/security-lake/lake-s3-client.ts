import { S3Client } from '@aws-sdk/client-s3';

/** The request settings of a security-lake destination that its S3 clients share. */
export interface LakeClientSettings {
  /** An S3-compatible endpoint instead of AWS's (SIEM_URL: tests, a local emulator); path-style requests. */
  readonly url?: string | undefined;
  readonly timeoutMs: number;
  /** Tries of one request (the SDK's retry with its backoff). */
  readonly attempts: number;
}

/**
 * An S3 client for one region of a security-lake destination, made as the sink makes its own:
 * the staging bucket may be in another region than the lake (SECURITY_LAKE_STAGING_REGION), so
 * the sink and the compactor hold one client per region.
 */
export function lakeS3Client(region: string, settings: LakeClientSettings): S3Client {
  return new S3Client({
    region,
    maxAttempts: settings.attempts,
    requestHandler: { requestTimeout: settings.timeoutMs, connectionTimeout: settings.timeoutMs },
    ...(settings.url === undefined ? {} : { endpoint: settings.url, forcePathStyle: true }),
  });
}
