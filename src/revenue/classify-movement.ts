/**
 * Classifies a change of a customer's MRR (in one currency) as ChartMogul does (docs/DESIGN.md §7):
 * new (0 → x, the first time), reactivation (0 → x after an earlier churn), expansion (x → more),
 * contraction (x → less, not 0), churn (x → 0); null when nothing changed. Pure.
 */
import type { MovementKind } from '../billing/billing.tables.js';

export function classifyMovement(
  beforeMinor: number,
  afterMinor: number,
  hadChurnedBefore: boolean,
): MovementKind | null {
  if (beforeMinor < 0 || afterMinor < 0) throw new RangeError('MRR cannot be negative');
  if (beforeMinor === afterMinor) return null;
  if (beforeMinor === 0) return hadChurnedBefore ? 'reactivation' : 'new';
  if (afterMinor === 0) return 'churn';
  return afterMinor > beforeMinor ? 'expansion' : 'contraction';
}
