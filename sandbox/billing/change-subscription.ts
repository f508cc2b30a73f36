/**
 * Price / quantity changes with Stripe's proration behaviours:
 * - create_prorations (default): credit for unused time of the old item and charge for the remaining time of
 *   the new one become pending invoice items, swept into the next invoice;
 * - always_invoice: the same lines are invoiced (and collected) at once;
 * - none: no proration lines.
 * A change of billing interval (monthly → yearly) resets the billing cycle anchor to now and invoices the new
 * period at once (with the credit unless proration_behavior=none), as Stripe does.
 * Amounts follow `prorate` (per second, rounded half away from zero; see proration.ts).
 */
import { invoiceItemShape, subscriptionItemShape, type LineInput } from '../shapes.js';
import type { Sandbox } from '../state.js';
import { newId, type Obj } from '../store.js';
import {
  buildInvoice,
  collectInvoice,
  finalizeInvoice,
  itemDescription,
  pendingItems,
  lineFromInvoiceItem,
} from './invoices.js';
import { formatDate, periodEndAfter, prorate } from './proration.js';
import { itemPeriod, periodLines, priceOf } from './subscription-ops.js';

export interface ItemChange {
  id?: string;
  price?: Obj;
  quantity?: number;
  deleted?: boolean;
  metadata?: Obj;
}

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none';

interface PlannedItem {
  id: string | null;
  price: Obj;
  quantity: number;
  metadata: Obj;
}

export interface ChangePlan {
  items: PlannedItem[];
  prorations: LineInput[];
  resetAnchor: boolean;
  at: number;
  changed: boolean;
}

function productName(sb: Sandbox, price: Obj): string {
  return (sb.store.get(price.product, 'product')?.name as string | undefined) ?? (price.product as string);
}

export function planChange(
  sb: Sandbox,
  sub: Obj,
  changes: ItemChange[],
  behavior: ProrationBehavior,
  prorationDate?: number,
): ChangePlan {
  const current = (sub.items.data as Obj[]).map((it) => ({
    id: it.id as string,
    price: priceOf(sb, it),
    quantity: it.quantity as number,
    metadata: it.metadata as Obj,
  }));
  let next: PlannedItem[] = current.map((c) => ({ ...c }));
  for (const ch of changes) {
    if (ch.id) {
      const target = next.find((n) => n.id === ch.id);
      if (!target) continue;
      if (ch.deleted) next = next.filter((n) => n !== target);
      else {
        if (ch.price) target.price = ch.price;
        if (ch.quantity !== undefined) target.quantity = ch.quantity;
        if (ch.metadata) target.metadata = ch.metadata;
      }
    } else if (ch.price) {
      next.push({ id: null, price: ch.price, quantity: ch.quantity ?? 1, metadata: ch.metadata ?? {} });
    }
  }
  const at = prorationDate ?? sb.nowFor(sub.customer);
  const oldFirst = current[0]?.price as Obj;
  const newFirst = (next[0]?.price ?? oldFirst) as Obj;
  const trialing = sub.status === 'trialing';
  const resetAnchor =
    !trialing &&
    (oldFirst.recurring.interval !== newFirst.recurring.interval ||
      oldFirst.recurring.interval_count !== newFirst.recurring.interval_count);
  const changed =
    JSON.stringify(current.map((c) => [c.id, c.price.id, c.quantity])) !==
    JSON.stringify(next.map((c) => [c.id, c.price.id, c.quantity]));
  const prorations: LineInput[] = [];
  if (!trialing && changed && behavior !== 'none') {
    const { start, end } = itemPeriod(sub);
    const t = Math.min(Math.max(at, start), end);
    const remaining = end - t;
    const length = end - start;
    for (const old of current) {
      const now = next.find((n) => n.id === old.id);
      if (now && now.price.id === old.price.id && now.quantity === old.quantity && !resetAnchor) continue;
      prorations.push({
        amount: -prorate(old.price.unit_amount * old.quantity, remaining, length),
        currency: old.price.currency,
        description: `Unused time on ${old.quantity} × ${productName(sb, old.price)} after ${formatDate(t)}`,
        price: old.price,
        quantity: old.quantity,
        period: { start: t, end },
        subscription: sub.id,
        subscriptionItem: old.id,
        proration: true,
        invoiceItem: null,
      });
    }
    if (!resetAnchor) {
      for (const n of next) {
        const old = current.find((c) => c.id === n.id);
        if (old && old.price.id === n.price.id && old.quantity === n.quantity) continue;
        prorations.push({
          amount: prorate(n.price.unit_amount * n.quantity, remaining, length),
          currency: n.price.currency,
          description: `Remaining time on ${n.quantity} × ${productName(sb, n.price)} after ${formatDate(t)}`,
          price: n.price,
          quantity: n.quantity,
          period: { start: t, end },
          subscription: sub.id,
          subscriptionItem: n.id,
          proration: true,
          invoiceItem: null,
        });
      }
    }
  }
  return { items: next, prorations, resetAnchor, at, changed };
}

function createInvoiceItem(sb: Sandbox, sub: Obj, l: LineInput): Obj {
  const ii = invoiceItemShape(newId('ii'), sb.nowFor(sub.customer), {
    amount: l.amount,
    currency: l.currency,
    customer: sub.customer,
    description: l.description,
    subscription: sub.id,
    subscription_item: l.subscriptionItem,
    price: l.price,
    period: l.period,
    proration: l.proration,
    quantity: l.quantity,
    test_clock: sb.clockOfCustomer(sub.customer),
  });
  sb.store.insert(ii);
  sb.emit('invoiceitem.created', ii);
  return ii;
}

/** Put the planned items on the subscription (call inside `sb.update` so one `updated` event carries it). */
export function setItems(sb: Sandbox, sub: Obj, plan: ChangePlan): void {
  if (!plan.changed) return;
  const { start, end } = itemPeriod(sub);
  const t = plan.at;
  let newEnd = end;
  let newStart = start;
  if (plan.resetAnchor) {
    const first = plan.items[0]?.price as Obj;
    newStart = t;
    newEnd = periodEndAfter(t, t, first.recurring.interval, first.recurring.interval_count);
    sub.billing_cycle_anchor = t;
  }
  const existing = new Map((sub.items.data as Obj[]).map((it) => [it.id as string, it]));
  sub.items.data = plan.items.map((p) => {
    const it = p.id ? existing.get(p.id) : undefined;
    if (it)
      return {
        ...it,
        price: p.price.id,
        plan: p.price.id,
        quantity: p.quantity,
        metadata: p.metadata,
        current_period_start: newStart,
        current_period_end: newEnd,
      };
    return subscriptionItemShape(newId('si', 14), t, {
      price: p.price.id,
      quantity: p.quantity,
      subscription: sub.id,
      metadata: p.metadata,
      current_period_start: newStart,
      current_period_end: newEnd,
    });
  });
}

/** After `setItems`: proration invoice items, and the immediate invoice for always_invoice / interval changes. */
export function invoiceChange(
  sb: Sandbox,
  sub: Obj,
  plan: ChangePlan,
  behavior: ProrationBehavior,
): Obj | null {
  if (!plan.changed) return null;
  const byPrice = new Map((sub.items.data as Obj[]).map((it) => [it.price as string, it.id as string]));
  for (const l of plan.prorations)
    if (l.subscriptionItem === null) l.subscriptionItem = byPrice.get(l.price.id) ?? null;
  for (const l of plan.prorations) createInvoiceItem(sb, sub, l);
  if (!plan.resetAnchor && (behavior !== 'always_invoice' || plan.prorations.length === 0)) return null;
  const { start, end } = itemPeriod(sub);
  const customer = sb.store.get(sub.customer, 'customer') as Obj;
  const inv = buildInvoice(sb, {
    customer,
    subscription: sub,
    billingReason: 'subscription_update',
    lines: plan.resetAnchor ? periodLines(sb, sub, start, end) : [],
    includePending: true,
    periodStart: plan.at,
    periodEnd: plan.at,
    autoFinalizeAt: null,
  });
  sb.update(sub, () => (sub.latest_invoice = inv.id), { emit: false });
  finalizeInvoice(sb, inv);
  if (inv.status === 'open' && inv.collection_method === 'charge_automatically')
    collectInvoice(sb, inv, { offSession: true });
  return inv;
}

/**
 * `POST /v1/invoices/create_preview` for a subscription: the invoice a change would produce now
 * (always_invoice or an interval change), otherwise the next renewal invoice including the prorations.
 */
export function previewChange(sb: Sandbox, sub: Obj, plan: ChangePlan, behavior: ProrationBehavior): Obj {
  const customer = sb.store.get(sub.customer, 'customer') as Obj;
  const pending = pendingItems(sb, customer.id, sub.id).map((ii) => lineFromInvoiceItem(sb, ii));
  const { end } = itemPeriod(sub);
  const virtualSub = {
    ...sub,
    items: {
      ...sub.items,
      data: plan.items.map((p, i) => ({
        id: p.id ?? `si_preview_${i}`,
        price: p.price.id,
        quantity: p.quantity,
      })),
    },
  };
  let lines: LineInput[];
  let periodStart = plan.at;
  if (plan.resetAnchor || behavior === 'always_invoice') {
    const first = plan.items[0]?.price as Obj;
    const newEnd = periodEndAfter(plan.at, plan.at, first.recurring.interval, first.recurring.interval_count);
    lines = [
      ...pending,
      ...plan.prorations,
      ...(plan.resetAnchor ? periodLines(sb, virtualSub, plan.at, newEnd) : []),
    ];
  } else {
    const first = plan.items[0]?.price as Obj;
    const nextEnd = periodEndAfter(
      sub.billing_cycle_anchor,
      end,
      first.recurring.interval,
      first.recurring.interval_count,
    );
    lines = [...pending, ...plan.prorations, ...periodLines(sb, virtualSub, end, nextEnd)];
    periodStart = end;
  }
  return buildInvoice(sb, {
    customer,
    subscription: sub,
    billingReason: plan.resetAnchor || behavior === 'always_invoice' ? 'subscription_update' : 'upcoming',
    lines,
    includePending: false,
    periodStart,
    periodEnd: periodStart,
    autoFinalizeAt: null,
    preview: true,
  });
}

export { itemDescription };
