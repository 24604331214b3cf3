import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadS3Module, s3ClientOnDemand } from '../../../lib/aws/s3-client-on-demand.js';

describe('s3ClientOnDemand', () => {
  it('answers with the client it was given', async () => {
    const given = new S3Client({ region: 'eu-west-1' });
    const client = s3ClientOnDemand(given);
    expect(await client()).toBe(given);
    expect(await client()).toBe(given);
  });

  it('makes one client at the first call and gives the same one after', async () => {
    const client = s3ClientOnDemand();
    const [first, second] = await Promise.all([client(), client()]);
    expect(first).toBeInstanceOf(S3Client);
    expect(second).toBe(first);
    expect(await client()).toBe(first);
  });

  it('loads the S3 module once', async () => {
    expect(loadS3Module()).toBe(loadS3Module());
    expect((await loadS3Module()).S3Client).toBe(S3Client);
  });
});
