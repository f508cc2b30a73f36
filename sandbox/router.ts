/** A tiny path router: `/v1/customers/:id` patterns, handlers take the request context and return a body. */
import type { P } from './protocol/params.js';
import type { Sandbox } from './state.js';
import type { Obj } from './store.js';

export interface Ctx {
  sb: Sandbox;
  params: Record<string, string>;
  p: P;
  method: string;
  path: string;
}

export type Handler = (c: Ctx) => Obj;

export interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export function route(method: string, path: string, handler: Handler): Route {
  return { method, parts: path.split('/').filter(Boolean), handler };
}

export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const r of routes) {
    if (r.method !== method || r.parts.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segs.length; i++) {
      const part = r.parts[i] as string;
      const seg = segs[i] as string;
      if (part.startsWith(':')) params[part.slice(1)] = seg;
      else if (part !== seg) {
        ok = false;
        break;
      }
    }
    if (ok) return { route: r, params };
  }
  return null;
}

/** True when some route has this path (for 405-vs-404 style messages). */
export function pathExists(routes: Route[], path: string): boolean {
  return ['GET', 'POST', 'DELETE'].some((m) => matchRoute(routes, m, path) !== null);
}
