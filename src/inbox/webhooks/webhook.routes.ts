/**
 * `POST /webhooks/stripe`, an encapsulated plugin: inside it the ONLY body parser is a raw Buffer reader for every
 * content type, so no JSON parser (ours or one mounted globally) ever re-serializes the bytes before the
 * signature is checked. The 1 MiB limit is enforced by Fastify on Content-Length (413 before reading) and on the
 * streamed length (413 as soon as it is exceeded, for chunked bodies).
 */
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import type { Deps } from '../../deps.js';
import { ingestEvent } from './ingest-event.js';
import { createInboxWriter } from './ingest-writer.js';
import type { HandlerMap } from './types.js';
import { failpoint } from '../../failpoints.js';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookRoutesOptions {
  deps: Deps;
  handlers: HandlerMap;
}

export async function webhookRoutes(app: FastifyInstance, opts: WebhookRoutesOptions): Promise<void> {
  const { deps, handlers } = opts;
  const isHandled = (type: string) => Object.prototype.hasOwnProperty.call(handlers, type);
  const ingestDeps = {
    config: deps.config,
    clock: deps.clock,
    inbox: createInboxWriter(deps.database.pool),
    logger: deps.logger,
  };

  const registry = (app as Partial<Pick<FastifyInstance, 'httpContext'>>).httpContext?.metrics.registry;
  const deliveries = registry
    ? new Counter({
        name: 'stripe_webhook_deliveries_total',
        help: 'Stripe webhook deliveries by result (stored, duplicate, or the error code)',
        labelNames: ['result'] as const,
        registers: [registry],
      })
    : undefined;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => {
      done(null, body);
    },
  );

  // No helmet headers: the caller is Stripe, not a browser (and building them was a visible share of the ack's CPU).
  app.post('/webhooks/stripe', { bodyLimit: WEBHOOK_BODY_LIMIT, helmet: false }, async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // Node joins repeated headers with ", "; the raw list tells us whether the header was sent twice.
    const signatureHeaders: string[] = [];
    const rawHeaders = request.raw.rawHeaders;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      if (rawHeaders[i]?.toLowerCase() === 'stripe-signature') signatureHeaders.push(rawHeaders[i + 1] ?? '');
    }
    try {
      const result = await ingestEvent(ingestDeps, isHandled, { raw, signatureHeaders });
      failpoint('ingest.after-commit');
      deliveries?.inc({ result: result.duplicate ? 'duplicate' : 'stored' });
      return reply.status(200).send({ received: true, duplicate: result.duplicate });
    } catch (e) {
      deliveries?.inc({ result: (e as { code?: string }).code ?? 'error' });
      throw e;
    }
  });
}
