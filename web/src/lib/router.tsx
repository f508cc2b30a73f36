/**
 * A small client-side router (history API) for /admin/* and the customer's pages: the current path and query, `navigate()`, `<Link>`.
 * The URL is the state of a page's filters, so a copied link reopens the same view. No dependency: the console
 * needs path matching on a dozen fixed paths, not a routing library.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** The console lives under /admin; the customer's pages at the root (one app, routed by path). */
export const BASE = /^\/admin(?:\/|$)/.test(window.location.pathname) ? '/admin' : '';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const snapshot = () => window.location.pathname + window.location.search;

/** Path inside the console (`/customers`) and its query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  const path = url.pathname.slice(BASE.length).replace(/\/$/, '') || '/';
  return { path, query: url.searchParams };
}

/** `/customers?q=x` inside the console → `/admin/customers?q=x`. */
export const href = (to: string) => BASE + (to === '/' ? '' : to) || '/';

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  window.history[opts.replace ? 'replaceState' : 'pushState'](null, '', href(to));
  notify();
}

/** Sets query parameters of the current page (empty values removed); filters change the page back to 1. */
export function setQuery(changes: Record<string, string | undefined>) {
  const { pathname, search } = window.location;
  const q = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  window.history.replaceState(null, '', pathname + (s ? `?${s}` : ''));
  notify();
}

export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
    window.scrollTo(0, 0);
  };
  return <a {...rest} href={href(to)} onClick={onClick} />;
}
