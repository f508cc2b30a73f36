import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyMovement } from './classify-movement.js';
import type { MovementKind } from '../billing/billing.tables.js';

describe('classifyMovement', () => {
  it.each([
    [0, 2900, false, 'new'],
    [0, 2900, true, 'reactivation'],
    [2900, 0, false, 'churn'],
    [2900, 0, true, 'churn'],
    [2900, 4900, false, 'expansion'],
    [4900, 2900, true, 'contraction'],
    [2900, 2900, false, null],
    [0, 0, true, null],
  ] as const)('%i → %i (churned before: %s) is %s', (before, after, churned, kind) => {
    expect(classifyMovement(before, after, churned)).toBe(kind);
  });
  it('refuses a negative MRR', () => {
    expect(() => classifyMovement(-1, 0, false)).toThrow(RangeError);
  });

  it('property: over any MRR path, deltas sum to the final MRR and kinds follow the lifecycle', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })), { maxLength: 40 }),
        (path) => {
          let mrr = 0;
          let churned = false;
          let everPaid = false;
          let sum = 0;
          for (const next of path) {
            const kind: MovementKind | null = classifyMovement(mrr, next, churned);
            if (kind === null) {
              expect(next).toBe(mrr);
              continue;
            }
            sum += next - mrr;
            if (kind === 'new') {
              expect(everPaid).toBe(false);
              expect(mrr).toBe(0);
            }
            if (kind === 'reactivation') expect(churned && mrr === 0).toBe(true);
            if (kind === 'churn') expect(next).toBe(0);
            if (kind === 'expansion') expect(next > mrr && mrr > 0).toBe(true);
            if (kind === 'contraction') expect(next < mrr && next > 0).toBe(true);
            if (kind === 'churn') churned = true;
            if (next > 0) everPaid = true;
            mrr = next;
          }
          expect(sum).toBe(mrr);
        },
      ),
      { numRuns: 500 },
    );
  });
});
