/**
 * `expand[]`: dotted paths whose id strings become the objects they name (`latest_invoice.payments`,
 * `data.customer`, `invoice.payments.data.payment.payment_intent`). Some fields only exist when expanded
 * (`invoice.payments`, `checkout.session.line_items`); their builders live with the resources.
 */
import type { Sandbox } from '../state.js';
import type { Obj } from '../store.js';
import { invalidRequest } from './errors.js';

export type VirtualField = (sb: Sandbox, parent: Obj) => Obj;
export const virtualFields: Record<string, Record<string, VirtualField>> = {};

export function registerVirtual(objectType: string, field: string, build: VirtualField): void {
  (virtualFields[objectType] ??= {})[field] = build;
}

function resolve(sb: Sandbox, id: string): Obj | undefined {
  const o = sb.store.get(id);
  if (!o) return undefined;
  if (sb.store.m(id).deleted) return { id, object: o.object, deleted: true };
  return sb.render(o);
}

function expandAt(sb: Sandbox, node: unknown, segs: string[], full: string): void {
  if (segs.length === 0 || node === null || typeof node !== 'object') return;
  const n = node as Obj;
  const [seg, ...rest] = segs as [string, ...string[]];
  if (Array.isArray(n)) {
    for (const el of n) expandAt(sb, el, segs, full);
    return;
  }
  if ((n.object === 'list' || n.object === 'search_result') && seg === 'data') {
    for (const el of n.data as Obj[]) expandAt(sb, el, rest, full);
    return;
  }
  const virtual = virtualFields[n.object as string]?.[seg];
  if (virtual && n[seg] === undefined) n[seg] = virtual(sb, n);
  let value = n[seg];
  if (value === undefined) throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  if (typeof value === 'string') {
    value = resolve(sb, value) ?? value;
    n[seg] = value;
  } else if (Array.isArray(value)) {
    value = value.map((v) => (typeof v === 'string' ? (resolve(sb, v) ?? v) : v));
    n[seg] = value;
  }
  expandAt(sb, value, rest, full);
}

export function expand(sb: Sandbox, body: Obj, paths: string[]): Obj {
  for (const path of paths) expandAt(sb, body, path.split('.'), path);
  return body;
}
