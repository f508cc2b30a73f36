/**
 * MRR recomputed straight from Stripe's objects (issue 14's reconciliation): the subscription list through the SDK,
 * every page, coupons fetched. Stripe's arithmetic written out here, not the app's: the year's amount of every item
 * (monthly × 12), less the percent, less the amount off times the invoices a year, ÷ 12, rounded half up once per
 * subscription; counted while active or past_due.
 */
import type Stripe from 'stripe';

/** Stripe's figures, recomputed from its objects: subscription id → [currency, MRR in minor units]. */
export async function mrrFromStripe(stripe: Stripe): Promise<Map<string, [string, number]>> {
  const out = new Map<string, [string, number]>();
  const coupons = new Map<string, Stripe.Coupon>();
  for await (const sub of stripe.subscriptions.list({
    status: 'all',
    limit: 100,
    expand: ['data.discounts'],
  })) {
    const counted = sub.status === 'active' || sub.status === 'past_due';
    // The year's amount: a monthly price bills 12 times a year, a yearly one once.
    const perYear = (interval: string | undefined) => (interval === 'year' ? 1n : 12n);
    let yearly100 = 0n; // hundredths, so a percent off stays exact
    for (const item of sub.items.data) {
      yearly100 +=
        BigInt(item.price.unit_amount!) *
        BigInt(item.quantity ?? 1) *
        perYear(item.price.recurring?.interval) *
        100n;
    }
    const invoicesPerYear = perYear(sub.items.data[0]!.price.recurring?.interval);
    for (const d of sub.discounts) {
      const discount = typeof d === 'string' ? null : d;
      const ref = discount?.source?.coupon;
      if (!ref) throw new Error(`subscription ${sub.id}: discount not expanded`);
      const id = typeof ref === 'string' ? ref : ref.id;
      if (!coupons.has(id)) coupons.set(id, await stripe.coupons.retrieve(id));
      const c = coupons.get(id)!;
      if (c.duration === 'once') continue;
      if (c.percent_off !== null)
        yearly100 = (yearly100 * BigInt(Math.round((100 - c.percent_off) * 100))) / 10000n;
      else if (c.amount_off !== null) yearly100 -= BigInt(c.amount_off) * invoicesPerYear * 100n;
    }
    // ÷ 12 months ÷ 100 hundredths, rounded half up
    const mrr = counted ? Number((2n * yearly100 + 1200n) / 2400n) : 0;
    out.set(sub.id, [sub.currency, mrr]);
  }
  return out;
}
