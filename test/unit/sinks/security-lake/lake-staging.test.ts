import { describe, expect, it } from 'vitest';
import {
  isManifestKey,
  manifestKeyOf,
  stagedKeyOf,
  stagedNameOf,
  tombstoneDayFolder,
  tombstoneExpiryKeyOf,
  tombstoneExpiryTimeOf,
  tombstoneFolderDay,
  tombstoneKeyOf,
} from '../../../../lib/sinks/security-lake/lake-staging.js';

const STAGING = { bucket: 'stage', prefix: 'mpas-log-sync-staging/' };
const HASH = '0123456789abcdef0123456789abcdef';

describe('the staging area\'s keys', () => {
  it('names a staged object by source, day and hash, and reads the name back', () => {
    const key = stagedKeyOf(STAGING, 'mpas-authentication', '20250304', HASH);
    expect(key).toBe(`mpas-log-sync-staging/staged/mpas-authentication/eventDay=20250304/${HASH}.jsonl.gz`);
    expect(stagedNameOf(STAGING, key)).toEqual({ source: 'mpas-authentication', eventDay: '20250304', hash: HASH });
    expect(stagedKeyOf({ bucket: 'b', prefix: '' }, 's', '20250304', HASH)).toBe(`staged/s/eventDay=20250304/${HASH}.jsonl.gz`);
  });

  it('takes no other key for a staged object\'s', () => {
    for (const key of [
      'mpas-log-sync-staging/staged/',
      `mpas-log-sync-staging/staged/mpas-authentication/eventDay=2025030/${HASH}.jsonl.gz`,
      `mpas-log-sync-staging/staged/mpas-authentication/eventDay=20250304/${HASH}.jsonl`,
      `mpas-log-sync-staging/staged/a/b/eventDay=20250304/${HASH}.jsonl.gz`,
      `other/staged/mpas-authentication/eventDay=20250304/${HASH}.jsonl.gz`,
    ]) {
      expect(stagedNameOf(STAGING, key), key).toBeUndefined();
    }
  });

  it('names the tombstone and the manifest beside the staged objects', () => {
    expect(tombstoneKeyOf(STAGING, { source: 'mpas-authentication', eventDay: '20250304', hash: HASH })).toBe(`mpas-log-sync-staging/compacted/mpas-authentication/eventDay=20250304/${HASH}`);
    const manifest = manifestKeyOf(STAGING, HASH);
    expect(manifest).toBe(`mpas-log-sync-staging/manifests/${HASH}.json`);
    expect(isManifestKey(STAGING, manifest)).toBe(true);
    expect(isManifestKey(STAGING, 'mpas-log-sync-staging/manifests/')).toBe(false);
  });

  it('names a source\'s day of tombstones, the folder its tombstones are in, and reads the day back from a listing\'s folder', () => {
    const name = { source: 'mpas-authentication', eventDay: '20250304', hash: HASH };
    const folder = tombstoneDayFolder(STAGING, name.source, name.eventDay);
    expect(folder).toBe('mpas-log-sync-staging/compacted/mpas-authentication/eventDay=20250304/');
    expect(tombstoneKeyOf(STAGING, name).startsWith(folder)).toBe(true);
    const sourceFolder = 'mpas-log-sync-staging/compacted/mpas-authentication/';
    expect(tombstoneFolderDay(sourceFolder, folder)).toBe('20250304');
    for (const other of [`${sourceFolder}eventDay=2025030/`, `${sourceFolder}day=20250304/`, 'mpas-log-sync-staging/compacted/other/eventDay=20250304/']) {
      expect(tombstoneFolderDay(sourceFolder, other), other).toBeUndefined();
    }
  });

  it('notes the last tombstone expiry pass outside the tombstones, its time in the key', () => {
    const note = tombstoneExpiryKeyOf(STAGING, 1_741_132_200_000);
    expect(note).toBe('mpas-log-sync-staging/tombstone-expiry/1741132200000');
    expect(tombstoneExpiryTimeOf(STAGING, note)).toBe(1_741_132_200_000);
    for (const other of ['mpas-log-sync-staging/tombstone-expiry/', 'mpas-log-sync-staging/tombstone-expiry/12a', 'mpas-log-sync-staging/compacted/1741132200000']) {
      expect(tombstoneExpiryTimeOf(STAGING, other), other).toBeUndefined();
    }
  });
});
