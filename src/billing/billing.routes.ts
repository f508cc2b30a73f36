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
import { checkoutInput, createCheckoutSession } from './checkout/create-checkout-session.js';
import type { CustomerUser } from './customers/ensure-customer.js';
import { listMyInvoices } from './invoices/list-invoices.js';
import { billingSummary } from './me/billing-summary.js';
import { getMyBilling, myBilling } from './me/my-billing.js';
import { listMyPlans, myPlans } from './me/my-plans.js';
import { getMyInvoice, myInvoice, myInvoicePage } from './invoices/get-my-invoice.js';
import type { RouteContext } from '../route-context.js';
import { documented } from '../route-doc.js';
import { createPortalSession } from './portal/create-portal-session.js';

const invoiceParams = z.object({ id: z.string().min(1).max(100) }).strict();

const pageInput = z
  .object({
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const billingRoutes: FastifyPluginAsync<{ deps: Deps; context: RouteContext }> = async (
  app,
  { deps, context },
) => {
  const sessionUser = async (request: FastifyRequest): Promise<CustomerUser> => {
    const [u] = await deps.db
      .select({ id: users.id, email: users.email, name: users.name })
      .from(users)
      .where(eq(users.id, context.userOf(request).userId));
    if (!u) throw unauthorized();
    return u;
  };

  app.httpContext.meFields.push({ name: 'billing', load: (d, user) => billingSummary(d.db, user.userId) });

  app.post('/api/billing/checkout', async (request) => {
    const input = checkoutInput.parse(request.body ?? {});
    const user = await sessionUser(request);
    const { url } = await createCheckoutSession(
      deps,
      user,
      context.actorOf(request).operationId,
      input,
      ensureCustomerRoles(deps),
    );
    return { url };
  });

  app.post('/api/billing/portal', async (request) => {
    const user = await sessionUser(request);
    return createPortalSession(deps, user, context.actorOf(request).operationId, ensureCustomerRoles(deps));
  });

  app.get('/api/billing/invoices', {
    ...documented(
      { summary: 'My invoices, newest first', query: pageInput, response: myInvoicePage },
      async (request, reply) => {
        const user = await sessionUser(request);
        reply.header('cache-control', 'no-store');
        return listMyInvoices(deps.db, user.id, pageInput.parse(request.query));
      },
    ),
  });

  app.get('/api/me/invoices/:id', {
    ...documented(
      { summary: "One of my invoices (another user's is a 404)", params: invoiceParams, response: myInvoice },
      async (request, reply) => {
        const user = await sessionUser(request);
        reply.header('cache-control', 'no-store');
        return getMyInvoice(deps.db, user.id, invoiceParams.parse(request.params).id);
      },
    ),
  });

  app.get('/api/me/billing', {
    ...documented(
      { summary: 'My plan, subscription status and dates, and any grace period', response: myBilling },
      async (request, reply) => {
        const user = await sessionUser(request);
        reply.header('cache-control', 'no-store');
        return getMyBilling(deps.db, user.id);
      },
    ),
  });

  app.get('/api/me/plans', {
    ...documented(
      { summary: 'The active plans with their prices per interval and currency', response: myPlans },
      async () => listMyPlans(deps.db),
    ),
  });
};
