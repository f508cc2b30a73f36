import { describe, expect, it } from 'vitest';
import {
  arpa,
  lifetimeValue,
  basisPoints,
  customerChurnRate,
  grossMrrChurnRate,
  netMrrChurnRate,
  netNewMrr,
  netRevenueRetention,
  quickRatio,
  ratio,
  type MovementTotals,
} from './rates.js';

const month = (o: Partial<MovementTotals> = {}): MovementTotals => ({
  startMrr: 10000,
  new: 0,
  expansion: 0,
  contraction: 0,
  churn: 0,
  reactivation: 0,
  ...o,
});

describe('ratio', () => {
  it('is null, not 0 or Infinity, when the denominator is 0', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
    expect(basisPoints(5, 0)).toBeNull();
  });
  it('rounds to 4 decimals, half away from zero, on the exact fraction', () => {
    expect(ratio(1, 3)).toBe(0.3333);
    expect(ratio(2, 3)).toBe(0.6667);
    expect(ratio(1, 20000)).toBe(0.0001); // 0.00005 → 0.0001
    expect(ratio(-1, 20000)).toBe(-0.0001);
    expect(ratio(1, 8)).toBe(0.125);
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(0, 7)).toBe(0);
  });
  it('stays exact past 2^53 intermediate products', () => {
    expect(ratio(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(1);
  });
});

describe('the churn ratios (docs/DESIGN.md §7)', () => {
  it('customer churn rate = churned / at start', () => {
    expect(customerChurnRate(1, 4)).toBe(0.25);
    expect(customerChurnRate(0, 4)).toBe(0);
    expect(customerChurnRate(2, 0)).toBeNull();
    expect(customerChurnRate(3, 2)).toBe(1.5); // same-window sign-ups that churn can pass 100 %
  });

  it('gross MRR churn = (churn + contraction) / start', () => {
    expect(grossMrrChurnRate(month({ churn: 1000, contraction: 500 }))).toBe(0.15);
    expect(grossMrrChurnRate(month({ churn: 1000, expansion: 5000 }))).toBe(0.1);
    expect(grossMrrChurnRate(month({ startMrr: 0, churn: 0 }))).toBeNull();
  });

  it('net MRR churn = (churn + contraction − expansion − reactivation) / start, negative when it grew', () => {
    expect(netMrrChurnRate(month({ churn: 1000, contraction: 500, expansion: 300, reactivation: 200 }))).toBe(
      0.1,
    );
    expect(netMrrChurnRate(month({ churn: 100, expansion: 600 }))).toBe(-0.05);
    expect(netMrrChurnRate(month({ new: 9999 }))).toBe(0); // new business is not retention
    expect(netMrrChurnRate(month({ startMrr: 0, new: 100 }))).toBeNull();
  });

  it('NRR = 1 − net MRR churn, exactly, also at rounding edges', () => {
    expect(
      netRevenueRetention(month({ churn: 1000, contraction: 500, expansion: 300, reactivation: 200 })),
    ).toBe(0.9);
    expect(netRevenueRetention(month({ churn: 100, expansion: 600 }))).toBe(1.05);
    expect(netRevenueRetention(month())).toBe(1);
    expect(netRevenueRetention(month({ startMrr: 0 }))).toBeNull();
    // 1 / 3 churned: net churn 0.3333, NRR 0.6667
    const third = month({ startMrr: 3, churn: 1 });
    expect(netMrrChurnRate(third)).toBe(0.3333);
    expect(netRevenueRetention(third)).toBe(0.6667);
    // −0.00005 rounds away from zero to −0.0001, so NRR is 1.0001
    const edge = month({ startMrr: 20000, expansion: 1 });
    expect(netMrrChurnRate(edge)).toBe(-0.0001);
    expect(netRevenueRetention(edge)).toBe(1.0001);
  });

  it('quick ratio = (new + expansion + reactivation) / (churn + contraction), null when nothing was lost', () => {
    expect(
      quickRatio(month({ new: 3000, expansion: 1000, reactivation: 500, churn: 1000, contraction: 500 })),
    ).toBe(3);
    expect(quickRatio(month({ new: 1000, churn: 3000 }))).toBe(0.3333);
    expect(quickRatio(month({ new: 1000 }))).toBeNull();
    expect(quickRatio(month({ churn: 1000 }))).toBe(0);
  });

  it('net new MRR = new + expansion + reactivation − contraction − churn', () => {
    expect(netNewMrr({ new: 3000, expansion: 1000, reactivation: 500, churn: 1000, contraction: 700 })).toBe(
      2800,
    );
    expect(netNewMrr({ new: 0, expansion: 0, reactivation: 0, churn: 2000, contraction: 0 })).toBe(-2000);
  });
});

describe('arpa', () => {
  it('is MRR / paying customers in minor units, rounded half away from zero', () => {
    expect(arpa(9000, 3)).toBe(3000);
    expect(arpa(10000, 3)).toBe(3333);
    expect(arpa(5, 2)).toBe(3); // 2.5 → 3
    expect(arpa(0, 0)).toBeNull();
  });
});

describe('lifetimeValue', () => {
  it('ARPA ÷ pooled churn rate, rounded once', () => {
    // MRR 19000, 5 paying (ARPA 3800); 2 churned of 19 at start (0.1053) → 3800 × 19 / 2 = 36100
    expect(lifetimeValue(19000, 5, 2, 19)).toBe(36100);
    // MRR 10000, 3 paying (3333.33…); 1 of 7 → 10000 × 7 / 3 = 23333.33 → 23333 (not 3333 × 7 = 23331)
    expect(lifetimeValue(10000, 3, 1, 7)).toBe(23333);
    expect(lifetimeValue(5, 2, 1, 1)).toBe(3); // 2.5 → 3
  });
  it('is null when nobody churned or nobody pays', () => {
    expect(lifetimeValue(19000, 5, 0, 19)).toBeNull();
    expect(lifetimeValue(0, 0, 2, 19)).toBeNull();
  });
});
