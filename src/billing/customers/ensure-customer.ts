/**
 * ensureCustomer: the user's Stripe customer, created on first need (checkout, portal, an admin subscription) and
 * reused afterwards. The customer carries `metadata.user_id`, which is how webhooks link it back to the user.
 * Idempotent under concurrency: every caller for one user sends Stripe the same Idempotency-Key
 * (`customer:<user id>`), so ten simultaneous first requests make one Stripe customer; the local row is keyed by the
 * Stripe id through the same version-guarded upsert the webhooks use (users are 1:1 with customers): one row.
 * A link this write makes is handed to the edge's `onLinked` step in the same transaction (the role recompute).
 */
import { eq } from 'drizzle-orm';
import { fromUnix } from '../../clock.js';
import type { Executor } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { customers } from '../billing.tables.js';
import { upsertCustomer, type OnCustomerLinked } from './customers.repo.js';
import { withOperationKey } from '../operations/with-operation-key.js';

export interface CustomerUser {
  id: string;
  email: string;
  name: string | null;
}

export interface EnsuredCustomer {
  id: string;
  stripeCustomerId: string;
  created: boolean;
}

async function findByUser(db: Executor, userId: string) {
  const [row] = await db
    .select({ id: customers.id, stripeCustomerId: customers.stripeCustomerId })
    .from(customers)
    .where(eq(customers.userId, userId));
  return row;
}

export async function ensureCustomer(
  deps: Pick<Deps, 'db' | 'stripe' | 'clock' | 'config'>,
  user: CustomerUser,
  onLinked: OnCustomerLinked,
): Promise<EnsuredCustomer> {
  const existing = await findByUser(deps.db, user.id);
  if (existing) return { ...existing, created: false };
  const customer = await withOperationKey(deps.db, 'customer', user.id, (idempotencyKey) =>
    deps.stripe.customers.create(
      { email: user.email, ...(user.name ? { name: user.name } : {}), metadata: { user_id: user.id } },
      { idempotencyKey },
    ),
  );
  // The customer.created webhook may race this write: both go through the version-guarded upsert (one row). The
  // link goes back to the edge, which recomputes the user's role like any other (nothing is mirrored for a customer
  // created this moment, so it changes nothing unless the stored role was already wrong); the upsert wakes events
  // parked for it.
  await deps.db.transaction(async (tx) => {
    const r = await upsertCustomer(tx, customer, fromUnix(customer.created), null);
    if (r.linked) await onLinked(tx, r.linked);
  });
  const row = await findByUser(deps.db, user.id);
  if (!row) throw new Error(`customer row for user ${user.id} missing after insert`);
  return { ...row, created: row.stripeCustomerId === customer.id };
}
