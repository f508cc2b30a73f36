/**
 * Self-service billing for the signed-in user: `POST /api/billing/checkout`, `POST /api/billing/portal`,
 * `GET /api/billing/invoices`, `GET /api/me/invoices/:id`, `GET /api/me/billing`, `GET /api/me/plans`, and the
 * `billing` field of `GET /api/me`. Every query is scoped by the session's
 * user id; no route takes a customer, subscription or invoice id from the client.
 */
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { users } from '../accounts/accounts.tables.js';
import { ensureCustomerRoles } from '../accounts/roles/operation-roles.js';
import type { Deps } from '../deps.js';
import { unauthorized } from '../errors.js';
import { requireUser } from '../http/guards.js';
import { checkoutInput, createCheckoutSession } from './checkout/create-checkout-session.js';
import type { CustomerUser } from './customers/ensure-customer.js';
import { listMyInvoices } from './invoices/list-invoices.js';
import { billingSummary } from './me/billing-summary.js';
import { getMyBilling, myBilling } from './me/my-billing.js';
import { listMyPlans, myPlans } from './me/my-plans.js';
import { getMyInvoice, myInvoice, myInvoicePage } from './invoices/get-my-invoice.js';
import { documented } from '../http/openapi/route-doc.js';
import { requestActor } from '../http/request-actor.js';
import { createPortalSession } from './portal/create-portal-session.js';

const invoiceParams = z.object({ id: z.string().min(1).max(100) }).strict();

const pageInput = z
  .object({
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

async function sessionUser(deps: Deps, request: FastifyRequest): Promise<CustomerUser> {
  const a = request.actor;
  if (a?.kind !== 'user') throw unauthorized();
  const [u] = await deps.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, a.userId));
  if (!u) throw unauthorized();
  return u;
}

export const billingRoutes: FastifyPluginAsync<{ deps: Deps }> = async (app, { deps }) => {
  app.httpContext.meFields.push({ name: 'billing', load: (d, user) => billingSummary(d.db, user.userId) });

  app.post('/api/billing/checkout', { preHandler: requireUser }, async (request) => {
    const input = checkoutInput.parse(request.body ?? {});
    const user = await sessionUser(deps, request);
    const { url } = await createCheckoutSession(
      deps,
      user,
      requestActor(request).operationId,
      input,
      ensureCustomerRoles(deps),
    );
    return { url };
  });

  app.post('/api/billing/portal', { preHandler: requireUser }, async (request) => {
    const user = await sessionUser(deps, request);
    return createPortalSession(deps, user, requestActor(request).operationId, ensureCustomerRoles(deps));
  });

  app.get('/api/billing/invoices', {
    preHandler: requireUser,
    ...documented(
      { summary: 'My invoices, newest first', query: pageInput, response: myInvoicePage },
      async (request, reply) => {
        const user = await sessionUser(deps, request);
        reply.header('cache-control', 'no-store');
        return listMyInvoices(deps.db, user.id, pageInput.parse(request.query));
      },
    ),
  });

  app.get('/api/me/invoices/:id', {
    preHandler: requireUser,
    ...documented(
      { summary: "One of my invoices (another user's is a 404)", params: invoiceParams, response: myInvoice },
      async (request, reply) => {
        const user = await sessionUser(deps, request);
        reply.header('cache-control', 'no-store');
        return getMyInvoice(deps.db, user.id, invoiceParams.parse(request.params).id);
      },
    ),
  });

  app.get('/api/me/billing', {
    preHandler: requireUser,
    ...documented(
      { summary: 'My plan, subscription status and dates, and any grace period', response: myBilling },
      async (request, reply) => {
        const user = await sessionUser(deps, request);
        reply.header('cache-control', 'no-store');
        return getMyBilling(deps.db, user.id);
      },
    ),
  });

  app.get('/api/me/plans', {
    preHandler: requireUser,
    ...documented(
      { summary: 'The active plans with their prices per interval and currency', response: myPlans },
      async () => listMyPlans(deps.db),
    ),
  });
};
