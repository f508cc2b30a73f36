import { describe, expect, it } from 'vitest';
import { parseReportParams } from '../report-params.js';
import { DRILL_PARAMS, parseDrillParams } from './drill-params.js';

const NOW = new Date('2026-12-07T11:00:00Z');
const drill = (q: Record<string, string>, monthly = true) => {
  const p = parseReportParams(q, NOW, DRILL_PARAMS);
  if (!p.ok) throw new Error(p.error.message);
  return parseDrillParams(p.value, ['new', 'churn'], monthly);
};

describe('parseDrillParams', () => {
  it('metric, month, currency, and page 1 of 100 by default', () => {
    expect(drill({ metric: 'new', month: '2026-03-20', currency: 'USD' })).toEqual({
      ok: true,
      value: {
        metric: 'new',
        month: {
          month: '2026-03',
          start: new Date('2026-03-01T00:00:00Z'),
          end: new Date('2026-04-01T00:00:00Z'),
        },
        currency: 'usd',
        page: 1,
        limit: 100,
      },
    });
    const paged = drill({ metric: 'churn', month: '2026-03', currency: 'eur', page: '3', limit: '1000' });
    expect(paged.ok && [paged.value.page, paged.value.limit]).toEqual([3, 1000]);
  });

  it("month is a month of the report's tz", () => {
    const r = drill({ metric: 'new', month: '2026-03', currency: 'usd', tz: 'Europe/Berlin' });
    expect(r.ok && r.value.month).toEqual({
      month: '2026-03',
      start: new Date('2026-02-28T23:00:00Z'),
      end: new Date('2026-03-31T22:00:00Z'),
    });
  });

  it('an instant report takes no month', () => {
    const r = drill({ metric: 'new', currency: 'usd' }, false);
    expect(r.ok && r.value.month).toBeNull();
  });

  it.each([
    [{ month: '2026-03', currency: 'usd' }, 'invalid_metric', 'metric'],
    [{ metric: 'mrr', month: '2026-03', currency: 'usd' }, 'invalid_metric', 'metric'],
    [{ metric: 'new', currency: 'usd' }, 'invalid_month', 'month'],
    [{ metric: 'new', month: '2026-13', currency: 'usd' }, 'invalid_month', 'month'],
    [{ metric: 'new', month: '2026-03' }, 'invalid_currency', 'currency'],
    [{ metric: 'new', month: '2026-03', currency: 'usd', page: '0' }, 'invalid_page', 'page'],
    [{ metric: 'new', month: '2026-03', currency: 'usd', page: '1.5' }, 'invalid_page', 'page'],
    [{ metric: 'new', month: '2026-03', currency: 'usd', limit: '1001' }, 'invalid_limit', 'limit'],
    [{ metric: 'new', month: '2026-03', currency: 'usd', limit: '-1' }, 'invalid_limit', 'limit'],
  ])('%o → %s', (q, code, parameter) => {
    expect(drill(q)).toMatchObject({ ok: false, error: { code, parameter } });
  });

  it('month on an instant report is refused', () => {
    expect(drill({ metric: 'new', month: '2026-03', currency: 'usd' }, false)).toMatchObject({
      ok: false,
      error: { code: 'invalid_month' },
    });
  });
});
