import { describe, expect, it } from 'vitest';
import {
  addMonths,
  localMidnight,
  monthBounds,
  monthOf,
  monthParts,
  monthsBetween,
  parseMonth,
  parseZone,
} from './periods.js';

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

describe('months in a time zone (DST-correct, from the zone rules)', () => {
  // Europe/Berlin: CET (+01:00) until Sun 29 March 2026 02:00, then CEST (+02:00); back on Sun 25 October 03:00.
  it('Europe/Berlin, March 2026 (DST starts inside it): 00:00 CET on the 1st to 00:00 CEST on 1 April', () => {
    expect(monthBounds({ year: 2026, month: 3 }, 'Europe/Berlin')).toEqual({
      month: '2026-03',
      start: new Date('2026-02-28T23:00:00Z'),
      end: new Date('2026-03-31T22:00:00Z'),
    });
    // 31 days less the hour skipped on the 29th
    const m = monthBounds({ year: 2026, month: 3 }, 'Europe/Berlin');
    expect(m.end.getTime() - m.start.getTime()).toBe((31 * 24 - 1) * 3_600_000);
  });

  it('Europe/Berlin, October 2026 (DST ends inside it): one hour longer', () => {
    expect(monthBounds({ year: 2026, month: 10 }, 'Europe/Berlin')).toEqual({
      month: '2026-10',
      start: new Date('2026-09-30T22:00:00Z'),
      end: new Date('2026-10-31T23:00:00Z'),
    });
  });

  // America/New_York: EST (−05:00) until Sun 8 March 2026 02:00, then EDT (−04:00); back on Sun 1 November 02:00.
  it('America/New_York, March 2026: 00:00 EST on the 1st to 00:00 EDT on 1 April', () => {
    expect(monthBounds({ year: 2026, month: 3 }, 'America/New_York')).toEqual({
      month: '2026-03',
      start: new Date('2026-03-01T05:00:00Z'),
      end: new Date('2026-04-01T04:00:00Z'),
    });
  });

  it('America/New_York, November 2026 (DST ends on the 1st at 02:00, after midnight): 00:00 EDT to 00:00 EST', () => {
    expect(monthBounds({ year: 2026, month: 11 }, 'America/New_York')).toEqual({
      month: '2026-11',
      start: new Date('2026-11-01T04:00:00Z'),
      end: new Date('2026-12-01T05:00:00Z'),
    });
  });

  it('a zone without DST, and one with a 45-minute offset', () => {
    expect(monthBounds({ year: 2026, month: 1 }, 'Asia/Tokyo').start).toEqual(
      new Date('2025-12-31T15:00:00Z'),
    );
    expect(monthBounds({ year: 2026, month: 1 }, 'Asia/Kathmandu').start).toEqual(
      new Date('2025-12-31T18:15:00Z'),
    );
  });

  it('where 00:00 does not exist or happens twice, the instant PostgreSQL reads (the later one)', () => {
    // America/Santiago skipped 00:00-01:00 on Sun 1 September 2024 (−04:00 → −03:00): the day starts at the jump
    expect(localMidnight(2024, 9, 1, 'America/Santiago')).toEqual(new Date('2024-09-01T04:00:00Z'));
    // America/Havana went back from 01:00 CDT to 00:00 CST on Sun 2 November 2025: 00:00 CST is the later reading
    expect(localMidnight(2025, 11, 2, 'America/Havana')).toEqual(new Date('2025-11-02T05:00:00Z'));
  });

  it('monthsBetween in a zone chains the bounds: each month ends where the next starts', () => {
    const months = monthsBetween({ year: 2026, month: 1 }, { year: 2026, month: 12 }, 'Europe/Berlin');
    for (let i = 1; i < months.length; i++) expect(months[i]!.start).toEqual(months[i - 1]!.end);
    expect(months.map(monthParts)[2]).toEqual({ year: 2026, month: 3 });
  });

  it('monthOf reads the wall clock of the zone', () => {
    const at = new Date('2026-03-31T22:30:00Z');
    expect(monthOf(at)).toEqual({ year: 2026, month: 3 });
    expect(monthOf(at, 'Europe/Berlin')).toEqual({ year: 2026, month: 4 });
    expect(monthOf(new Date('2026-04-01T03:59:59Z'), 'America/New_York')).toEqual({ year: 2026, month: 3 });
  });

  it('parseZone: IANA names as the runtime spells them; UTC aliases are UTC; offsets and unknown names refused', () => {
    expect(parseZone('Europe/Berlin')).toEqual({ ok: true, value: 'Europe/Berlin' });
    expect(parseZone('europe/berlin')).toEqual({ ok: true, value: 'Europe/Berlin' });
    expect(parseZone('America/Argentina/Buenos_Aires')).toEqual({
      ok: true,
      value: 'America/Argentina/Buenos_Aires',
    });
    // not replaced by ICU's older canonical name (Asia/Calcutta)
    expect(parseZone('Asia/Kolkata')).toEqual({ ok: true, value: 'Asia/Kolkata' });
    for (const utc of ['UTC', 'Etc/UTC', 'utc', 'GMT'])
      expect(parseZone(utc)).toEqual({ ok: true, value: 'UTC' });
    for (const bad of [
      'Mars/Olympus_Mons',
      '+01:00',
      'UTC+1',
      '',
      'Europe/',
      '../etc/passwd',
      'Europe Berlin',
    ]) {
      expect(parseZone(bad).ok, bad).toBe(false);
    }
  });
});
