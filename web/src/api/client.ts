/**
 * The console's one HTTP client: openapi-fetch typed by the OpenAPI document the server generates from its own
 * routes (`npm run gen:api` writes ./generated/openapi.ts; `npm run typecheck` regenerates it first), so a route the
 * console uses that changes its path, parameters or response fails the type check.
 * Session cookie auth; state-changing requests carry the session's CSRF token (`x-csrf-token`, from GET /api/csrf,
 * fetched once and kept; src/http/csrf.ts) and the browser's own Origin header.
 */
import createClient from 'openapi-fetch';
import type { paths } from './generated/openapi.js';

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });

let csrf: Promise<string> | null = null;
function csrfToken(): Promise<string> {
  csrf ??= fetch('/api/csrf', { credentials: 'same-origin' }).then(async (r) => {
    if (!r.ok) throw new Error(`GET /api/csrf answered ${r.status}`);
    return ((await r.json()) as { token: string }).token;
  });
  // A failed fetch is not kept: the next write asks again.
  csrf.catch(() => (csrf = null));
  return csrf;
}

api.use({
  async onRequest({ request }) {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return undefined;
    request.headers.set('x-csrf-token', await csrfToken());
    return request;
  },
});

/** An API failure as the console shows it: the server's stable code and the request id to look up in the logs. */
export interface ApiError {
  status: number;
  code: string;
  message: string;
  requestId: string | null;
}

interface ErrorBody {
  error?: { code?: string; message?: string; requestId?: string };
}

export function toApiError(response: Response | undefined, body: unknown): ApiError {
  const e = (body as ErrorBody | undefined)?.error;
  return {
    status: response?.status ?? 0,
    code: e?.code ?? (response ? `http_${response.status}` : 'network_error'),
    message:
      e?.message ?? (response ? response.statusText || 'Request failed' : 'The server could not be reached'),
    requestId: e?.requestId ?? response?.headers.get('x-request-id') ?? null,
  };
}
