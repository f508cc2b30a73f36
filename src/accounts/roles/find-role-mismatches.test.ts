import { describe, expect, it } from 'vitest';
import { explainEntitlement } from './entitled-role.js';
import { classifyMismatch } from './find-role-mismatches.js';
import type { EntitlementInputs, LoadedSubscription } from './load-entitlements.js';

const NOW = new Date('2026-10-01T00:00:00Z');
const user = (role: 'member' | 'professional' | 'enterprise') => ({
  id: 'u',
  email: 'u@x',
  name: 'u',
  role,
  signupProvider: 'email',
});
const sub = (o: Partial<LoadedSubscription>): LoadedSubscription => ({
  id: 's',
  status: 'active',
  grantsRole: 'professional',
  graceUntil: null,
  stripeSubscriptionId: 'sub_1',
  planKey: 'pro',
  planName: 'Pro',
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  dunningCaseId: null,
  dunningStatus: null,
  provisionalGrace: false,
  ...o,
});
const classify = (i: EntitlementInputs) =>
  classifyMismatch(i, explainEntitlement(i.user, i.subscriptions, i.overrides, NOW));

describe('classifyMismatch', () => {
  it('paid but not upgraded', () => {
    expect(classify({ user: user('member'), subscriptions: [sub({})], overrides: [] })).toBe(
      'paid_not_upgraded',
    );
  });
  it('upgraded but unpaid', () => {
    expect(classify({ user: user('enterprise'), subscriptions: [], overrides: [] })).toBe('upgraded_unpaid');
  });
  it('an override in force decides', () => {
    expect(
      classify({
        user: user('member'),
        subscriptions: [],
        overrides: [
          {
            id: 'o',
            role: 'enterprise',
            setAt: new Date('2026-09-01T00:00:00Z'),
            expiresAt: null,
            clearedAt: null,
            reason: 'r',
            setByType: 'user',
            setBy: 'a',
          },
        ],
      }),
    ).toBe('override_active');
  });
  it('a past_due subscription (in grace or past it) is a grace mismatch', () => {
    expect(
      classify({
        user: user('member'),
        subscriptions: [sub({ status: 'past_due', graceUntil: new Date('2026-10-05T00:00:00Z') })],
        overrides: [],
      }),
    ).toBe('grace');
    expect(
      classify({
        user: user('professional'),
        subscriptions: [sub({ status: 'past_due', graceUntil: new Date('2026-09-20T00:00:00Z') })],
        overrides: [],
      }),
    ).toBe('grace');
  });
});
