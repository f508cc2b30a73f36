/**
 * setDefaultPaymentMethod: POST /api/admin/customers/:id/payment-methods/:pm/default. Makes one of the customer's
 * attached cards the one Stripe charges for invoices (`invoice_settings.default_payment_method`). Idempotent per
 * request (stored Stripe idempotency key); already the default → no Stripe call. Audited (actor = the admin); the
 * mirror follows from Stripe's `customer.updated` webhook.
 */
import { z } from 'zod';
import { appendAudit } from '../../audit/append-audit.js';
import type { Deps } from '../../deps.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { cardOf, findCustomerCard } from './payment-method-ref.js';

export const setDefaultCardInput = z.object({ reason: z.string().trim().max(500).optional() }).strict();
export type SetDefaultCardInput = z.infer<typeof setDefaultCardInput>;

export const defaultCardResult = z.object({
  stripeCustomerId: z.string(),
  defaultPaymentMethodId: z.string(),
  /** False when the card already was the default (nothing was sent to Stripe). */
  changed: z.boolean(),
});

export async function setDefaultPaymentMethod(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  customerRef: string,
  paymentMethodId: string,
  input: SetDefaultCardInput,
): Promise<z.infer<typeof defaultCardResult>> {
  const { db, stripe } = deps;
  const { customer, card } = await findCustomerCard(db, customerRef, paymentMethodId);
  const cus = customer.stripeCustomerId;
  if (customer.defaultPaymentMethodId === card.stripePaymentMethodId) {
    return { stripeCustomerId: cus, defaultPaymentMethodId: card.stripePaymentMethodId, changed: false };
  }
  const after = await withOperationKey(
    db,
    'customer.set_default_card',
    `${customer.id}:${card.stripePaymentMethodId}:${actor.operationId}`,
    (idempotencyKey) =>
      stripe.customers.update(
        cus,
        { invoice_settings: { default_payment_method: card.stripePaymentMethodId } },
        { idempotencyKey },
      ),
  );
  const now = after.invoice_settings.default_payment_method;
  const nowId = typeof now === 'string' ? now : (now?.id ?? card.stripePaymentMethodId);
  await db.transaction(async (tx) => {
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'customer.default_card_set',
      subjectType: 'customer',
      subjectId: customer.id,
      before: { defaultPaymentMethodId: customer.defaultPaymentMethodId },
      after: { defaultPaymentMethodId: nowId, card: cardOf(card) },
      reason: input.reason ?? null,
      requestId: actor.requestId,
    });
  });
  return { stripeCustomerId: cus, defaultPaymentMethodId: nowId, changed: true };
}
