/**
 * How a route documents itself for OpenAPI: its options carry the zod schemas the handler already validates with
 * (`config.doc`), so the document and the validation share one source. `documented()` builds those options and
 * ties the handler's return type to the response schema, so `npm run typecheck` fails when an operation's result
 * stops matching what the document promises:
 *
 *   app.get('/customers', documented({ summary: 'List customers', query: customerListParams, response: customerPage },
 *     async (request) => listCustomers(deps.db, customerListParams.parse(request.query))));
 *
 * A route without `config.doc` is still listed (from the route table, with its path parameters): nothing is hidden.
 *
 * It sits outside src/http/ because both sides use it: the domain route files declare their docs with it, and the
 * HTTP edge's OpenAPI document (src/http/openapi/) reads them.
 */
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { z } from 'zod';

export interface RouteDoc {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success body (JSON). */
  response?: z.ZodType;
  /** The success status (default 200). */
  status?: number;
  /** What the route answers when it is not JSON (pages, metrics, redirects). */
  produces?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

type Handler<R extends z.ZodType> = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<z.input<R> | FastifyReply>;

/** Route options (`config.doc` + `handler`) for `app.get(url, documented(doc, handler))`. */
export function documented<R extends z.ZodType>(
  doc: RouteDoc & { response: R },
  handler: Handler<R>,
): { config: { doc: RouteDoc }; handler: RouteHandlerMethod } {
  return { config: { doc }, handler: handler as RouteHandlerMethod };
}
