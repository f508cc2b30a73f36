import { describe, expect, it } from 'vitest';
import { parseReportParams } from './report-params.js';

const NOW = new Date('2026-12-07T11:00:00Z');
const parse = (q: Record<string, unknown>, extra: string[] = []) => parseReportParams(q, NOW, extra);
const value = (q: Record<string, unknown>) => {
  const r = parse(q);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const error = (q: Record<string, unknown>, extra: string[] = []) => {
  const r = parse(q, extra);
  if (r.ok) throw new Error('expected an error');
  return r.error;
};

describe('parseReportParams: defaults', () => {
  it('the 12 months ending with the current one, now, all currencies and plans, default conventions, json', () => {
    const p = value({});
    expect(p.months.map((m) => m.month)).toEqual([
      '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06',
      '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12',
    ]); // prettier-ignore
    expect(p.at).toEqual(NOW);
    expect(p.currency).toBeNull();
    expect(p.plan).toBeNull();
    expect(p.provider).toBeNull();
    expect(p.country).toBeNull();
    expect(p.conventions).toEqual({
      pastDue: 'count',
      trials: 'zero',
      churnAt: 'period_end',
      sameWindow: 'include',
    });
    expect(p.format).toBe('json');
    expect(p.tz).toBe('UTC');
  });

  it('only `to`: the 12 months ending with it', () => {
    const p = value({ to: '2026-03' });
    expect(p.months[0]!.month).toBe('2025-04');
    expect(p.months.at(-1)!.month).toBe('2026-03');
  });
});

describe('parseReportParams: values', () => {
  it('from/to as months or dates (a date names its month)', () => {
    const p = value({ from: '2026-02-14', to: '2026-04' });
    expect(p.months.map((m) => m.month)).toEqual(['2026-02', '2026-03', '2026-04']);
    expect(p.months[0]!.start).toEqual(new Date('2026-02-01T00:00:00Z'));
    expect(p.months[2]!.end).toEqual(new Date('2026-05-01T00:00:00Z'));
    expect(value({ from: '2026-05', to: '2026-05-31' }).months.map((m) => m.month)).toEqual(['2026-05']);
  });

  it('at as a date-time with offset, or a date at 00:00 UTC', () => {
    expect(value({ at: '2026-04-01T12:30:00+02:00' }).at).toEqual(new Date('2026-04-01T10:30:00Z'));
    expect(value({ at: '2026-04-01' }).at).toEqual(new Date('2026-04-01T00:00:00Z'));
  });

  it('tz: months, the current month and a date-only `at` read in the zone', () => {
    const p = value({ tz: 'Europe/Berlin', from: '2026-03', to: '2026-04', at: '2026-04-01' });
    expect(p.tz).toBe('Europe/Berlin');
    expect(p.months).toEqual([
      { month: '2026-03', start: new Date('2026-02-28T23:00:00Z'), end: new Date('2026-03-31T22:00:00Z') },
      { month: '2026-04', start: new Date('2026-03-31T22:00:00Z'), end: new Date('2026-04-30T22:00:00Z') },
    ]);
    expect(p.at).toEqual(new Date('2026-03-31T22:00:00Z'));
    // a date-time carries its own offset, whatever the zone
    expect(value({ tz: 'Europe/Berlin', at: '2026-04-01T12:30:00Z' }).at).toEqual(
      new Date('2026-04-01T12:30:00Z'),
    );
    expect(value({ tz: 'America/New_York', at: '2026-03-08' }).at).toEqual(new Date('2026-03-08T05:00:00Z'));
    // NOW is 7 Dec 11:00 UTC; at 03:00 UTC on 1 Jan 2027 it is still December in New York, already January in Tokyo
    const newYear = new Date('2027-01-01T03:00:00Z');
    const current = (tz: string) => {
      const r = parseReportParams({ tz }, newYear);
      if (!r.ok) throw new Error(r.error.message);
      return r.value.months.at(-1)!.month;
    };
    expect([current('UTC'), current('America/New_York'), current('Asia/Tokyo')]).toEqual([
      '2027-01',
      '2026-12',
      '2027-01',
    ]);
    // UTC spelled another way is UTC (the rollups' months)
    expect(value({ tz: 'Etc/UTC' }).tz).toBe('UTC');
  });

  it('currency in any case, answered lowercase', () => {
    expect(value({ currency: 'EUR' }).currency).toBe('eur');
    expect(value({ currency: 'jpy' }).currency).toBe('jpy');
  });

  it('provider from the sign-up providers, as given', () => {
    for (const provider of ['email', 'google', 'github', 'microsoft', 'linkedin', 'okta', 'airtable']) {
      expect(value({ provider }).provider).toBe(provider);
    }
  });

  it('country in any case, answered uppercase as Stripe writes it', () => {
    expect(value({ country: 'gb' }).country).toBe('GB');
    expect(value({ country: 'Fr' }).country).toBe('FR');
    expect(value({ country: 'US', provider: 'okta' })).toMatchObject({ country: 'US', provider: 'okta' });
  });

  it('conventions and format', () => {
    const p = value({
      pastDue: 'exclude',
      trials: 'list',
      churnAt: 'cancel_request',
      sameWindow: 'exclude',
      format: 'csv',
      plan: 'pro',
    });
    expect(p.conventions).toEqual({
      pastDue: 'exclude',
      trials: 'list',
      churnAt: 'cancel_request',
      sameWindow: 'exclude',
    });
    expect(p.format).toBe('csv');
    expect(p.plan).toBe('pro');
  });

  it('extra parameters a report allows are passed through', () => {
    const r = parse({ metric: 'churn', month: '2026-03' }, ['metric', 'month']);
    expect(r.ok && r.value.extra).toEqual({ metric: 'churn', month: '2026-03' });
  });
});

describe('parseReportParams: bad input names the parameter', () => {
  it.each([
    [{ from: '2026-13' }, 'invalid_from', 'from'],
    [{ from: '2026-02-30' }, 'invalid_from', 'from'],
    [{ to: 'last-month' }, 'invalid_to', 'to'],
    [{ from: '2026-05', to: '2026-04' }, 'invalid_range', 'from'],
    [{ from: '2000-01', to: '2026-04' }, 'invalid_range', 'from'],
    [{ at: 'yesterday' }, 'invalid_at', 'at'],
    [{ at: '2026-02-30' }, 'invalid_at', 'at'],
    [{ currency: 'usd1' }, 'invalid_currency', 'currency'],
    [{ currency: 'xyz' }, 'invalid_currency', 'currency'],
    [{ currency: ['usd', 'eur'] }, 'invalid_currency', 'currency'],
    [{ plan: 'Pro Plan' }, 'invalid_plan', 'plan'],
    [{ pastDue: 'ignore' }, 'invalid_past_due', 'pastDue'],
    [{ trials: 'count' }, 'invalid_trials', 'trials'],
    [{ churnAt: 'now' }, 'invalid_churn_at', 'churnAt'],
    [{ sameWindow: 'yes' }, 'invalid_same_window', 'sameWindow'],
    [{ format: 'xml' }, 'invalid_format', 'format'],
    [{ provider: 'Google' }, 'invalid_provider', 'provider'],
    [{ provider: 'oauth' }, 'invalid_provider', 'provider'],
    [{ provider: '' }, 'invalid_provider', 'provider'],
    [{ provider: ['google', 'github'] }, 'invalid_provider', 'provider'],
    [{ country: 'GBR' }, 'invalid_country', 'country'],
    [{ country: 'g' }, 'invalid_country', 'country'],
    [{ country: 'G1' }, 'invalid_country', 'country'],
    [{ country: '' }, 'invalid_country', 'country'],
    [{ country: ['us', 'gb'] }, 'invalid_country', 'country'],
    [{ tz: 'Mars/Olympus_Mons' }, 'invalid_tz', 'tz'],
    [{ tz: '+01:00' }, 'invalid_tz', 'tz'],
    [{ tz: '' }, 'invalid_tz', 'tz'],
    [{ tz: ['UTC', 'Europe/Berlin'] }, 'invalid_tz', 'tz'],
    [{ region: 'eu' }, 'unknown_parameter', 'region'],
    [{ metric: 'churn' }, 'unknown_parameter', 'metric'],
  ])('%o → %s', (query, code, parameter) => {
    expect(error(query)).toMatchObject({ code, parameter });
  });
});
