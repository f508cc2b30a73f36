/**
 * Admin: the Stripe events log and replay (behind the /api/admin context's admin guard; replay is audited).
 * GET /api/admin/events?type=&status=&cursor=&limit=, GET /api/admin/events/:id, POST /api/admin/events/:id/replay
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import type { RouteContext } from '../../route-context.js';
import { documented } from '../../route-doc.js';
import type { HandlerMap } from '../webhooks/types.js';
import { getEvent } from './get-event.js';
import { eventListParams, eventPage, eventSummary, listEvents } from './list-events.js';
import { STRIPE_EVENT_STATUSES } from '../inbox.tables.js';
import { replayEvent } from './replay-event.js';

const idParam = z.object({ id: z.string().min(1).max(255) });

export async function eventsRoutes(
  app: FastifyInstance,
  opts: { deps: Deps; handlers: HandlerMap; context: RouteContext },
): Promise<void> {
  const { deps, handlers, context } = opts;
  app.get(
    '/events',
    documented(
      { summary: 'The Stripe events log', query: eventListParams, response: eventPage },
      async (request) => listEvents(deps.db, eventListParams.parse(request.query)),
    ),
  );
  app.get(
    '/events/:id',
    documented(
      {
        summary: 'A Stripe event with its payload (null once pruned by retention: see payloadPrunedAt)',
        params: idParam,
        response: eventSummary.extend({ payload: z.unknown() }),
      },
      async (request) => getEvent(deps.db, idParam.parse(request.params).id),
    ),
  );
  app.post(
    '/events/:id/replay',
    documented(
      {
        summary:
          'Apply a stored event again through its handler (audited); 410 event_payload_pruned once its payload is pruned',
        params: idParam,
        response: eventSummary.extend({
          replay: z.object({ status: z.enum(STRIPE_EVENT_STATUSES), note: z.string().nullable() }),
        }),
      },
      async (request) =>
        replayEvent(deps, handlers, context.actorOf(request), idParam.parse(request.params).id),
    ),
  );
}
