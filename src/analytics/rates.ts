/**
 * The ratios of the reports (docs/DESIGN.md §7; docs/METRICS.md). Pure, on integers: amounts are minor units of ONE
 * currency, counts are customers. A ratio whose denominator is 0 is undefined and answers null — never 0, never
 * Infinity. Ratios are rounded once, half away from zero, to 4 decimal places (0.3333 = 33.33 %), computed on the
 * exact fraction (BigInt) so the rounding is the one rule of money.ts and not the float's.
 *
 * NRR is computed as 1 − net MRR churn on the rounded basis points, so the identity NRR = 1 − net MRR churn holds
 * exactly in every answer.
 */
import { divRound } from '../money.js';

const SCALE = 10_000n;

/** `numerator / denominator` in basis points of 1 (rounded), or null when the denominator is 0. */
export function basisPoints(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Number(divRound(BigInt(numerator) * SCALE, BigInt(denominator)));
}

/** `numerator / denominator` rounded to 4 decimals, or null when the denominator is 0. */
export function ratio(numerator: number, denominator: number): number | null {
  const bp = basisPoints(numerator, denominator);
  return bp === null ? null : bp / Number(SCALE);
}

/** A month's MRR movements in one currency, each a non-negative amount (churn and contraction as positives). */
export interface MovementTotals {
  startMrr: number;
  new: number;
  expansion: number;
  contraction: number;
  churn: number;
  reactivation: number;
}

/** new + expansion + reactivation − contraction − churn. */
export function netNewMrr(m: Omit<MovementTotals, 'startMrr'>): number {
  return m.new + m.expansion + m.reactivation - m.contraction - m.churn;
}

/** Churned customers / customers at the period's start. */
export const customerChurnRate = (churned: number, atStart: number) => ratio(churned, atStart);

/** (churn + contraction) / MRR at start. */
export const grossMrrChurnRate = (m: MovementTotals) => ratio(m.churn + m.contraction, m.startMrr);

/** (churn + contraction − expansion − reactivation) / MRR at start; negative when expansion outweighs losses. */
export const netMrrChurnRate = (m: MovementTotals) =>
  ratio(m.churn + m.contraction - m.expansion - m.reactivation, m.startMrr);

/** Net revenue retention: 1 − net MRR churn (null when there was no MRR at start). */
export function netRevenueRetention(m: MovementTotals): number | null {
  const bp = basisPoints(m.churn + m.contraction - m.expansion - m.reactivation, m.startMrr);
  return bp === null ? null : (Number(SCALE) - bp) / Number(SCALE);
}

/** (new + expansion + reactivation) / (churn + contraction): null when nothing was lost. */
export const quickRatio = (m: MovementTotals) =>
  ratio(m.new + m.expansion + m.reactivation, m.churn + m.contraction);

/** Average revenue per account in minor units (rounded half away from zero), or null with no paying customer. */
export function arpa(mrrMinor: number, payingCustomers: number): number | null {
  if (payingCustomers === 0) return null;
  return Number(divRound(BigInt(mrrMinor), BigInt(payingCustomers)));
}

/**
 * Lifetime value (docs/DESIGN.md §7): ARPA ÷ customer churn rate, with the churn rate pooled over a window of months
 * (Σ churned ÷ Σ customers at start — the customer-weighted average of the monthly rates). Computed on the exact
 * fraction MRR × Σ at start ÷ (paying × Σ churned) and rounded once to a minor unit; null — not infinity — when no
 * customer churned in the window, or when no customer pays.
 */
export function lifetimeValue(
  mrrMinor: number,
  payingCustomers: number,
  churnedInWindow: number,
  atStartInWindow: number,
): number | null {
  if (payingCustomers === 0 || churnedInWindow === 0) return null;
  return Number(
    divRound(BigInt(mrrMinor) * BigInt(atStartInWindow), BigInt(payingCustomers) * BigInt(churnedInWindow)),
  );
}
