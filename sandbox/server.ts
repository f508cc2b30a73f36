/**
 * The HTTP edge: Stripe's wire protocol on /v1 (Bearer auth, form bodies, expand, errors, Idempotency-Key,
 * injected API faults), the control API on /_sandbox, and the hosted pages (checkout, portal, invoices).
 * Every API handler runs synchronously against the in-memory state, so requests never interleave.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StripeApiError } from './protocol/errors.js';
import { expand } from './protocol/expand.js';
import { parseForm } from './protocol/form.js';
import { strArr } from './protocol/params.js';
import { matchRoute, pathExists, type Route } from './router.js';
import { API_VERSION } from './shapes.js';
import type { ApiFault, Sandbox } from './state.js';
import { newId, randomChars, type Obj } from './store.js';

export interface ServerDeps {
  sb: Sandbox;
  routes: Route[];
  secretKey: string;
  control: (req: IncomingMessage, res: ServerResponse, path: string, body: string) => Promise<void>;
  pages: (req: IncomingMessage, res: ServerResponse, path: string, body: string) => Promise<boolean>;
  onResponse?: (path: string, body: unknown) => void;
  persist: () => void;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(
          new StripeApiError(413, { type: 'invalid_request_error', message: 'Request body too large.' }),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function errorBody(e: StripeApiError, requestId: string): string {
  return JSON.stringify(
    { error: { ...e.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } },
    null,
    2,
  );
}

function faultMatches(f: ApiFault, method: string, path: string): boolean {
  if (f.count <= 0) return false;
  if (f.method && f.method.toUpperCase() !== method) return false;
  return f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : path === f.path;
}

function authError(header: string | undefined, secretKey: string): StripeApiError | null {
  if (!header) {
    return new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  }
  let key = '';
  if (header.startsWith('Bearer ')) key = header.slice(7).trim();
  else if (header.startsWith('Basic '))
    key = Buffer.from(header.slice(6), 'base64').toString().split(':')[0] ?? '';
  if (key === secretKey) return null;
  return new StripeApiError(401, {
    type: 'invalid_request_error',
    message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
  });
}

export function createSandboxServer(d: ServerDeps): { server: Server; hanging: Set<ServerResponse> } {
  const hanging = new Set<ServerResponse>();
  // a one-second window on the wall clock (rate limits are about real load, not simulated time)
  let windowStart = 0;
  let inWindow = 0;
  const overRateLimit = (limit: number | null): boolean => {
    if (limit === null) return false;
    const nowMs = Date.now();
    if (nowMs - windowStart >= 1000) {
      windowStart = nowMs;
      inWindow = 0;
    }
    inWindow++;
    return inWindow > limit;
  };
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      const err =
        e instanceof StripeApiError
          ? e
          : new StripeApiError(500, {
              type: 'api_error',
              message: 'An unknown error occurred in the sandbox.',
            });
      if (!(e instanceof StripeApiError)) console.error('[sandbox] internal error', e);
      if (!res.headersSent) send(res, err.status, errorBody(err, newId('req', 14)), {});
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    if (path.startsWith('/_sandbox/')) return d.control(req, res, path, raw);
    if (!path.startsWith('/v1/')) {
      if (await d.pages(req, res, path, raw)) return;
      send(
        res,
        404,
        JSON.stringify({
          error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` },
        }),
        {},
      );
      return;
    }
    const requestId = newId('req', 14);
    const headers: Record<string, string> = {
      'request-id': requestId,
      'stripe-version': (req.headers['stripe-version'] as string | undefined) ?? API_VERSION,
    };
    const auth = authError(req.headers.authorization, d.secretKey);
    if (auth) return send(res, auth.status, errorBody(auth, requestId), headers);

    // Before the idempotency replay and the handler: a limited request has no effect and is not saved
    if (overRateLimit(d.sb.settings.rateLimitPerSecond)) {
      d.sb.rateLimited++;
      const e = new StripeApiError(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: 'https://docs.stripe.com/error-codes/rate-limit',
        message:
          'Request rate limit exceeded. Learn more about rate limits here https://docs.stripe.com/rate-limits.',
      });
      return send(res, 429, errorBody(e, requestId), headers);
    }
    const fault = d.sb.apiFaults.find((f) => faultMatches(f, method, path));
    if (fault) fault.count--;
    if (fault && (fault.mode === '500' || fault.mode === '503' || fault.mode === '429')) {
      if (fault.mode === '500' || fault.mode === '503') {
        const status = Number(fault.mode);
        const e = new StripeApiError(status, {
          type: 'api_error',
          message: 'An unknown error occurred (injected by the sandbox).',
        });
        return send(res, status, errorBody(e, requestId), headers);
      }
      const e = new StripeApiError(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: 'https://docs.stripe.com/error-codes/rate-limit',
        message:
          'Request rate limit exceeded. Learn more about rate limits here https://docs.stripe.com/rate-limits.',
      });
      const extra: Record<string, string> =
        fault.shouldRetry === undefined ? {} : { 'stripe-should-retry': String(fault.shouldRetry) };
      return send(res, 429, errorBody(e, requestId), { ...headers, ...extra });
    }

    const idemKey =
      method === 'POST' ? ((req.headers['idempotency-key'] as string | undefined) ?? null) : null;
    if (idemKey) headers['idempotency-key'] = idemKey;
    const paramsKey = `${method} ${path} ${raw}`;
    if (idemKey) {
      const prior = d.sb.store.idempotency.get(idemKey);
      if (prior) {
        if (prior.paramsKey !== paramsKey) {
          const e = new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
          });
          return send(res, 400, errorBody(e, requestId), headers);
        }
        if (fault?.mode === 'hang') return void hanging.add(res);
        return send(res, prior.status, prior.body, {
          ...headers,
          'idempotent-replayed': 'true',
          'original-request': prior.requestId,
        });
      }
    }

    const found = matchRoute(d.routes, method, path);
    let status = 200;
    let body: string;
    const p = { ...parseForm(url.search.slice(1)), ...parseForm(raw) };
    d.sb.request = { id: requestId, idempotencyKey: idemKey };
    try {
      if (!found) {
        throw new StripeApiError(404, {
          type: 'invalid_request_error',
          message: pathExists(d.routes, path)
            ? `Unrecognized request URL (${method}: ${path}). This path exists for other methods.`
            : `Unrecognized request URL (${method}: ${path}). Please see https://docs.stripe.com/api or the sandbox README.`,
        });
      }
      const result = found.route.handler({ sb: d.sb, params: found.params, p, method, path });
      const rendered = d.sb.render(result as Obj);
      if (rendered.object === 'list' || rendered.object === 'search_result')
        rendered.data = (rendered.data as Obj[]).map((x) => d.sb.render(x));
      body = JSON.stringify(expand(d.sb, rendered, strArr(p, 'expand') ?? []), null, 2);
      d.onResponse?.(path, JSON.parse(body));
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e;
      status = e.status;
      body = errorBody(e, requestId);
      Object.assign(headers, e.headers);
    } finally {
      d.sb.request = null;
    }
    // Stripe saves results once the endpoint started executing; validation errors (400) are not saved
    if (idemKey && (status === 200 || status === 402)) {
      d.sb.store.idempotency.set(idemKey, {
        method,
        path,
        requestId,
        paramsKey,
        status,
        body,
        createdAt: d.sb.now(),
      });
    }
    if (method !== 'GET') d.persist();
    if (fault?.mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault?.mode === 'latency') {
      // network latency is wall-clock by nature; the change is already applied
      hanging.add(res);
      setTimeout(() => {
        hanging.delete(res);
        if (!res.destroyed) send(res, status, body, headers);
      }, fault.ms ?? 1000).unref();
      return;
    }
    send(res, status, body, headers);
  }

  return { server, hanging };
}

export function newSecretKey(): string {
  return `sk_test_sandbox${randomChars(32)}`;
}
