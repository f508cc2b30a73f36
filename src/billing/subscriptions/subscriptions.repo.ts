/**
 * The mirror of Stripe subscriptions (+ items) and, in the same transaction, their MRR movements.
 * `upsertSubscription(tx, subscription, versionAt, eventId?)` is shared by the customer.subscription.* handlers,
 * the app's own writes (admin create/change) and reconciliation: whoever comes first inserts, the others lock the
 * row and apply only if newer (version-guard.ts: created, then same-second succession from previous_attributes,
 * then status rank, then event id) — so an app-created subscription racing its webhook ends as exactly one row,
 * and an old event never resurrects a canceled one.
 */
import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import { AppError } from '../../errors.js';
import type { Executor } from '../../db/client.js';
import { selectRows, selectRowsWith } from '../../db/rows.js';
import { subscriptions, type SubscriptionStatus } from '../billing.tables.js';
import { requireCustomer, type CustomerRow, type MirrorResult } from '../customers/customers.repo.js';
import type { SubscriptionContext } from '../../dunning/dunning.repo.js';
import { isNewer, subscriptionRank, type State, type Succession } from '../mirror/version-guard.js';
import { tieEvidence } from '../mirror/tie-evidence.js';
import { at, atRequired, idOf } from '../mirror/stripe-refs.js';
import { upsertMirrorRow } from '../mirror/upsert-mirror-row.js';
import { monthlyAmount } from '../../revenue/monthly-amount.js';
import { discountSummary, mrrItemOf, type DiscountSummary } from '../../revenue/from-stripe.js';
import { recordMrrMovement } from '../../revenue/record-movement.js';
import type { MovementKind } from '../billing.tables.js';
import { toUnix } from '../../clock.js';

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export interface SubscriptionMirrorOptions {
  /** Fetches the subscription's discounts expanded (with their coupons) when the payload has only ids. */
  resolveDiscounts?: (subscriptionId: string) => Promise<Stripe.Discount[]>;
  /** Cause recorded on an MRR movement when there is no event id (e.g. `sync:<run id>`). */
  causeId?: string;
  /** The event's succession evidence (`successionOf(event)`) for a same-second tie (version-guard.ts). */
  succession?: Succession;
}

export interface SubscriptionMirrorResult extends MirrorResult<SubscriptionRow> {
  movement: MovementKind | null;
  /** Prices on the subscription that are not in our catalogue: the row is mirrored (plan_id null if it is the
   *  first item's) and the caller raises a billing error (docs/RELIABILITY.md 10) — no role can come from it. */
  unknownPrices: string[];
  /** The dunning/role context of the written row (as dunning's subscriptionContext reads it), from what this
   *  write already read: its reactions need not read it again. Null when stale. */
  context: SubscriptionContext | null;
}

interface KnownPrice {
  id: string;
  planId: string;
  stripePriceId: string;
  planName: string;
  graceDays: number | null;
}

/** The catalogue prices among `priceIds`, with their plan's name and grace days, as one JSON array value. */
const knownPricesOf = (priceIds: string[]) => sql`(
  SELECT coalesce(json_agg(json_build_object('id', pp.id, 'planId', pp.plan_id, 'stripePriceId', pp.stripe_price_id,
                                             'planName', p.name, 'graceDays', p.grace_days)), '[]'::json)
  FROM plan_prices pp JOIN plans p ON p.id = pp.plan_id
  WHERE pp.stripe_price_id = ANY(${sql.param(priceIds)}::text[]))`;

const FIELDS = [
  'customerId',
  'planId',
  'stripePriceId',
  'status',
  'quantity',
  'currentPeriodStart',
  'currentPeriodEnd',
  'trialStart',
  'trialEnd',
  'cancelAtPeriodEnd',
  'cancelAt',
  'canceledAt',
  'endedAt',
  'pauseCollection',
  'discount',
  'mrrMinor',
] as const satisfies readonly (keyof SubscriptionRow)[];

const unix = (d: Date | null | undefined) => (d ? toUnix(d) : null);
/** The fields compared for same-second succession (version-guard.ts), from the object and from the row
 *  (exported for time travel, which judges stored events by the same rule). */
export const objectState = (s: Stripe.Subscription): State => ({
  status: s.status,
  cancel_at_period_end: s.cancel_at_period_end,
  cancel_at: s.cancel_at ?? null,
  canceled_at: s.canceled_at ?? null,
  ended_at: s.ended_at ?? null,
  trial_start: s.trial_start ?? null,
  trial_end: s.trial_end ?? null,
});
const rowState = (r: SubscriptionRow): State => ({
  status: r.status,
  cancel_at_period_end: r.cancelAtPeriodEnd,
  cancel_at: unix(r.cancelAt),
  canceled_at: unix(r.canceledAt),
  ended_at: unix(r.endedAt),
  trial_start: unix(r.trialStart),
  trial_end: unix(r.trialEnd),
});

export async function findSubscriptionByStripeId(tx: Executor, id: string, lock = false) {
  const [row] = await selectRows(tx, subscriptions, eq(subscriptions.stripeSubscriptionId, id), {
    forUpdate: lock,
  });
  return row ?? null;
}

type DiscountRef = string | Stripe.Discount;

function refsOf(sub: Stripe.Subscription): Array<{ ref: DiscountRef; itemId: string | null }> {
  const out: Array<{ ref: DiscountRef; itemId: string | null }> = (sub.discounts ?? []).map((ref) => ({
    ref,
    itemId: null,
  }));
  for (const item of sub.items?.data ?? []) {
    for (const ref of item.discounts ?? []) out.push({ ref, itemId: item.id });
  }
  return out;
}

const hasCoupon = (d: Stripe.Discount) => !!d.source?.coupon && typeof d.source.coupon === 'object';

async function resolveDiscounts(
  sub: Stripe.Subscription,
  stored: DiscountSummary[],
  opts: SubscriptionMirrorOptions,
): Promise<DiscountSummary[]> {
  const refs = refsOf(sub);
  const out: DiscountSummary[] = [];
  const missing: Array<{ id: string; itemId: string | null }> = [];
  for (const { ref, itemId } of refs) {
    if (typeof ref === 'object' && hasCoupon(ref)) {
      out.push(discountSummary(ref, itemId));
      continue;
    }
    const id = typeof ref === 'string' ? ref : ref.id;
    const known = stored.find((d) => d.id === id);
    if (known) out.push({ ...known, subscriptionItemId: itemId });
    else missing.push({ id, itemId });
  }
  if (missing.length === 0) return out;
  const fetched = opts.resolveDiscounts ? await opts.resolveDiscounts(sub.id) : [];
  for (const m of missing) {
    const d = fetched.find((f) => f.id === m.id);
    if (!d || !hasCoupon(d)) {
      throw new AppError(
        'unresolved_discount',
        `subscription ${sub.id}: discount ${m.id} could not be resolved`,
        500,
      );
    }
    out.push(discountSummary(d, m.itemId));
  }
  return out;
}

/** Applies a Stripe subscription object (see the module comment). Throws NotLinkableError for an unknown customer
 *  (nothing written: the event is parked and retried). */
export async function upsertSubscription(
  tx: Executor,
  sub: Stripe.Subscription,
  versionAt: Date,
  eventId: string | null = null,
  opts: SubscriptionMirrorOptions = {},
): Promise<SubscriptionMirrorResult> {
  const stripeCustomerId = idOf(sub.customer);
  const items = sub.items?.data ?? [];
  const priceIds = [...new Set(items.map((i) => i.price.id))];
  let found: { row: SubscriptionRow; extra: Record<'customer' | 'prices', unknown> } | undefined;
  const r = await upsertMirrorRow(tx, subscriptions, {
    subject: `subscription ${sub.id}`,
    // The row, locked, with its customer and catalogue prices, in one statement; a new subscription reads them apart.
    lock: async () => {
      [found] = await selectRowsWith(
        tx,
        subscriptions,
        eq(subscriptions.stripeSubscriptionId, sub.id),
        {
          customer: sql`(SELECT json_build_object('id', c.id, 'userId', c.user_id,
                                                  'defaultPaymentMethodId', c.default_payment_method_id)
                         FROM customers c WHERE c.stripe_customer_id = ${stripeCustomerId})`,
          prices: knownPricesOf(priceIds),
        },
        { forUpdate: true },
      );
      return found?.row ?? null;
    },
    decide: async (before) => {
      const customer =
        (found?.extra.customer as Pick<CustomerRow, 'id' | 'userId' | 'defaultPaymentMethodId'> | null) ??
        (await requireCustomer(tx, stripeCustomerId));
      if (
        before &&
        !isNewer(
          {
            at: versionAt,
            eventId,
            rank: subscriptionRank(sub.status),
            state: objectState(sub),
            ...opts.succession,
          },
          {
            at: before.stripeVersionAt,
            eventId: before.stripeEventId,
            rank: subscriptionRank(before.status),
            state: rowState(before),
            ...(await tieEvidence(tx, before, { at: versionAt, eventId })),
          },
        )
      )
        return null;

      const known = (
        found
          ? found.extra.prices
          : (await tx.execute<{ prices: KnownPrice[] }>(sql`SELECT ${knownPricesOf(priceIds)} AS prices`))
              .rows[0]?.prices
      ) as KnownPrice[];
      const first = items[0];
      const firstPrice = first ? known.find((k) => k.stripePriceId === first.price.id) : undefined;

      const discounts = await resolveDiscounts(
        sub,
        (before?.discount as DiscountSummary[] | null) ?? [],
        opts,
      );
      const mrr = monthlyAmount(
        items.map((i) =>
          mrrItemOf(
            i,
            discounts.filter((d) => d.subscriptionItemId === i.id),
          ),
        ),
        discounts.filter((d) => d.subscriptionItemId === null),
        sub.status,
        { asOf: toUnix(versionAt), currency: sub.currency },
      );
      // Items: the object's list is the truth — items no longer on it are removed, the others upserted — and
      // invoices seen before their subscription get linked now. Three data-modifying CTEs over disjoint rows, run
      // inside the subscription's own UPDATE when the row exists (one statement for all), else after its INSERT.
      const itemValues = items.map((item) => ({
        id: item.id,
        priceId: item.price.id,
        planPriceId: known.find((k) => k.stripePriceId === item.price.id)?.id ?? null,
        quantity: item.quantity ?? 1,
        periodStart: at(item.current_period_start),
        periodEnd: at(item.current_period_end),
      }));
      const list = <T>(f: (v: (typeof itemValues)[number]) => T) => sql.param(itemValues.map(f));
      const itemWrites = (id: string) => sql`
        gone AS (
          DELETE FROM subscription_items
          WHERE subscription_id = ${id} AND stripe_subscription_item_id <> ALL(${list((v) => v.id)}::text[])
        ), linked AS (
          UPDATE invoices SET subscription_id = ${id}
          WHERE stripe_subscription_id = ${sub.id} AND subscription_id IS NULL
        ), upserted AS (
          INSERT INTO subscription_items (stripe_subscription_item_id, subscription_id, stripe_price_id,
                                          plan_price_id, quantity, current_period_start, current_period_end)
          SELECT item_id, ${id}::uuid, price_id, plan_price_id, quantity, period_start, period_end
          FROM unnest(${list((v) => v.id)}::text[], ${list((v) => v.priceId)}::text[],
                      ${list((v) => v.planPriceId)}::uuid[], ${list((v) => v.quantity)}::int[],
                      ${list((v) => v.periodStart)}::timestamptz[], ${list((v) => v.periodEnd)}::timestamptz[])
               AS v(item_id, price_id, plan_price_id, quantity, period_start, period_end)
          ON CONFLICT (stripe_subscription_item_id) DO UPDATE SET
            subscription_id = excluded.subscription_id, stripe_price_id = excluded.stripe_price_id,
            plan_price_id = excluded.plan_price_id, quantity = excluded.quantity,
            current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end
        )`;
      return {
        values: {
          stripeSubscriptionId: sub.id,
          customerId: customer.id,
          planId: firstPrice?.planId ?? null,
          stripePriceId: first?.price.id ?? null,
          status: sub.status as SubscriptionStatus,
          quantity: first?.quantity ?? 1,
          currency: sub.currency.toLowerCase(),
          currentPeriodStart: at(first?.current_period_start),
          currentPeriodEnd: at(first?.current_period_end),
          trialStart: at(sub.trial_start),
          trialEnd: at(sub.trial_end),
          cancelAtPeriodEnd: sub.cancel_at_period_end,
          cancelAt: at(sub.cancel_at),
          canceledAt: at(sub.canceled_at),
          endedAt: at(sub.ended_at),
          pauseCollection: sub.pause_collection ?? null,
          discount: discounts.length ? discounts : null,
          mrrMinor: mrr.amountMinor,
          metadata: sub.metadata ?? {},
          createdAt: atRequired(sub.created),
          stripeVersionAt: versionAt,
          stripeEventId: eventId,
          updatedAt: sql`now()`,
        },
        ...(before ? { alongUpdate: itemWrites(before.id) } : {}),
        carry: {
          customer,
          firstPrice,
          itemWrites,
          mrrMinor: mrr.amountMinor,
          unknownPrices: priceIds.filter((p) => !known.some((k) => k.stripePriceId === p)),
        },
      };
    },
    compared: FIELDS,
  });
  if (r.outcome === 'stale')
    return {
      outcome: 'stale',
      before: r.before,
      row: r.row,
      movement: null,
      unknownPrices: [],
      context: null,
    };
  const { before, row, carry } = r;
  const { customer, firstPrice } = carry;
  const id = row.id;
  if (!before) await tx.execute(sql`WITH ${carry.itemWrites(id)} SELECT 1`);

  const movement = await recordMrrMovement(tx, {
    customerId: customer.id,
    subscriptionId: id,
    currency: row.currency,
    beforeMinor: before?.mrrMinor ?? 0,
    afterMinor: carry.mrrMinor,
    at: versionAt,
    causeEventId: eventId ?? opts.causeId ?? `write:${sub.id}:${versionAt.toISOString()}`,
  });
  return {
    outcome: r.outcome,
    before,
    row,
    movement,
    unknownPrices: carry.unknownPrices,
    context: {
      subscriptionId: id,
      stripeSubscriptionId: row.stripeSubscriptionId,
      status: row.status,
      customerId: customer.id,
      stripeCustomerId: stripeCustomerId!,
      userId: customer.userId,
      defaultPaymentMethodId: customer.defaultPaymentMethodId,
      planName: firstPrice?.planName ?? null,
      planGraceDays: firstPrice?.graceDays ?? null,
    },
  };
}

/**
 * After a price enters the catalogue (price.created arriving after the subscription that uses it): subscriptions
 * mirrored with plan_id null for it get their plan now. Returns the number of subscriptions linked.
 */
export async function linkSubscriptionsToPrice(tx: Executor, stripePriceId: string): Promise<number> {
  await tx.execute(sql`
    UPDATE subscription_items si SET plan_price_id = pp.id
    FROM plan_prices pp WHERE pp.stripe_price_id = ${stripePriceId} AND si.stripe_price_id = pp.stripe_price_id
      AND si.plan_price_id IS NULL`);
  const res = await tx.execute(sql`
    UPDATE subscriptions s SET plan_id = pp.plan_id, updated_at = now()
    FROM plan_prices pp WHERE pp.stripe_price_id = ${stripePriceId} AND s.stripe_price_id = pp.stripe_price_id
      AND s.plan_id IS NULL`);
  return res.rowCount ?? 0;
}
