import fc from 'fast-check';
import { SUBSCRIPTION_STATUSES } from '../../billing/subscriptions/subscription-status.js';
import { describe, expect, it } from 'vitest';
import {
  entitledRole,
  explainEntitlement,
  isOverrideActive,
  isStaffRole,
  roleRank,
  type BillingRole,
  type EntitlementOverride,
  type EntitlementSubscription,
  type SubscriptionStatus,
} from './entitled-role.js';
import type { Role } from './role.js';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const at = (iso: string) => new Date(iso);
const MEMBER = { role: 'member' as const };

function sub(overrides: Partial<EntitlementSubscription> = {}): EntitlementSubscription {
  return { id: 'sub_1', status: 'active', grantsRole: 'professional', graceUntil: null, ...overrides };
}
function override(overrides: Partial<EntitlementOverride> = {}): EntitlementOverride {
  return {
    id: 'ovr_1',
    role: 'enterprise',
    setAt: at('2026-06-01T00:00:00.000Z'),
    expiresAt: null,
    clearedAt: null,
    ...overrides,
  };
}

describe('roleRank and isStaffRole', () => {
  it('ranks member < professional < enterprise, with staff above', () => {
    expect(roleRank('member')).toBe(0);
    expect(roleRank('professional')).toBe(1);
    expect(roleRank('enterprise')).toBe(2);
    expect(roleRank('admin')).toBe(3);
  });

  it('only admin is staff', () => {
    expect(isStaffRole('admin')).toBe(true);
    expect(isStaffRole('member')).toBe(false);
    expect(isStaffRole('professional')).toBe(false);
    expect(isStaffRole('enterprise')).toBe(false);
  });
});

/** Where `now` sits relative to the subscription's grace end (graceUntil exclusive). */
const GRACE = {
  none: null,
  'now before graceUntil': at('2026-06-15T12:00:00.001Z'),
  'now at graceUntil': at('2026-06-15T12:00:00.000Z'),
  'now after graceUntil': at('2026-06-15T11:59:59.999Z'),
} as const;
type Grace = keyof typeof GRACE;

/** What a `professional` subscription grants a member, by status and grace (literal, from the rules). */
const BY_STATUS: Record<SubscriptionStatus, Record<Grace, Role>> = {
  active: {
    none: 'professional',
    'now before graceUntil': 'professional',
    'now at graceUntil': 'professional',
    'now after graceUntil': 'professional',
  },
  trialing: {
    none: 'professional',
    'now before graceUntil': 'professional',
    'now at graceUntil': 'professional',
    'now after graceUntil': 'professional',
  },
  past_due: {
    none: 'member',
    'now before graceUntil': 'professional',
    'now at graceUntil': 'member',
    'now after graceUntil': 'member',
  },
  incomplete: {
    none: 'member',
    'now before graceUntil': 'member',
    'now at graceUntil': 'member',
    'now after graceUntil': 'member',
  },
  incomplete_expired: {
    none: 'member',
    'now before graceUntil': 'member',
    'now at graceUntil': 'member',
    'now after graceUntil': 'member',
  },
  unpaid: {
    none: 'member',
    'now before graceUntil': 'member',
    'now at graceUntil': 'member',
    'now after graceUntil': 'member',
  },
  canceled: {
    none: 'member',
    'now before graceUntil': 'member',
    'now at graceUntil': 'member',
    'now after graceUntil': 'member',
  },
  paused: {
    none: 'member',
    'now before graceUntil': 'member',
    'now at graceUntil': 'member',
    'now after graceUntil': 'member',
  },
};

/** An `enterprise` override in each state, and whether it is in force at NOW ([setAt, expiresAt/clearedAt)). */
const OVERRIDE_STATES: Record<string, { override: EntitlementOverride | null; active: boolean }> = {
  none: { override: null, active: false },
  'open-ended': { override: override(), active: true },
  'expires 1 ms after now': {
    override: override({ expiresAt: at('2026-06-15T12:00:00.001Z') }),
    active: true,
  },
  'expires exactly now': { override: override({ expiresAt: at('2026-06-15T12:00:00.000Z') }), active: false },
  'expired 1 ms before now': {
    override: override({ expiresAt: at('2026-06-15T11:59:59.999Z') }),
    active: false,
  },
  'cleared exactly now': { override: override({ clearedAt: at('2026-06-15T12:00:00.000Z') }), active: false },
  'cleared 1 ms after now': {
    override: override({ clearedAt: at('2026-06-15T12:00:00.001Z') }),
    active: true,
  },
  'set exactly now': { override: override({ setAt: at('2026-06-15T12:00:00.000Z') }), active: true },
  'set 1 ms after now': { override: override({ setAt: at('2026-06-15T12:00:00.001Z') }), active: false },
  'expired then cleared': {
    override: override({
      expiresAt: at('2026-06-10T00:00:00.000Z'),
      clearedAt: at('2026-06-20T00:00:00.000Z'),
    }),
    active: false,
  },
};

describe('entitledRole: every status × grace × override state', () => {
  const cases = SUBSCRIPTION_STATUSES.flatMap((status) =>
    (Object.keys(GRACE) as Grace[]).flatMap((grace) =>
      Object.keys(OVERRIDE_STATES).map((state) => ({ status, grace, state })),
    ),
  );

  it('covers 8 statuses × 4 grace positions × 10 override states', () => {
    expect(cases.length).toBe(320);
  });

  it.each(cases)('member, $status subscription, $grace, override $state', ({ status, grace, state }) => {
    const { override: o, active } = OVERRIDE_STATES[state]!;
    const subs = [sub({ status, graceUntil: GRACE[grace] })];
    const role = entitledRole(MEMBER, subs, o ? [o] : [], NOW);
    expect(role).toBe(active ? 'enterprise' : BY_STATUS[status][grace]);
    expect(isOverrideActive(o ?? override({ setAt: at('2030-01-01T00:00:00Z') }), NOW)).toBe(active);
  });

  it.each(cases)('admin stays admin: $status, $grace, override $state', ({ status, grace, state }) => {
    const { override: o } = OVERRIDE_STATES[state]!;
    const subs = [sub({ status, graceUntil: GRACE[grace] })];
    expect(entitledRole({ role: 'admin' }, subs, o ? [o] : [], NOW)).toBe('admin');
  });
});

describe('entitledRole: rules one by one', () => {
  it('member with nothing', () => {
    expect(entitledRole(MEMBER, [], [], NOW)).toBe('member');
  });

  it('a paid user who lost everything goes back to member (the stored role does not matter)', () => {
    expect(entitledRole({ role: 'enterprise' }, [sub({ status: 'canceled' })], [], NOW)).toBe('member');
    expect(entitledRole({ role: 'professional' }, [], [], NOW)).toBe('member');
  });

  it('the highest role among granting subscriptions', () => {
    const subs = [
      sub({ id: 'sub_pro', grantsRole: 'professional' }),
      sub({ id: 'sub_ent', grantsRole: 'enterprise', status: 'trialing' }),
      sub({ id: 'sub_free', grantsRole: 'member' }),
    ];
    expect(entitledRole(MEMBER, subs, [], NOW)).toBe('enterprise');
  });

  it('a canceled higher plan does not count; the remaining one does', () => {
    const subs = [
      sub({ id: 'sub_pro', grantsRole: 'professional' }),
      sub({ id: 'sub_ent', grantsRole: 'enterprise', status: 'canceled' }),
    ];
    expect(entitledRole(MEMBER, subs, [], NOW)).toBe('professional');
  });

  it('an unknown plan (grantsRole null) grants nothing, even active', () => {
    expect(entitledRole(MEMBER, [sub({ grantsRole: null })], [], NOW)).toBe('member');
  });

  it('an override wins even when lower than what is paid for', () => {
    const o = override({ role: 'member' });
    expect(entitledRole(MEMBER, [sub({ grantsRole: 'enterprise' })], [o], NOW)).toBe('member');
  });

  it('of several active overrides, the most recently set wins', () => {
    const older = override({ id: 'ovr_a', role: 'enterprise', setAt: at('2026-06-01T00:00:00Z') });
    const newer = override({ id: 'ovr_b', role: 'professional', setAt: at('2026-06-10T00:00:00Z') });
    expect(entitledRole(MEMBER, [], [older, newer], NOW)).toBe('professional');
    expect(entitledRole(MEMBER, [], [newer, older], NOW)).toBe('professional');
  });

  it('an expired newer override lets the older active one win', () => {
    const older = override({ id: 'ovr_a', role: 'enterprise', setAt: at('2026-06-01T00:00:00Z') });
    const newer = override({
      id: 'ovr_b',
      role: 'professional',
      setAt: at('2026-06-10T00:00:00Z'),
      expiresAt: at('2026-06-12T00:00:00Z'),
    });
    expect(entitledRole(MEMBER, [], [older, newer], NOW)).toBe('enterprise');
  });
});

describe('explainEntitlement', () => {
  it('names the winning override, with its expiry, and the next instant to look again', () => {
    const o = override({ id: 'ovr_7', expiresAt: at('2026-07-01T00:00:00Z') });
    expect(explainEntitlement(MEMBER, [sub()], [o], NOW)).toEqual({
      role: 'enterprise',
      source: { kind: 'override', overrideId: 'ovr_7', expiresAt: at('2026-07-01T00:00:00Z') },
      recheckAt: at('2026-07-01T00:00:00Z'),
    });
  });

  it('names the winning subscription; a past_due one with the grace end it lives on', () => {
    const subs = [
      sub({
        id: 'sub_a',
        status: 'past_due',
        graceUntil: at('2026-06-20T00:00:00Z'),
        grantsRole: 'enterprise',
      }),
      sub({ id: 'sub_b', status: 'active', grantsRole: 'professional' }),
    ];
    expect(explainEntitlement(MEMBER, subs, [], NOW)).toEqual({
      role: 'enterprise',
      source: {
        kind: 'subscription',
        subscriptionId: 'sub_a',
        status: 'past_due',
        graceUntil: at('2026-06-20T00:00:00Z'),
      },
      recheckAt: at('2026-06-20T00:00:00Z'),
    });
    // After the grace end the active professional subscription is what is left.
    expect(explainEntitlement(MEMBER, subs, [], at('2026-06-20T00:00:00Z'))).toEqual({
      role: 'professional',
      source: { kind: 'subscription', subscriptionId: 'sub_b', status: 'active', graceUntil: null },
      recheckAt: null,
    });
  });

  it('prefers a paid subscription over one in grace for the same role, then the smaller id', () => {
    const inGrace = sub({ id: 'sub_a', status: 'past_due', graceUntil: at('2026-06-20T00:00:00Z') });
    const paid = sub({ id: 'sub_b', status: 'active' });
    expect(explainEntitlement(MEMBER, [inGrace, paid], [], NOW).source).toEqual({
      kind: 'subscription',
      subscriptionId: 'sub_b',
      status: 'active',
      graceUntil: null,
    });
    const twin = sub({ id: 'sub_0', status: 'trialing' });
    expect(explainEntitlement(MEMBER, [paid, twin], [], NOW).source).toEqual({
      kind: 'subscription',
      subscriptionId: 'sub_0',
      status: 'trialing',
      graceUntil: null,
    });
  });

  it('default and staff sources', () => {
    expect(explainEntitlement(MEMBER, [], [], NOW)).toEqual({
      role: 'member',
      source: { kind: 'default' },
      recheckAt: null,
    });
    expect(explainEntitlement({ role: 'admin' }, [sub()], [override()], NOW)).toEqual({
      role: 'admin',
      source: { kind: 'staff' },
      recheckAt: null,
    });
  });

  it('recheckAt is the earliest future instant among override starts/ends and grace ends', () => {
    const later = override({ id: 'ovr_l', setAt: at('2026-06-18T00:00:00Z') });
    const cleared = override({ id: 'ovr_c', clearedAt: at('2026-06-17T00:00:00Z') });
    const grace = sub({ status: 'past_due', graceUntil: at('2026-06-16T00:00:00Z') });
    const pastGrace = sub({ id: 'sub_2', status: 'past_due', graceUntil: at('2026-06-01T00:00:00Z') });
    // An active subscription's stale graceUntil (case recovered) is not a reason to look again.
    const recovered = sub({ id: 'sub_3', status: 'active', graceUntil: at('2026-06-15T18:00:00Z') });
    expect(
      explainEntitlement(MEMBER, [grace, pastGrace, recovered], [later, cleared], NOW).recheckAt,
    ).toEqual(at('2026-06-16T00:00:00Z'));
    expect(explainEntitlement(MEMBER, [pastGrace], [later, cleared], NOW).recheckAt).toEqual(
      at('2026-06-17T00:00:00Z'),
    );
  });
});

describe('entitledRole properties', () => {
  const T0 = NOW.getTime();
  const DAY = 86_400_000;
  const instant = fc.integer({ min: T0 - 30 * DAY, max: T0 + 30 * DAY }).map((t) => new Date(t));
  const billingRole = fc.constantFrom<BillingRole>('member', 'professional', 'enterprise');
  const subscription = fc.record<EntitlementSubscription>({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
    grantsRole: fc.option(billingRole, { nil: null }),
    graceUntil: fc.option(instant, { nil: null }),
  });
  const overrideArb = fc.record<EntitlementOverride>({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    role: billingRole,
    setAt: instant,
    expiresAt: fc.option(instant, { nil: null }),
    clearedAt: fc.option(instant, { nil: null }),
  });
  const nonStaff = fc.constantFrom<Role>('member', 'professional', 'enterprise').map((role) => ({ role }));
  // Ids are unique, as in the database (ties are broken by id).
  const subs = fc.uniqueArray(subscription, { maxLength: 5, selector: (x) => x.id });
  const ovrs = fc.uniqueArray(overrideArb, { maxLength: 4, selector: (x) => x.id });

  it('admin is a fixed point', () => {
    fc.assert(
      fc.property(subs, ovrs, instant, (s, o, now) => {
        expect(entitledRole({ role: 'admin' }, s, o, now)).toBe('admin');
      }),
    );
  });

  it('the result is member or one of the roles in the inputs, never staff', () => {
    fc.assert(
      fc.property(nonStaff, subs, ovrs, instant, (user, s, o, now) => {
        const role = entitledRole(user, s, o, now);
        const offered = new Set<Role>([
          'member',
          ...o.map((x) => x.role),
          ...s.flatMap((x) => x.grantsRole ?? []),
        ]);
        expect(offered.has(role)).toBe(true);
        expect(role).not.toBe('admin');
      }),
    );
  });

  it('does not depend on the stored (non-staff) role', () => {
    fc.assert(
      fc.property(subs, ovrs, instant, (s, o, now) => {
        const roles = (['member', 'professional', 'enterprise'] as const).map((role) =>
          entitledRole({ role }, s, o, now),
        );
        expect(new Set(roles).size).toBe(1);
      }),
    );
  });

  it('adding a subscription never lowers the role', () => {
    fc.assert(
      fc.property(nonStaff, subs, subscription, ovrs, instant, (user, s, extra, o, now) => {
        const before = entitledRole(user, s, o, now);
        const after = entitledRole(user, [...s, extra], o, now);
        expect(roleRank(after)).toBeGreaterThanOrEqual(roleRank(before));
      }),
    );
  });

  it('an override that is not in force (expired, cleared or not yet set) changes nothing', () => {
    const inactive = fc.oneof(
      fc.tuple(overrideArb, instant).map(([o, now]) => ({ o: { ...o, expiresAt: now }, now })),
      fc
        .tuple(overrideArb, instant)
        .map(([o, now]) => ({ o: { ...o, clearedAt: new Date(now.getTime() - 1) }, now })),
      fc
        .tuple(overrideArb, instant)
        .map(([o, now]) => ({ o: { ...o, setAt: new Date(now.getTime() + 1) }, now })),
    );
    fc.assert(
      fc.property(nonStaff, subs, ovrs, inactive, (user, s, o, { o: extra, now }) => {
        expect(entitledRole(user, s, [...o, extra], now)).toBe(entitledRole(user, s, o, now));
      }),
    );
  });

  it('an override in force decides the role, whatever the subscriptions', () => {
    fc.assert(
      fc.property(nonStaff, subs, overrideArb, instant, (user, s, o, now) => {
        const forced = { ...o, setAt: new Date(now.getTime() - 1), expiresAt: null, clearedAt: null };
        expect(entitledRole(user, s, [forced], now)).toBe(o.role);
      }),
    );
  });

  it('does not depend on the order of the inputs', () => {
    fc.assert(
      fc.property(nonStaff, subs, ovrs, instant, (user, s, o, now) => {
        expect(explainEntitlement(user, [...s].reverse(), [...o].reverse(), now)).toEqual(
          explainEntitlement(user, s, o, now),
        );
      }),
    );
  });

  it('nothing changes between now and recheckAt', () => {
    fc.assert(
      fc.property(
        nonStaff,
        subs,
        ovrs,
        instant,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (user, s, o, now, f) => {
          const { role, recheckAt } = explainEntitlement(user, s, o, now);
          const horizon = recheckAt ? recheckAt.getTime() : now.getTime() + 60 * DAY;
          const between = new Date(now.getTime() + Math.floor((horizon - now.getTime() - 1) * f));
          expect(entitledRole(user, s, o, between)).toBe(role);
        },
      ),
    );
  });
});
