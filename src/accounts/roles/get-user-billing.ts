/**
 * `GET /api/admin/users/:id` → `{ id, email, name, role, entitledRole, entitlement, signupProvider, override,
 * overrides, customer, subscriptions, dunning }`: everything support needs to answer "why this role?".
 */
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { readBillingRecord } from '../../billing/entitlement-inputs.js';
import { explainEntitlement, isOverrideActive } from './entitled-role.js';
import { loadEntitlements } from './load-entitlements.js';
import { sourceForAudit } from './apply-entitled-role.js';

const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function getUserBilling(deps: Pick<Deps, 'db' | 'clock' | 'config'>, userId: string) {
  const now = deps.clock.now();
  const loaded = await loadEntitlements(deps.db, [userId], { defaultGraceDays: deps.config.graceDays });
  const i = loaded.get(userId);
  if (!i) throw notFound('User', 'user_not_found');
  const e = explainEntitlement(i.user, i.subscriptions, i.overrides, now);
  const { customer, cases, steps } = await readBillingRecord(deps.db, userId);
  const active = i.overrides.filter((o) => isOverrideActive(o, now)).at(-1) ?? null;
  const overrideView = (o: (typeof i.overrides)[number]) => ({
    id: o.id,
    role: o.role,
    reason: o.reason,
    setBy: { type: o.setByType, id: o.setBy },
    setAt: o.setAt.toISOString(),
    expiresAt: isoOrNull(o.expiresAt),
    clearedAt: isoOrNull(o.clearedAt),
  });
  return {
    id: i.user.id,
    email: i.user.email,
    name: i.user.name,
    role: i.user.role,
    entitledRole: e.role,
    entitlement: { source: sourceForAudit(e.source), recheckAt: isoOrNull(e.recheckAt) },
    signupProvider: i.user.signupProvider,
    override: active ? overrideView(active) : null,
    overrides: i.overrides.map(overrideView),
    customer: customer
      ? {
          id: customer.id,
          stripeCustomerId: customer.stripeCustomerId,
          email: customer.email,
          name: customer.name,
          country: customer.country,
          delinquent: customer.delinquent,
          card: customer.defaultPmLast4
            ? {
                brand: customer.defaultPmBrand,
                last4: customer.defaultPmLast4,
                expMonth: customer.defaultPmExpMonth,
                expYear: customer.defaultPmExpYear,
              }
            : null,
        }
      : null,
    subscriptions: i.subscriptions.map((s) => ({
      id: s.id,
      stripeSubscriptionId: s.stripeSubscriptionId,
      status: s.status,
      planKey: s.planKey,
      planName: s.planName,
      grantsRole: s.grantsRole,
      currentPeriodEnd: isoOrNull(s.currentPeriodEnd),
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      graceUntil: isoOrNull(s.graceUntil),
    })),
    dunning: cases.map((c) => ({
      id: c.id,
      subscriptionId: c.subscriptionId,
      stripeInvoiceId: c.stripeInvoiceId,
      status: c.status,
      openedAt: c.openedAt.toISOString(),
      graceUntil: c.graceUntil.toISOString(),
      attempts: c.attempts,
      amountDueMinor: c.amountDueMinor,
      currency: c.currency,
      lastDeclineCode: c.lastDeclineCode,
      recoveredAt: isoOrNull(c.recoveredAt),
      recoveredAmountMinor: c.recoveredAmountMinor,
      recoveredBy: c.recoveredBy,
      timeToRecoverSeconds: c.timeToRecoverSeconds,
      lostAt: isoOrNull(c.lostAt),
      lostReason: c.lostReason,
      timeline: steps
        .filter((s) => s.caseId === c.id)
        .map((s) => ({ at: s.at.toISOString(), kind: s.kind, cause: s.cause, data: s.data })),
    })),
  };
}
