import { describe, expect, it } from 'vitest';
import { addMonths, monthBounds, monthOf, monthsBetween, parseMonth } from './periods.js';

describe('parseMonth', () => {
  it.each([
    ['2026-03', { year: 2026, month: 3 }],
    ['2026-12', { year: 2026, month: 12 }],
    ['2026-03-31', { year: 2026, month: 3 }],
    ['2024-02-29', { year: 2024, month: 2 }],
    ['1970-01-01', { year: 1970, month: 1 }],
  ])('%s names %o', (text, expected) => {
    expect(parseMonth(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '2026-13',
    '2026-00',
    '2026-3',
    '26-03',
    '2026-02-30',
    '2025-02-29',
    '2026-04-31',
    '2026-03-00',
    '1969-12',
    '2026-03-01T00:00:00Z',
    ' 2026-03',
    '',
    'march',
  ])('refuses %j', (text) => {
    expect(parseMonth(text).ok).toBe(false);
  });
});

describe('month arithmetic (UTC)', () => {
  it('monthOf reads the UTC month, not the local one', () => {
    expect(monthOf(new Date('2026-03-31T23:59:59.999Z'))).toEqual({ year: 2026, month: 3 });
    expect(monthOf(new Date('2026-04-01T00:00:00Z'))).toEqual({ year: 2026, month: 4 });
  });

  it('addMonths crosses years both ways', () => {
    expect(addMonths({ year: 2026, month: 11 }, 2)).toEqual({ year: 2027, month: 1 });
    expect(addMonths({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
    expect(addMonths({ year: 2026, month: 12 }, -11)).toEqual({ year: 2026, month: 1 });
    expect(addMonths({ year: 2026, month: 5 }, 0)).toEqual({ year: 2026, month: 5 });
    expect(addMonths({ year: 2026, month: 5 }, -29)).toEqual({ year: 2023, month: 12 });
  });

  it('a month is [its first instant, the next month’s first instant)', () => {
    expect(monthBounds({ year: 2024, month: 2 })).toEqual({
      month: '2024-02',
      start: new Date('2024-02-01T00:00:00Z'),
      end: new Date('2024-03-01T00:00:00Z'),
    });
    expect(monthBounds({ year: 2026, month: 12 }).end).toEqual(new Date('2027-01-01T00:00:00Z'));
  });

  it('monthsBetween includes both ends, is empty when reversed', () => {
    expect(monthsBetween({ year: 2026, month: 11 }, { year: 2027, month: 2 }).map((m) => m.month)).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    expect(monthsBetween({ year: 2026, month: 3 }, { year: 2026, month: 3 }).map((m) => m.month)).toEqual([
      '2026-03',
    ]);
    expect(monthsBetween({ year: 2026, month: 4 }, { year: 2026, month: 3 })).toEqual([]);
  });
});
