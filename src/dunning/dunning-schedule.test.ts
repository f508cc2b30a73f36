import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dunningSchedule, dunningStepDue } from './dunning-schedule.js';

const at = (iso: string) => new Date(iso);

describe('dunningSchedule', () => {
  it('7 days of grace: ends 7 days after the first failure, reminder 2 days before', () => {
    const s = dunningSchedule({ firstFailureAt: at('2026-03-01T10:00:00Z'), graceDays: 7 });
    expect(s.graceUntil.toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(s.reminderAt?.toISOString()).toBe('2026-03-06T10:00:00.000Z');
  });

  it('3 days of grace: reminder halfway (shorter than twice the lead)', () => {
    const s = dunningSchedule({ firstFailureAt: at('2026-03-01T00:00:00Z'), graceDays: 3 });
    expect(s.graceUntil.toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(s.reminderAt?.toISOString()).toBe('2026-03-02T12:00:00.000Z');
  });

  it('1 day of grace: reminder after 12 hours', () => {
    const s = dunningSchedule({ firstFailureAt: at('2026-03-01T00:00:00Z'), graceDays: 1 });
    expect(s.reminderAt?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('no grace: ends at the failure, no reminder', () => {
    const s = dunningSchedule({ firstFailureAt: at('2026-03-01T00:00:00Z'), graceDays: 0 });
    expect(s.graceUntil.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(s.reminderAt).toBeNull();
  });

  it('refuses negative or fractional grace days', () => {
    expect(() => dunningSchedule({ firstFailureAt: at('2026-03-01T00:00:00Z'), graceDays: -1 })).toThrow(
      RangeError,
    );
    expect(() => dunningSchedule({ firstFailureAt: at('2026-03-01T00:00:00Z'), graceDays: 1.5 })).toThrow(
      RangeError,
    );
  });

  it('property: failure < reminder < graceUntil, and graceUntil - failure = graceDays days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 1, max: 90 }), (t, days) => {
        const s = dunningSchedule({ firstFailureAt: new Date(t), graceDays: days });
        expect(s.graceUntil.getTime() - t).toBe(days * 86_400_000);
        expect(s.reminderAt!.getTime()).toBeGreaterThan(t);
        expect(s.reminderAt!.getTime()).toBeLessThan(s.graceUntil.getTime());
      }),
      { numRuns: 300 },
    );
  });
});

describe('dunningStepDue', () => {
  const c = {
    graceUntil: at('2026-03-08T10:00:00Z'),
    reminderAt: at('2026-03-06T10:00:00Z'),
    reminderSentAt: null,
  };
  it('nothing before the reminder', () => {
    expect(dunningStepDue(c, at('2026-03-06T09:59:59.999Z'))).toBeNull();
  });
  it('remind from the reminder instant (inclusive)', () => {
    expect(dunningStepDue(c, at('2026-03-06T10:00:00Z'))).toBe('remind');
  });
  it('nothing once reminded, until the grace ends', () => {
    expect(
      dunningStepDue({ ...c, reminderSentAt: at('2026-03-06T10:00:00Z') }, at('2026-03-08T09:59:59Z')),
    ).toBeNull();
  });
  it('expire at graceUntil (exclusive end), even if never reminded', () => {
    expect(dunningStepDue(c, at('2026-03-08T10:00:00Z'))).toBe('expire');
    expect(dunningStepDue({ ...c, reminderAt: null }, at('2026-03-09T00:00:00Z'))).toBe('expire');
  });
});
