import { describe, expect, it } from 'vitest';
import { verifyDay, yesterdayOf } from '../../../lib/aws/daily-verification.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { memoryReader } from '../../support/report-archive.js';

const NOW = Date.parse('2026-11-21T02:00:00Z');

function options(day?: string) {
  return {
    source: { apiMode: async () => 'modern' as const, getEvents: async () => [] },
    archive: memoryReader([]),
    cursor: { read: async () => ({ positions: { 'acme#user': { time: NOW - 60_000, boundary: [], updatedAt: NOW } } }) },
    realms: ['acme'],
    streams: ['user'] as const,
    pageSize: 100,
    clock: new ManualClock(NOW),
    emit: () => undefined,
    ...(day !== undefined ? { day } : {}),
  };
}

describe('verifyDay', () => {
  it('takes the day before (UTC) by default, and verifies an empty day as complete', async () => {
    expect(yesterdayOf(NOW)).toBe('2026-11-20');
    expect(yesterdayOf(Date.parse('2026-01-01T00:00:00Z'))).toBe('2025-12-31');
    const result = await verifyDay(options());
    expect(result).toMatchObject({ status: 'verified', day: '2026-11-20', report: { totals: { read: 0, missing: 0 } } });
  });

  it('refuses a day that is not a date or not over yet', async () => {
    await expect(verifyDay(options('20.11.2026'))).rejects.toThrow('day must be a date such as 2026-11-20, got "20.11.2026"');
    await expect(verifyDay(options('2026-11-21'))).rejects.toThrow('day 2026-11-21 is not over yet');
  });
});
