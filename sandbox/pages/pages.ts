/** Hosted pages (Checkout, billing portal, invoices): routed by path prefix, outside /v1. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sandbox } from '../state.js';

export function pagesHandler(_sb: Sandbox, _persist: () => void) {
  return async (_req: IncomingMessage, _res: ServerResponse, _path: string, _raw: string): Promise<boolean> => false;
}
