/**
 * createSubscription: POST /api/admin/subscriptions { customerId | userId, priceId, quantity?, trialDays? }.
 * Creates the subscription in Stripe on an ACTIVE catalogue price (charging the customer's default card; without
 * one it starts `incomplete`), then writes the mirror row from the object Stripe returned. The webhook for the
 * same subscription may race in before or after: both write through the Stripe id (unique) under the version rule,
 * so there is exactly one row (docs/RELIABILITY.md 17). Idempotent per request (stored key); audited.
 * Billing never recomputes roles: the edge (route, seed) passes its role steps, run in this operation's
 * transactions — `linked` for a customer ensureCustomer linked, `created` after the mirror write, before the audit row.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../../audit/append-audit.js';
import { users } from '../../accounts/accounts.tables.js';
import { fromUnix } from '../../clock.js';
import type { Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { invalid, notFound } from '../../errors.js';
import { customers } from '../billing.tables.js';
import { ensureCustomer } from '../customers/ensure-customer.js';
import type { OnCustomerLinked } from '../customers/customers.repo.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { isUuid } from '../plans/plan-views.js';
import { findCataloguePrice } from './catalogue-price.js';
import { upsertSubscription } from './subscriptions.repo.js';
import { lockOrderingKey } from '../../inbox/webhooks/dispatch-event.js';
import { getSubscription, snapshotOf } from './subscription-ref.js';

export const createSubscriptionInput = z
  .object({
    customerId: z.string().min(1).max(100).optional(),
    userId: z.string().min(1).max(100).optional(),
    priceId: z.string().min(1).max(100),
    quantity: z.number().int().min(1).max(10_000).default(1),
    trialDays: z.number().int().min(0).max(730).optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine(
    (v) => (v.customerId === undefined) !== (v.userId === undefined),
    'exactly one of customerId and userId',
  );
export type CreateSubscriptionInput = z.infer<typeof createSubscriptionInput>;

/** A subscription this operation mirrored for a linked user (local and Stripe ids, no status before, the new one),
 *  with the actor and reason the role change's cause names. */
export interface CreatedSubscription {
  userId: string;
  subscription: { id: string; stripeId: string; from: null; to: string };
  actor: Actor;
  reason: string | undefined;
}

/** The edge's role steps (accounts/roles/operation-roles.ts), run inside this operation's transactions. */
export interface CreateSubscriptionRoles {
  linked: OnCustomerLinked;
  created: (tx: Tx, created: CreatedSubscription) => Promise<unknown>;
}

async function resolveCustomer(
  deps: Pick<Deps, 'db' | 'stripe' | 'clock' | 'config'>,
  input: CreateSubscriptionInput,
  onLinked: OnCustomerLinked,
) {
  if (input.userId) {
    const [u] = await deps.db.select().from(users).where(eq(users.id, input.userId));
    if (!u) throw notFound('User', 'user_not_found');
    const c = await ensureCustomer(deps, { id: u.id, email: u.email, name: u.name }, onLinked);
    return { id: c.id, stripeCustomerId: c.stripeCustomerId, userId: u.id as string | null };
  }
  const ref = input.customerId as string;
  const where = isUuid(ref) ? eq(customers.id, ref) : eq(customers.stripeCustomerId, ref);
  const [c] = await deps.db.select().from(customers).where(where);
  if (!c || c.deletedAt) throw notFound('Customer', 'customer_not_found');
  return { id: c.id, stripeCustomerId: c.stripeCustomerId, userId: c.userId };
}

export async function createSubscription(
  deps: Pick<Deps, 'db' | 'stripe' | 'clock' | 'config'>,
  actor: Actor,
  input: CreateSubscriptionInput,
  roles: CreateSubscriptionRoles,
) {
  const { db, stripe } = deps;
  const target = await findCataloguePrice(db, input.priceId, { activeOnly: true });
  if (target.price.interval === undefined) throw invalid('price_not_available', 'Not a recurring price');
  const customer = await resolveCustomer(deps, input, roles.linked);
  const trialDays = input.trialDays ?? target.plan.trialDays;
  const sub = await withOperationKey(
    db,
    'subscription.create',
    `${customer.id}:${actor.operationId}`,
    (idempotencyKey) =>
      stripe.subscriptions.create(
        {
          customer: customer.stripeCustomerId,
          items: [{ price: target.price.stripePriceId, quantity: input.quantity }],
          ...(trialDays > 0 ? { trial_period_days: trialDays } : {}),
          payment_behavior: 'allow_incomplete',
          metadata: { plan_key: target.plan.key, created_by: `${actor.type}:${actor.id ?? ''}` },
        },
        { idempotencyKey },
      ),
  );
  await db.transaction(async (tx) => {
    // Serialize with the webhook dispatcher on this customer's ordering key: both write the subscription and
    // recompute the user's role, and without the same lock order the two transactions can deadlock.
    await lockOrderingKey(tx, customer.stripeCustomerId);
    // Same upsert as the customer.subscription.* handlers: whichever of us and the webhook comes first inserts,
    // the other changes nothing (an event wins a same-second tie against this write) — one row, one movement.
    const mirrored = await upsertSubscription(tx, sub, fromUnix(sub.created), null, {
      causeId: `app:${sub.id}`,
    });
    const row = mirrored.row ?? { id: sub.id };
    // The webhooks for this subscription usually arrive as same-second ties this write already made, so they change
    // nothing and would never recompute the role: the edge's step does it here, in this transaction.
    if (customer.userId) {
      await roles.created(tx, {
        userId: customer.userId,
        subscription: { id: row.id, stripeId: sub.id, from: null, to: sub.status },
        actor,
        reason: input.reason,
      });
    }
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'subscription.created',
      subjectType: 'subscription',
      subjectId: row.id,
      after: { ...snapshotOf(sub), planKey: target.plan.key },
      reason: input.reason ?? null,
      requestId: actor.requestId,
    });
  });
  return getSubscription(db, sub.id);
}
