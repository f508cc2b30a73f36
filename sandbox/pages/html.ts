/** Minimal HTML helpers for the hosted pages (no scripts: plain forms, so any browser or test can drive them). */
import type { ServerResponse } from 'node:http';
import { formatMoney } from '../billing/proration.js';

export function esc(s: unknown): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export const money = formatMoney;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Stripe sandbox</title>
<style>
body{font-family:system-ui,sans-serif;max-width:640px;margin:2rem auto;padding:0 1rem;color:#1a1f36}
.banner{background:#fff4e5;border:1px solid #f5a623;padding:.5rem .75rem;border-radius:6px;font-size:.85rem}
.error{background:#fde8e8;border:1px solid #e02424;padding:.5rem .75rem;border-radius:6px}
fieldset{border:1px solid #ddd;border-radius:6px;margin:1rem 0}
label{display:block;margin:.35rem 0}
button{background:#635bff;color:#fff;border:0;border-radius:6px;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
button.secondary{background:#e3e8ee;color:#1a1f36}
table{width:100%;border-collapse:collapse}td{padding:.3rem 0}
</style></head><body>
<p class="banner">Stripe sandbox — test mode. No real card is charged.</p>
${body}
</body></html>`;
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location });
  res.end();
}

export const CARD_CHOICES: Array<[string, string]> = [
  ['pm_card_visa', 'Visa 4242 — succeeds'],
  ['pm_card_mastercard', 'Mastercard 4444 — succeeds'],
  ['pm_card_chargeDeclined', 'Visa 0002 — declined'],
  ['pm_card_chargeDeclinedInsufficientFunds', 'Visa 9995 — insufficient funds'],
  ['pm_card_chargeCustomerFail', 'Visa 0341 — attaches, later charges fail'],
  ['pm_card_authenticationRequired', 'Visa 3184 — requires 3D Secure'],
];

export function cardRadios(selected = 'pm_card_visa'): string {
  return CARD_CHOICES.map(
    ([v, label]) =>
      `<label><input type="radio" name="card" value="${v}" data-testid="${v}"${v === selected ? ' checked' : ''}> ${esc(label)}</label>`,
  ).join('\n');
}
