/** The hosted Checkout page: pick a test card (and enter an email / promotion code), pay, get redirected. */
import type { ServerResponse } from 'node:http';
import type { Sandbox } from '../state.js';
import type { Obj } from '../store.js';
import { completeCheckout } from '../resources/checkout.js';
import { cardRadios, esc, money, page, redirect, sendHtml } from './html.js';

function render(
  sb: Sandbox,
  s: Obj,
  error?: string,
  values: { card?: string; email?: string; promo?: string } = {},
): string {
  if (s.status !== 'open') {
    return page('Checkout', `<h1>This checkout session is ${esc(s.status)}</h1>`);
  }
  const items = (sb.store.m(s.id).lineItems as Array<{ price: string; quantity: number }>).map((li) => {
    const price = sb.store.get(li.price, 'price') as Obj;
    const product = sb.store.get(price.product, 'product');
    return `<tr><td>${esc(product?.name)} × ${li.quantity}</td><td style="text-align:right">${esc(money(price.unit_amount * li.quantity, price.currency))} / ${esc(price.recurring.interval)}</td></tr>`;
  });
  const trial = sb.store.m(s.id).trialDays as number | null;
  const emailField =
    s.customer || s.customer_email
      ? `<p>Paying as ${esc(s.customer_email ?? (sb.store.get(s.customer, 'customer')?.email as string | undefined) ?? s.customer)}</p>`
      : `<label>Email <input type="email" name="email" data-testid="email" required value="${esc(values.email)}"></label>`;
  const promo = s.allow_promotion_codes
    ? `<label>Promotion code <input name="promo" data-testid="promo" value="${esc(values.promo)}"></label>`
    : '';
  return page(
    'Checkout',
    `<h1>Subscribe</h1>
<table>${items.join('')}</table>
<p>Total due today: <strong data-testid="total">${esc(trial ? money(0, s.currency) : money(s.amount_total, s.currency))}</strong>${trial ? ` (${trial}-day trial)` : ''}</p>
${error ? `<p class="error" role="alert" data-testid="error">${esc(error)}</p>` : ''}
<form method="post" action="/checkout/${esc(s.id)}">
${emailField}
<fieldset><legend>Test card</legend>${cardRadios(values.card)}</fieldset>
${promo}
<button type="submit" data-testid="pay">${trial ? 'Start trial' : 'Subscribe'}</button>
</form>
${s.cancel_url ? `<p><a href="${esc(s.cancel_url)}" data-testid="cancel">Cancel</a></p>` : ''}`,
  );
}

function challenge(s: Obj, values: { card: string; email?: string; promo?: string }): string {
  const hidden = `<input type="hidden" name="card" value="${esc(values.card)}"><input type="hidden" name="email" value="${esc(values.email)}"><input type="hidden" name="promo" value="${esc(values.promo)}">`;
  return page(
    '3D Secure',
    `<h1>3D Secure authentication</h1><p>Your bank asks you to confirm this payment.</p>
<form method="post" action="/checkout/${esc(s.id)}">${hidden}<input type="hidden" name="auth" value="complete"><button type="submit" data-testid="complete-auth">Complete authentication</button></form>
<form method="post" action="/checkout/${esc(s.id)}">${hidden}<input type="hidden" name="auth" value="fail"><button class="secondary" type="submit" data-testid="fail-auth">Fail authentication</button></form>`,
  );
}

export function checkoutGet(sb: Sandbox, res: ServerResponse, s: Obj): void {
  sendHtml(res, 200, render(sb, s));
}

export function checkoutPost(
  sb: Sandbox,
  res: ServerResponse,
  s: Obj,
  form: URLSearchParams,
  persist: () => void,
): void {
  const values = {
    card: form.get('card') ?? '',
    email: form.get('email') ?? undefined,
    promo: form.get('promo') ?? undefined,
  };
  const auth = form.get('auth');
  if (auth === 'fail') {
    return sendHtml(
      res,
      402,
      render(
        sb,
        s,
        'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
        values,
      ),
    );
  }
  const result = completeCheckout(sb, s, { ...values, authenticated: auth === 'complete' });
  persist();
  if (result.ok) return redirect(res, result.redirect);
  if ('needsAuth' in result) return sendHtml(res, 200, challenge(s, values));
  sendHtml(res, 402, render(sb, s, result.error, values));
}
