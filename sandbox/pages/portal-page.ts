/**
 * The hosted billing portal: switch plan (prorated like Stripe's portal default), update the card (which
 * also retries open invoices of past-due subscriptions), cancel at period end (as Stripe's portal does),
 * renew a scheduled cancellation.
 */
import type { ServerResponse } from 'node:http';
import type { Sandbox } from '../state.js';
import type { Obj } from '../store.js';
import { invoiceChange, planChange, setItems } from '../billing/change-subscription.js';
import { collectInvoice } from '../billing/invoices.js';
import { itemPeriod, priceOf } from '../billing/subscription-ops.js';
import { formatDate } from '../billing/proration.js';
import { attachPaymentMethod, resolvePaymentMethod } from '../resources/payment-methods.js';
import { StripeApiError } from '../protocol/errors.js';
import { cardRadios, esc, money, page, redirect, sendHtml } from './html.js';

function subscriptionsOf(sb: Sandbox, customerId: string): Obj[] {
  return sb.store
    .list('subscription')
    .filter((s) => s.customer === customerId && !['canceled', 'incomplete_expired'].includes(s.status));
}

function render(sb: Sandbox, session: Obj, notice?: string): string {
  const customer = sb.store.get(session.customer, 'customer') as Obj;
  const pmId =
    (customer.invoice_settings.default_payment_method as string | null) ??
    (subscriptionsOf(sb, customer.id).find((x) => x.default_payment_method)?.default_payment_method as
      string | undefined) ??
    null;
  const pm = pmId ? sb.store.get(pmId, 'payment_method') : undefined;
  const prices = sb.store.list('price').filter((p) => p.active && p.type === 'recurring');
  const subs = subscriptionsOf(sb, customer.id).map((sub) => {
    const item = (sub.items.data as Obj[])[0] as Obj;
    const price = priceOf(sb, item);
    const product = sb.store.get(price.product, 'product');
    const end = itemPeriod(sub).end;
    const options = prices
      .filter((p) => p.currency === price.currency && p.id !== price.id)
      .map(
        (p) =>
          `<option value="${esc(p.id)}">${esc(sb.store.get(p.product, 'product')?.name)} — ${esc(money(p.unit_amount, p.currency))} / ${esc(p.recurring.interval)}</option>`,
      )
      .join('');
    const cancelForm = sub.cancel_at_period_end
      ? `<p data-testid="cancel-notice">Cancels on ${esc(formatDate(end))}.</p>
<form method="post" action="/portal/${esc(session.id)}/renew"><input type="hidden" name="subscription" value="${esc(sub.id)}"><button type="submit" data-testid="renew">Renew plan</button></form>`
      : `<form method="post" action="/portal/${esc(session.id)}/cancel"><input type="hidden" name="subscription" value="${esc(sub.id)}"><button class="secondary" type="submit" data-testid="cancel-plan">Cancel plan</button></form>`;
    return `<section data-testid="subscription" data-id="${esc(sub.id)}">
<h2>${esc(product?.name)} — ${esc(money(price.unit_amount * item.quantity, price.currency))} / ${esc(price.recurring.interval)}</h2>
<p>Status: <span data-testid="status">${esc(sub.status)}</span>. Current period ends ${esc(formatDate(end))}.</p>
${options ? `<form method="post" action="/portal/${esc(session.id)}/switch"><input type="hidden" name="subscription" value="${esc(sub.id)}"><label>Switch plan <select name="price" data-testid="price">${options}</select></label><button type="submit" data-testid="switch">Update plan</button></form>` : ''}
${cancelForm}
</section>`;
  });
  return page(
    'Billing portal',
    `<h1>${esc(customer.name ?? customer.email)}</h1>
${notice ? `<p class="error" role="alert" data-testid="error">${esc(notice)}</p>` : ''}
${subs.join('\n') || '<p>No active subscriptions.</p>'}
<h2>Payment method</h2>
<p data-testid="card">${pm ? `${esc(pm.card.brand)} •••• ${esc(pm.card.last4)}` : 'None'}</p>
<form method="post" action="/portal/${esc(session.id)}/card"><fieldset><legend>New test card</legend>${cardRadios()}</fieldset><button type="submit" data-testid="update-card">Update payment method</button></form>
${session.return_url ? `<p><a href="${esc(session.return_url)}" data-testid="return">Return</a></p>` : ''}`,
  );
}

export function portalGet(sb: Sandbox, res: ServerResponse, session: Obj): void {
  sendHtml(res, 200, render(sb, session));
}

export function portalPost(
  sb: Sandbox,
  res: ServerResponse,
  session: Obj,
  action: string,
  form: URLSearchParams,
  persist: () => void,
): void {
  const customer = sb.store.get(session.customer, 'customer') as Obj;
  const sub = subscriptionsOf(sb, customer.id).find((s) => s.id === form.get('subscription'));
  const at = sb.nowFor(customer.id);
  try {
    switch (action) {
      case 'cancel':
        if (!sub) break;
        sb.update(sub, () => {
          sub.cancel_at_period_end = true;
          sub.cancel_at = itemPeriod(sub).end;
          sub.canceled_at = at;
          sub.cancellation_details = {
            comment: null,
            feedback: null,
            feedback_option: null,
            reason: 'cancellation_requested',
          };
        });
        break;
      case 'renew':
        if (!sub) break;
        sb.update(sub, () => {
          sub.cancel_at_period_end = false;
          sub.cancel_at = null;
          sub.canceled_at = null;
          sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: null };
        });
        break;
      case 'switch': {
        const price = sb.store.get(form.get('price') ?? '', 'price');
        if (!sub || !price) break;
        const item = (sub.items.data as Obj[])[0] as Obj;
        const plan = planChange(sb, sub, [{ id: item.id, price }], 'create_prorations');
        sb.update(sub, () => setItems(sb, sub, plan));
        invoiceChange(sb, sub, plan, 'create_prorations');
        break;
      }
      case 'card': {
        const pm = resolvePaymentMethod(sb, form.get('card') ?? '', 'card', { email: customer.email });
        attachPaymentMethod(sb, pm, customer);
        sb.update(
          customer,
          () => (customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pm.id }),
        );
        for (const s of subscriptionsOf(sb, customer.id)) {
          if (s.default_payment_method) sb.update(s, () => (s.default_payment_method = pm.id));
          const inv = s.latest_invoice ? sb.store.get(s.latest_invoice, 'invoice') : undefined;
          if (inv && inv.status === 'open' && ['past_due', 'unpaid', 'incomplete'].includes(s.status))
            collectInvoice(sb, inv, { offSession: false });
        }
        break;
      }
    }
  } catch (e) {
    if (e instanceof StripeApiError) {
      persist();
      return sendHtml(res, e.status, render(sb, session, e.body.message));
    }
    throw e;
  }
  persist();
  redirect(res, `/portal/${session.id}`);
}
