/**
 * previewPlanChange: GET /api/admin/subscriptions/:id/change-preview?priceId=&prorationBehavior=.
 * Asks Stripe for the invoice the change would produce (`invoices.createPreview` with the subscription's item
 * swapped to the new price) at a fixed `prorationDate`, which the admin passes back to change-plan so the applied
 * proration equals the previewed one. Reads only; no key needed.
 */
import { z } from 'zod';
import type Stripe from 'stripe';
import { fromUnix, toUnix } from '../../clock.js';
import type { Deps } from '../../deps.js';
import { conflict } from '../../errors.js';
import { findCataloguePrice } from './catalogue-price.js';
import { findSubscription } from './subscription-ref.js';

export const prorationBehavior = z.enum(['create_prorations', 'always_invoice', 'none']);

export const previewInput = z
  .object({
    priceId: z.string().min(1).max(100),
    prorationBehavior: prorationBehavior.default('create_prorations'),
  })
  .strict();
export type PreviewInput = z.infer<typeof previewInput>;

/** The preview (also its OpenAPI schema); amounts are integers in the currency's minor unit. */
export const planChangePreview = z.object({
  subscriptionId: z.string(),
  fromPriceId: z.string(),
  toPriceId: z.string(),
  prorationDate: z.number().int(),
  currency: z.string(),
  total: z.number().int(),
  amountDue: z.number().int(),
  prorationAmount: z.number().int(),
  lines: z.array(
    z.object({
      description: z.string().nullable(),
      amount: z.number().int(),
      proration: z.boolean(),
      periodStart: z.iso.datetime(),
      periodEnd: z.iso.datetime(),
    }),
  ),
});

export interface PlanChangePreview {
  subscriptionId: string;
  fromPriceId: string;
  toPriceId: string;
  prorationDate: number;
  currency: string;
  /** What the preview invoice would total: prorations plus, with always_invoice, what is due now. */
  total: number;
  amountDue: number;
  /** Sum of the proration lines alone (credit for unused time + charge for the remaining time). */
  prorationAmount: number;
  lines: {
    description: string | null;
    amount: number;
    proration: boolean;
    periodStart: string;
    periodEnd: string;
  }[];
}

const LIVE = new Set(['active', 'trialing', 'past_due']);

export async function loadChange(deps: Pick<Deps, 'db' | 'stripe'>, ref: string, priceRef: string) {
  const { subscription } = await findSubscription(deps.db, ref);
  const target = await findCataloguePrice(deps.db, priceRef, { activeOnly: true });
  const current = await deps.stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  if (!LIVE.has(current.status))
    throw conflict('subscription_not_changeable', `A ${current.status} subscription cannot change plan`);
  const item = current.items.data[0];
  if (!item) throw conflict('subscription_has_no_items', 'This subscription has no items');
  if (item.price.id === target.price.stripePriceId)
    throw conflict('same_price', 'The subscription is already on this price');
  if (item.price.currency !== target.price.currency) {
    throw conflict(
      'currency_mismatch',
      `The subscription bills in ${item.price.currency}, the price is in ${target.price.currency}`,
    );
  }
  return { subscription, current, item, target };
}

function isProration(line: Stripe.InvoiceLineItem): boolean {
  const p = line.parent as unknown as { subscription_item_details?: { proration?: boolean } } | null;
  return p?.subscription_item_details?.proration === true;
}

export async function previewPlanChange(
  deps: Pick<Deps, 'db' | 'stripe' | 'clock'>,
  ref: string,
  input: PreviewInput,
): Promise<PlanChangePreview> {
  const { subscription, current, item, target } = await loadChange(deps, ref, input.priceId);
  const prorationDate = toUnix(deps.clock.now());
  const preview = await deps.stripe.invoices.createPreview({
    customer: typeof current.customer === 'string' ? current.customer : current.customer.id,
    subscription: current.id,
    subscription_details: {
      items: [{ id: item.id, price: target.price.stripePriceId, quantity: item.quantity ?? 1 }],
      proration_behavior: input.prorationBehavior,
      proration_date: prorationDate,
    },
  });
  const lines = preview.lines.data.map((l) => ({
    description: l.description,
    amount: l.amount,
    proration: isProration(l),
    periodStart: fromUnix(l.period.start).toISOString(),
    periodEnd: fromUnix(l.period.end).toISOString(),
  }));
  return {
    subscriptionId: subscription.id,
    fromPriceId: item.price.id,
    toPriceId: target.price.stripePriceId,
    prorationDate,
    currency: preview.currency,
    total: preview.total,
    amountDue: preview.amount_due,
    prorationAmount: lines.filter((l) => l.proration).reduce((sum, l) => sum + l.amount, 0),
    lines,
  };
}
