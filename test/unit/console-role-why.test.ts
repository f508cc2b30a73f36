/** The console's words for "why this role" (web/src/lib/role-why.ts): entitlement sources and audit cause chains. */
import { describe, expect, it } from 'vitest';
import { describeCause, describeSource, roleOf } from '../../web/src/lib/role-why.js';

const subs = [{ id: 'b3c1', stripeSubscriptionId: 'sub_123', planName: 'Professional' }];

describe('describeSource', () => {
  it('names the subscription a source points at, with its status and grace', () => {
    expect(
      describeSource(
        { kind: 'subscription', subscriptionId: 'b3c1', status: 'active', graceUntil: null },
        subs,
      ),
    ).toBe('the Professional subscription (sub_123) is active');
    expect(
      describeSource(
        {
          kind: 'subscription',
          subscriptionId: 'b3c1',
          status: 'past_due',
          graceUntil: '2026-02-01T00:00:00.000Z',
        },
        subs,
      ),
    ).toBe('the Professional subscription (sub_123) is past_due, in its grace period');
    expect(describeSource({ kind: 'subscription', subscriptionId: 'gone', status: 'active' })).toBe(
      'subscription gone is active',
    );
  });

  it('words overrides, staff roles, the default and unknown kinds', () => {
    expect(
      describeSource({ kind: 'override', overrideId: 'o1', expiresAt: '2026-03-01T09:30:00.000Z' }),
    ).toBe('an admin override (with an expiry)');
    expect(describeSource({ kind: 'override', overrideId: 'o1', expiresAt: null })).toBe('an admin override');
    expect(describeSource({ kind: 'staff' })).toBe('a staff role (never changed by billing)');
    expect(describeSource({ kind: 'default' })).toBe('no paying subscription: the free role');
    expect(describeSource({ kind: 'martian' })).toBe('martian');
    expect(describeSource(null)).toBe('unknown');
  });
});

describe('describeCause', () => {
  const actor = { type: 'system', id: 'billing-roles' };

  it('reads the stored chain step by step, first cause first', () => {
    expect(
      describeCause(
        {
          kind: 'stripe_event',
          chain: [
            { kind: 'stripe_event', id: 'evt_1', type: 'customer.subscription.updated' },
            { kind: 'subscription_change', id: 'b3c1', stripeId: 'sub_123', from: 'active', to: 'past_due' },
            { kind: 'dunning_case', id: 'd1' },
          ],
        },
        actor,
      ),
    ).toBe(
      'Stripe customer.subscription.updated (evt_1) › subscription sub_123 active → past_due › dunning case',
    );
    expect(
      describeCause(
        {
          kind: 'admin',
          chain: [
            {
              kind: 'admin',
              actorType: 'user',
              actorId: 'u_1',
              action: 'role_override.set',
              reason: 'pilot',
            },
            { kind: 'role_override', id: 'o1' },
          ],
        },
        actor,
      ),
    ).toBe('user u_1: role_override.set › override');
    expect(
      describeCause(
        {
          kind: 'job',
          chain: [
            { kind: 'job', name: 'roles.expire-overrides', jobId: null },
            { kind: 'customer_link', stripeCustomerId: 'cus_9' },
          ],
        },
        actor,
      ),
    ).toBe('job roles.expire-overrides › customer cus_9 linked');
  });

  it('falls back to the audit actor when a row has no chain', () => {
    expect(
      describeCause({ kind: 'admin', overrideId: 'o1', replaced: null }, { type: 'user', id: 'u_1' }),
    ).toBe('by user u_1');
    expect(describeCause(null, { type: 'job', id: null })).toBe('by job');
  });
});

describe('roleOf', () => {
  it("reads an audit row's role, or null", () => {
    expect(roleOf({ role: 'enterprise', source: {} })).toBe('enterprise');
    expect(roleOf(null)).toBeNull();
    expect(roleOf({ id: 'o1' })).toBeNull();
  });
});
