import * as z from 'zod';

/**
 * What EventBridge Scheduler sends the poller (infra/constructs/poller-function.ts writes this
 * input): the time the invocation was scheduled for and the schedule's rate, so the poller
 * knows when the next invocation starts and can re-read until then.
 */
export interface PollerSchedule {
  /** Epoch ms the scheduler meant this invocation to start at. */
  scheduledAt: number;
  /** Milliseconds between two scheduled invocations. */
  everyMs: number;
}

/** The largest rate the deployment allows (deployment.scheduleMinutes: a day). */
const MAX_SCHEDULE_SECONDS = 86_400;

const scheduledEventSchema = z.strictObject({
  // `<aws.scheduler.scheduled-time>`, which the scheduler fills in as `2026-12-04T08:32:00Z`.
  scheduledTime: z.iso.datetime({ offset: true, error: 'must be an ISO date-time such as 2026-12-04T08:32:00Z' }),
  // EventBridge Scheduler's smallest rate is a minute.
  scheduleSeconds: z
    .number({ error: `must be an integer from 60 to ${MAX_SCHEDULE_SECONDS} (seconds)` })
    .int({ error: `must be an integer from 60 to ${MAX_SCHEDULE_SECONDS} (seconds)` })
    .min(60, { error: `must be an integer from 60 to ${MAX_SCHEDULE_SECONDS} (seconds)` })
    .max(MAX_SCHEDULE_SECONDS, { error: `must be an integer from 60 to ${MAX_SCHEDULE_SECONDS} (seconds)` }),
});

/** The poller's event names a schedule it cannot use. */
export class PollerEventError extends Error {
  constructor(readonly problems: string[]) {
    super(`the poller's event is not a schedule it understands: ${problems.join('; ')}`);
    this.name = 'PollerEventError';
  }
}

/**
 * The schedule the event carries, or `undefined` for an event without one (an `aws lambda invoke`
 * by hand sends `{}`): such an invocation reads once, as it cannot know when the next one comes.
 * @throws PollerEventError naming each field that is wrong.
 */
export function pollerScheduleOf(event: unknown): PollerSchedule | undefined {
  if (event === undefined || event === null) return undefined;
  if (typeof event === 'object' && !Array.isArray(event) && Object.keys(event).length === 0) return undefined;
  const parsed = scheduledEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new PollerEventError(parsed.error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join('.')} ${issue.message}`)));
  }
  return { scheduledAt: Date.parse(parsed.data.scheduledTime), everyMs: parsed.data.scheduleSeconds * 1000 };
}
