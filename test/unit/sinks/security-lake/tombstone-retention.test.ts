import { describe, expect, it } from 'vitest';
import { LAKE_TOMBSTONE_EXPIRATION_DAYS } from '../../../../infra/constructs/large-payload-bucket.js';
import { DEFAULT_TOMBSTONE_RETENTION_MS } from '../../../../lib/sinks/security-lake/lake-compactor.js';

describe('the lake compactor\'s tombstone retention', () => {
  // A tombstone deleted sooner than a staged message can come back lets its events into the lake
  // twice; the compactor (everywhere) and the stack's lifecycle rule (on AWS) must keep them alike.
  it('equals the stack\'s lifecycle expiry of the tombstones', () => {
    expect(DEFAULT_TOMBSTONE_RETENTION_MS).toBe(LAKE_TOMBSTONE_EXPIRATION_DAYS * 86_400_000);
  });
});
