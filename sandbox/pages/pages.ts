/** Hosted pages (Checkout, billing portal, invoices), routed by path outside /v1. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sandbox } from '../state.js';
import type { Obj } from '../store.js';
import { checkoutGet, checkoutPost } from './checkout-page.js';
import { portalGet, portalPost } from './portal-page.js';
import { esc, money, page, sendHtml } from './html.js';

function invoicePage(inv: Obj): string {
  const lines = (inv.lines.data as Obj[])
    .map(
      (l) =>
        `<tr><td>${esc(l.description)}</td><td style="text-align:right">${esc(money(l.amount, l.currency))}</td></tr>`,
    )
    .join('');
  return page(
    `Invoice ${inv.number ?? inv.id}`,
    `<h1>Invoice ${esc(inv.number ?? inv.id)}</h1><p>Status: <strong data-testid="status">${esc(inv.status)}</strong></p>
<table>${lines}<tr><td><strong>Total</strong></td><td style="text-align:right"><strong>${esc(money(inv.total, inv.currency))}</strong></td></tr></table>`,
  );
}

export function pagesHandler(sb: Sandbox, persist: () => void) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<boolean> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const seg = path.split('/').filter(Boolean);
    const form = new URLSearchParams(raw);
    if (seg[0] === 'checkout' && seg.length === 2) {
      const s = sb.store.get(seg[1] as string, 'checkout.session');
      if (!s) return false;
      if (method === 'POST') checkoutPost(sb, res, s, form, persist);
      else checkoutGet(sb, res, s);
      return true;
    }
    if (seg[0] === 'portal' && (seg.length === 2 || seg.length === 3)) {
      const session = sb.store.get(seg[1] as string, 'billing_portal.session');
      if (!session) return false;
      if (method === 'POST' && seg[2]) portalPost(sb, res, session, seg[2], form, persist);
      else portalGet(sb, res, session);
      return true;
    }
    if (seg[0] === 'invoices' && seg[1]) {
      const inv = sb.store.get(seg[1], 'invoice');
      if (!inv) return false;
      sendHtml(res, 200, invoicePage(inv));
      return true;
    }
    return false;
  };
}
