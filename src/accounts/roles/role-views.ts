/**
 * Response schemas of the admin users-and-roles routes (roles.routes.ts), for the OpenAPI document and the
 * console's typed client. `documented()` ties each handler's result to its schema, so the two cannot drift.
 * Audit `before` / `after` / `cause` and an entitlement's `source` are JSON whose shape depends on the action: they
 * are `unknown` here and read by the console field by field.
 */
import { z } from 'zod';

const iso = z.iso.datetime();
const actor = z.object({ type: z.string(), id: z.string().nullable() });
const entitlement = z.object({ source: z.record(z.string(), z.unknown()), recheckAt: iso.nullable() });

export const userOverrideView = z.object({
  id: z.string(),
  role: z.string(),
  reason: z.string(),
  setBy: actor,
  setAt: iso,
  expiresAt: iso.nullable(),
  clearedAt: iso.nullable(),
});

/** GET /users/:id */
export const userBillingView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  entitledRole: z.string(),
  entitlement,
  signupProvider: z.string().nullable(),
  override: userOverrideView.nullable(),
  overrides: z.array(userOverrideView),
  customer: z
    .object({
      id: z.string(),
      stripeCustomerId: z.string(),
      email: z.string().nullable(),
      name: z.string().nullable(),
      country: z.string().nullable(),
      delinquent: z.boolean(),
      card: z
        .object({
          brand: z.string().nullable(),
          last4: z.string().nullable(),
          expMonth: z.number().int().nullable(),
          expYear: z.number().int().nullable(),
        })
        .nullable(),
    })
    .nullable(),
  subscriptions: z.array(
    z.object({
      id: z.string(),
      stripeSubscriptionId: z.string(),
      status: z.string(),
      planKey: z.string().nullable(),
      planName: z.string().nullable(),
      grantsRole: z.string().nullable(),
      currentPeriodEnd: iso.nullable(),
      cancelAtPeriodEnd: z.boolean(),
      graceUntil: iso.nullable(),
    }),
  ),
  dunning: z.array(
    z.object({
      id: z.string(),
      subscriptionId: z.string(),
      stripeInvoiceId: z.string().nullable(),
      status: z.string(),
      openedAt: iso,
      graceUntil: iso,
      attempts: z.number().int(),
      amountDueMinor: z.number().int(),
      currency: z.string(),
      lastDeclineCode: z.string().nullable(),
      recoveredAt: iso.nullable(),
      recoveredAmountMinor: z.number().int().nullable(),
      recoveredBy: z.string().nullable(),
      timeToRecoverSeconds: z.number().int().nullable(),
      lostAt: iso.nullable(),
      lostReason: z.string().nullable(),
      timeline: z.array(z.object({ at: iso, kind: z.string(), cause: z.unknown(), data: z.unknown() })),
    }),
  ),
});

/** GET /users/:id/role-history: oldest first. */
export const roleHistoryView = z.object({
  userId: z.string(),
  role: z.string(),
  data: z.array(
    z.object({
      id: z.number().int(),
      at: iso,
      action: z.string(),
      actor,
      before: z.unknown(),
      after: z.unknown(),
      reason: z.string().nullable(),
      cause: z.unknown(),
    }),
  ),
});

/** GET /users/:id/billing-state?at= (time travel). */
export const billingStateView = z.object({
  userId: z.string(),
  at: iso,
  entitledRole: z.string(),
  entitlement,
  recordedRole: z.string(),
  subscriptions: z.array(
    z.object({
      id: z.string(),
      stripeSubscriptionId: z.string(),
      status: z.string(),
      planKey: z.string().nullable(),
      grantsRole: z.string().nullable(),
      graceUntil: iso.nullable(),
      from: z.union([
        z.object({ kind: z.literal('event'), eventId: z.string(), eventCreatedAt: iso }),
        z.object({ kind: z.literal('mirror') }),
      ]),
      dunning: z
        .object({
          caseId: z.string(),
          state: z.enum(['open', 'recovered', 'lost']),
          openedAt: iso,
          graceUntil: iso,
        })
        .nullable(),
    }),
  ),
  overrides: z.array(
    z.object({
      id: z.string(),
      role: z.string(),
      setAt: iso,
      expiresAt: iso.nullable(),
      clearedAt: iso.nullable(),
    }),
  ),
});

/** POST / DELETE /users/:id/role-override: the override row after the change and the user's role around it. */
export const overrideChangeView = z.object({
  override: z.object({
    id: z.string(),
    role: z.string(),
    reason: z.string(),
    setBy: actor,
    setAt: iso,
    expiresAt: iso.nullable(),
    clearedAt: iso.nullable(),
    clearedBy: actor.nullable(),
    clearKind: z.string().nullable(),
    clearReason: z.string().nullable(),
  }),
  role: z.string(),
  previousRole: z.string(),
});
