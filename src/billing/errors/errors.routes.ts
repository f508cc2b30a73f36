/**
 * Admin: billing errors (behind the /api/admin context's admin guard; every action is audited with its note).
 * GET /api/admin/errors?status=open&kind=&cursor=&limit=, GET /api/admin/errors/:id,
 * POST /api/admin/errors/:id/retry|resolve|ignore { note }
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import type { RouteContext } from '../../route-context.js';
import { documented } from '../../route-doc.js';
import { closeBillingError } from './close-billing-error.js';
import {
  billingErrorListParams,
  billingErrorPage,
  billingErrorView,
  getBillingError,
  listBillingErrors,
} from './list-billing-errors.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const actionParams = z.object({
  id: z.string().min(1).max(100),
  action: z.enum(['retry', 'resolve', 'ignore']),
});
const noteBody = z.object({ note: z.string().trim().max(2000).optional() }).strict();

export async function errorsRoutes(
  app: FastifyInstance,
  opts: { deps: Deps; context: RouteContext },
): Promise<void> {
  const { deps, context } = opts;
  app.get(
    '/errors',
    documented(
      { summary: 'List billing errors by status', query: billingErrorListParams, response: billingErrorPage },
      async (request) => listBillingErrors(deps.db, billingErrorListParams.parse(request.query)),
    ),
  );
  app.get(
    '/errors/:id',
    documented({ summary: 'A billing error', params: idParam, response: billingErrorView }, async (request) =>
      getBillingError(deps.db, idParam.parse(request.params).id),
    ),
  );
  app.post(
    '/errors/:id/:action',
    documented(
      {
        summary: 'Retry (requeue its events), resolve or ignore a billing error, with a note',
        params: actionParams,
        body: noteBody,
        response: billingErrorView.extend({ requeuedEvents: z.number().int() }),
      },
      async (request) => {
        const { id, action } = actionParams.parse(request.params);
        const { note } = noteBody.parse(request.body ?? {});
        return closeBillingError(deps, context.actorOf(request), id, action, note ?? null);
      },
    ),
  );
}
