import { describe, expect, it } from 'vitest';
import { PollerEventError, pollerScheduleOf } from '../../../lib/aws/poller-schedule.js';

describe('pollerScheduleOf', () => {
  it('reads the time the scheduler meant the run for and its rate', () => {
    expect(pollerScheduleOf({ scheduledTime: '2026-12-04T08:32:00Z', scheduleSeconds: 60 })).toEqual({ scheduledAt: Date.parse('2026-12-04T08:32:00Z'), everyMs: 60_000 });
  });

  it('finds no schedule in an invocation by hand (no event, or {})', () => {
    expect(pollerScheduleOf(undefined)).toBeUndefined();
    expect(pollerScheduleOf(null)).toBeUndefined();
    expect(pollerScheduleOf({})).toBeUndefined();
  });

  it('refuses an event it cannot use, naming each field and what is wrong', () => {
    const problems = (event: unknown): string[] => {
      try {
        pollerScheduleOf(event);
      } catch (error) {
        if (error instanceof PollerEventError) return error.problems;
        throw error;
      }
      throw new Error('accepted');
    };
    expect(problems({ scheduledTime: '<aws.scheduler.scheduled-time>', scheduleSeconds: 30 })).toEqual([
      'scheduledTime must be an ISO date-time such as 2026-12-04T08:32:00Z',
      'scheduleSeconds must be an integer from 60 to 86400 (seconds)',
    ]);
    expect(problems({ scheduledTime: '2026-12-04T08:32:00Z' })).toEqual(['scheduleSeconds must be an integer from 60 to 86400 (seconds)']);
    expect(problems([1])).toHaveLength(1);
  });
});
