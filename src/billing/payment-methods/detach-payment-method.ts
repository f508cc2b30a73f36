/**
 * detachPaymentMethod: POST /api/admin/customers/:id/payment-methods/:pm/detach { confirmNoDefault?, reason? }.
 * Detaches a card from the customer in Stripe (it can no longer be charged). Never silently leaves a customer
 * whose subscriptions will charge at renewal without a default card: detaching the default card of such a customer
 * is 409 `default_card_in_use` unless `confirmNoDefault: true` (the console asks first). Idempotent per request
 * (stored Stripe idempotency key); audited; the mirror follows from `payment_method.detached`/`customer.updated`.
 */
import { z } from 'zod';
import { appendAudit } from '../../audit/append-audit.js';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import type { Actor } from '../operations/actor.js';
import { withOperationKey } from '../operations/with-operation-key.js';
import { cardOf, chargingSubscriptions, findCustomerCard } from './payment-method-ref.js';

export const detachCardInput = z
  .object({
    /** Detach the default card even though subscriptions will then have no card to charge. */
    confirmNoDefault: z.boolean().default(false),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();
export type DetachCardInput = z.infer<typeof detachCardInput>;

export const detachCardResult = z.object({
  stripePaymentMethodId: z.string(),
  detached: z.literal(true),
  /** True when the detached card was the default: the customer now has none until another is set. */
  leftWithoutDefault: z.boolean(),
});

export async function detachPaymentMethod(
  deps: Pick<Deps, 'db' | 'stripe'>,
  actor: Actor,
  customerRef: string,
  paymentMethodId: string,
  input: DetachCardInput,
): Promise<z.infer<typeof detachCardResult>> {
  const { db, stripe } = deps;
  const { customer, card } = await findCustomerCard(db, customerRef, paymentMethodId);
  const pm = card.stripePaymentMethodId;
  const isDefault = customer.defaultPaymentMethodId === pm;
  const charging = isDefault ? await chargingSubscriptions(db, customer.id) : 0;
  if (charging > 0 && !input.confirmNoDefault) {
    throw conflict(
      'default_card_in_use',
      `This is the default card of a customer with ${charging} subscription${charging === 1 ? '' : 's'} that will ` +
        'charge it: without a default card their next invoices fail. Set another card as default first, or ' +
        'confirm to detach it anyway.',
    );
  }
  await withOperationKey(db, 'payment_method.detach', `${pm}:${actor.operationId}`, (idempotencyKey) =>
    stripe.paymentMethods.detach(pm, {}, { idempotencyKey }),
  );
  await db.transaction(async (tx) => {
    await appendAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'customer.card_detached',
      subjectType: 'customer',
      subjectId: customer.id,
      before: { card: cardOf(card), isDefault },
      after: { defaultPaymentMethodId: isDefault ? null : customer.defaultPaymentMethodId },
      reason: input.reason ?? null,
      cause: charging > 0 ? { confirmedNoDefault: true, chargingSubscriptions: charging } : null,
      requestId: actor.requestId,
    });
  });
  return { stripePaymentMethodId: pm, detached: true, leftWithoutDefault: isDefault };
}
