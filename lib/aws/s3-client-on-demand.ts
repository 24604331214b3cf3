import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/** The AWS SDK's S3 module. */
export type S3Module = typeof S3Sdk;

/** An S3 client, made when first asked for. */
export type S3ClientOnDemand = () => Promise<S3Client>;

let s3Module: Promise<S3Module> | undefined;

/**
 * The S3 module, loaded at its first use: only tenants with a large-payload bucket or an archive
 * need it, and only when a large event or an archive write comes, so the Lambdas' cold start
 * does not evaluate it (esbuild keeps a dynamic import of a bundled module lazy).
 */
export function loadS3Module(): Promise<S3Module> {
  return (s3Module ??= import('@aws-sdk/client-s3'));
}

/** `given`, or one client with the default settings made at the first call and shared by the later ones. */
export function s3ClientOnDemand(given?: S3Client): S3ClientOnDemand {
  let client: Promise<S3Client> | undefined;
  return () => (client ??= given === undefined ? loadS3Module().then(({ S3Client }) => new S3Client({})) : Promise.resolve(given));
}
