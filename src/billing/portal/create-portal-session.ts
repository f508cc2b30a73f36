/**
 * createPortalSession: POST /api/billing/portal → { url } of Stripe's Customer Portal for the signed-in user's own
 * customer (created on first need; `onLinked` is the edge's role step for its link). Changes made there come back as
 * webhooks. Idempotent per request.
 */
import type { Deps } from '../../deps.js';
import { appUrl } from '../checkout/app-url.js';
import { ensureCustomer, type CustomerUser } from '../customers/ensure-customer.js';
import type { OnCustomerLinked } from '../customers/customers.repo.js';
import { withOperationKey } from '../operations/with-operation-key.js';

export async function createPortalSession(
  deps: Pick<Deps, 'db' | 'stripe' | 'config' | 'clock'>,
  user: CustomerUser,
  operationId: string,
  onLinked: OnCustomerLinked,
): Promise<{ url: string }> {
  const customer = await ensureCustomer(deps, user, onLinked);
  const session = await withOperationKey(deps.db, 'portal', `${user.id}:${operationId}`, (idempotencyKey) =>
    deps.stripe.billingPortal.sessions.create(
      { customer: customer.stripeCustomerId, return_url: `${appUrl(deps.config)}/account` },
      { idempotencyKey },
    ),
  );
  return { url: session.url };
}
