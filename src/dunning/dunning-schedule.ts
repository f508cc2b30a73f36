/**
 * The dunning schedule (pure policy, no I/O): from the first failed payment of a case and the grace days that
 * apply (the plan's `grace_days`, else GRACE_DAYS), when the grace period ends and when the "grace ending"
 * reminder is due; and, for an open case at an instant, which step is due now.
 *
 * - graceUntil = first failure + graceDays × 24 h (exclusive end: at that instant the grace is over, matching
 *   entitledRole's half-open intervals).
 * - The reminder goes REMINDER_LEAD_DAYS (2) before graceUntil; with a grace shorter than twice that, halfway
 *   through it; with no grace (0 days) there is nothing to remind of (null).
 */
export const DAY_MS = 24 * 3600 * 1000;
export const REMINDER_LEAD_DAYS = 2;

export interface DunningSchedule {
  graceUntil: Date;
  reminderAt: Date | null;
}

export function dunningSchedule(input: { firstFailureAt: Date; graceDays: number }): DunningSchedule {
  if (!Number.isInteger(input.graceDays) || input.graceDays < 0) {
    throw new RangeError(`graceDays must be a whole number >= 0, got ${input.graceDays}`);
  }
  const start = input.firstFailureAt.getTime();
  const graceMs = input.graceDays * DAY_MS;
  const graceUntil = new Date(start + graceMs);
  if (graceMs === 0) return { graceUntil, reminderAt: null };
  const lead = Math.min(REMINDER_LEAD_DAYS * DAY_MS, Math.floor(graceMs / 2));
  return { graceUntil, reminderAt: new Date(graceUntil.getTime() - lead) };
}

export type DunningStepDue = 'expire' | 'remind' | null;

/** Which step an OPEN case needs at `now`: expiry first (a reminder after the grace ended is pointless). */
export function dunningStepDue(
  c: { graceUntil: Date; reminderAt: Date | null; reminderSentAt: Date | null },
  now: Date,
): DunningStepDue {
  if (now.getTime() >= c.graceUntil.getTime()) return 'expire';
  if (c.reminderAt && c.reminderSentAt === null && now.getTime() >= c.reminderAt.getTime()) return 'remind';
  return null;
}
